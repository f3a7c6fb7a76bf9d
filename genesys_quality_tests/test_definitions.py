"""The code location loads, every job resolves, and deployments fail early with named settings."""

from __future__ import annotations

import importlib

import dagster as dg
import pytest

from genesys_quality import deployment
from genesys_quality.deployment import ConfigurationError


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in list(__import__("os").environ):
        if name.startswith(("GENESYS_", "SNOWFLAKE_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GENESYS_QUALITY_HOME", str(tmp_path))
    return monkeypatch


def test_definitions_expose_the_four_assets_with_their_lineage(clean_env):
    import genesys_quality.definitions as module

    defs = importlib.reload(module).defs
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == {"raw_evaluations", "template_versions", "normalized_items", "quality_evaluations"}
    parents = lambda name: {p.to_user_string() for p in graph.get(dg.AssetKey(name)).parent_keys}
    assert parents("template_versions") == {"raw_evaluations"}
    assert parents("normalized_items") == {"raw_evaluations", "template_versions"}
    assert parents("quality_evaluations") == {"normalized_items"}
    for job_name in [j.name for j in defs.resolve_all_job_defs()]:
        assert defs.resolve_job_def(job_name) is not None
    assert {s.name for s in defs.schedules} == {"daily_refresh"}
    assert {s.name for s in defs.sensors} == {"template_version_sensor"}


def test_month_partitions_are_utc_first_days_from_the_configured_start(clean_env):
    from genesys_quality.assets import raw_evaluations

    keys = raw_evaluations.partitions_def.get_partition_keys()
    assert keys[0] == "2024-01-01"
    assert all(k.endswith("-01") for k in keys)


def test_local_deployment_without_credentials_uses_the_embedded_simulator(clean_env):
    res = deployment.resources("local")
    assert res["genesys"].uses_simulator
    assert res["warehouse"].backend == "duckdb"
    assert res["warehouse"].duckdb_path.endswith("warehouse.duckdb")


def test_client_id_without_secret_is_refused_rather_than_falling_back_to_the_simulator(clean_env):
    clean_env.setenv("GENESYS_CLIENT_ID", "prod-client")
    with pytest.raises(ConfigurationError, match="GENESYS_CLIENT_SECRET"):
        deployment.resources("local")


def test_production_names_every_missing_setting(clean_env):
    clean_env.setenv("GENESYS_CLIENT_ID", "prod-client")
    clean_env.setenv("GENESYS_CLIENT_SECRET", "s3cr3t-value")
    with pytest.raises(ConfigurationError) as error:
        deployment.resources("production")
    message = str(error.value)
    for name in ("GENESYS_QUALITY_STORAGE_URL", "SNOWFLAKE_ACCOUNT", "SNOWFLAKE_DATABASE"):
        assert name in message
    assert "s3cr3t-value" not in message


def test_unknown_deployment_name_is_a_clear_error(clean_env):
    clean_env.setenv("GENESYS_QUALITY_DEPLOYMENT", "staging")
    with pytest.raises(ConfigurationError, match="local, production"):
        deployment.current_deployment()


@pytest.mark.parametrize("hostile", ['quality; DROP TABLE x', 'a"b', "1abc"])
def test_hostile_table_name_is_refused_when_definitions_load_naming_the_variable(clean_env, hostile):
    clean_env.setenv("GENESYS_QUALITY_TABLE", hostile)
    with pytest.raises(ConfigurationError, match="GENESYS_QUALITY_TABLE"):
        deployment.resources("local")
