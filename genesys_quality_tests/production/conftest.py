"""The production wiring is exercised through the pipeline tests' fixtures: a simulator on loopback,
a temporary GENESYS_QUALITY_HOME and real Dagster runs (genesys_quality_tests/pipeline/conftest.py)."""

from genesys_quality_tests.pipeline.conftest import pipeline, pipeline_env, simulator  # noqa: F401 (fixtures)
