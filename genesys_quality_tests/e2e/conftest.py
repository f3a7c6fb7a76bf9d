"""The pipeline fixtures (simulator, temporary home, `Pipeline`) for the end-to-end tests."""

from genesys_quality_tests.pipeline.conftest import pipeline, pipeline_env, simulator  # noqa: F401
