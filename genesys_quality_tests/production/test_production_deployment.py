"""GENESYS_QUALITY_DEPLOYMENT=production: the resources it builds, the secrets it never shows, and the
settings it names when they are missing — when the code location loads, not inside a run."""

from __future__ import annotations

import importlib

import dagster as dg
import pytest
from dagster_snowflake import SnowflakeResource

from genesys_quality import deployment
from genesys_quality.assets import ASSETS
from genesys_quality.deployment import PRODUCTION_REQUIRED, ConfigurationError
from genesys_quality.io_managers import ParquetIOManager
from genesys_quality.jobs import JOBS
from genesys_quality.resources import GenesysResource, ParquetStorage
from genesys_quality.schedules import SCHEDULES
from genesys_quality.sensors import SENSORS
from genesys_quality.snowflake_resource import SnowflakeWarehouseResource

SECRETS = {
    "GENESYS_CLIENT_SECRET": "genesys-Secret-0d41aa",
    "SNOWFLAKE_PASSWORD": "snowflake-Password-77e2b9",
}
PRODUCTION_ENV = {
    "GENESYS_QUALITY_DEPLOYMENT": "production",
    "GENESYS_CLIENT_ID": "3f1c9e2a-prod-client",
    "GENESYS_REGION": "eu_west_1",
    "GENESYS_QUALITY_STORAGE_URL": "s3://acme-genesys-quality/prod",
    "SNOWFLAKE_ACCOUNT": "acme-xy12345",
    "SNOWFLAKE_USER": "GENESYS_QUALITY_LOADER",
    "SNOWFLAKE_WAREHOUSE": "LOAD_WH",
    "SNOWFLAKE_DATABASE": "ANALYTICS",
    "SNOWFLAKE_SCHEMA": "GENESYS_QUALITY",
    "SNOWFLAKE_ROLE": "GENESYS_QUALITY_LOADER",
    **SECRETS,
}


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    for name in list(__import__("os").environ):
        if name.startswith(("GENESYS_", "SNOWFLAKE_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GENESYS_QUALITY_HOME", str(tmp_path))
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def _reload_definitions():
    import genesys_quality.definitions as module

    return importlib.reload(module).defs


def test_production_builds_genesys_s3_parquet_and_snowflake_through_snowflake_resource(production_env):
    resources = deployment.resources()

    genesys, storage, warehouse = resources["genesys"], resources["storage"], resources["warehouse"]
    assert isinstance(genesys, GenesysResource) and not genesys.uses_simulator and genesys.region == "eu_west_1"
    assert isinstance(storage, ParquetStorage) and storage.location.is_s3
    assert storage.location.bucket == "acme-genesys-quality"
    assert isinstance(resources["parquet_io_manager"], ParquetIOManager)
    assert isinstance(warehouse, SnowflakeWarehouseResource) and warehouse.backend == "snowflake"
    snowflake = warehouse.snowflake
    assert isinstance(snowflake, SnowflakeResource) and snowflake.autocommit is True
    assert snowflake.private_key is None
    env_vars = {name: getattr(snowflake, name) for name in
                ("account", "user", "password", "warehouse", "database", "schema_", "role")}
    assert all(isinstance(value, dg.EnvVar) for value in env_vars.values()), env_vars
    assert isinstance(genesys.client_secret, dg.EnvVar)


def test_production_resources_satisfy_every_asset_job_schedule_and_sensor(production_env):
    defs = dg.Definitions(assets=ASSETS, jobs=JOBS, schedules=SCHEDULES, sensors=SENSORS,
                          resources=deployment.resources("production"))

    assert [job.name for job in defs.resolve_all_job_defs()]


def test_secret_values_never_appear_in_the_resource_configuration(production_env):
    resources = deployment.resources("production")

    shown = repr(resources) + repr({key: resource._resolved_config_dict for key, resource in resources.items()
                                    if hasattr(resource, "_resolved_config_dict")})
    shown += repr(resources["warehouse"].snowflake._resolved_config_dict)
    for name, value in SECRETS.items():
        assert value not in shown, f"the value of {name} is visible"
    assert "{'env': 'SNOWFLAKE_PASSWORD'}" in shown


def test_snowflake_settings_resolve_inside_dagster_and_are_refused_outside(production_env):
    resource = deployment.resources("production")["warehouse"]

    with pytest.raises(dg.Failure, match="EnvVar references.*build_resources"):
        resource.get_warehouse()
    with dg.build_resources({"warehouse": resource}) as built:
        warehouse = built.warehouse.get_warehouse()
    assert (warehouse.database, warehouse.schema, warehouse.table) == (
        "ANALYTICS", "GENESYS_QUALITY", "quality_evaluations"
    )


@pytest.mark.parametrize("missing", [*PRODUCTION_REQUIRED, "SNOWFLAKE_PASSWORD"])
def test_each_missing_production_setting_is_named_when_the_code_location_loads(production_env, missing):
    production_env.delenv(missing)
    expected = "SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY" if missing == "SNOWFLAKE_PASSWORD" else missing

    with pytest.raises(ConfigurationError) as error:
        _reload_definitions()

    message = str(error.value)
    assert expected in message
    assert not [name for name in set(PRODUCTION_REQUIRED) - {missing} if name in message], "only what is missing"
    for value in SECRETS.values():
        assert value not in message


def test_key_pair_authentication_replaces_the_password(production_env):
    production_env.delenv("SNOWFLAKE_PASSWORD")
    production_env.setenv("SNOWFLAKE_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----")
    production_env.setenv("SNOWFLAKE_PRIVATE_KEY_PASSWORD", "key-Passphrase-9a0c")

    snowflake = deployment.resources("production")["warehouse"].snowflake

    assert snowflake.password is None
    assert isinstance(snowflake.private_key, dg.EnvVar) and isinstance(snowflake.private_key_password, dg.EnvVar)
    assert "MIIE" not in repr(snowflake) and "key-Passphrase-9a0c" not in repr(snowflake)


def test_password_and_private_key_together_are_refused_naming_both(production_env):
    production_env.setenv("SNOWFLAKE_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----")

    with pytest.raises(ConfigurationError, match="SNOWFLAKE_PASSWORD and SNOWFLAKE_PRIVATE_KEY are set: keep one"):
        deployment.resources("production")


def test_production_refuses_parquet_outside_s3(production_env, tmp_path):
    production_env.setenv("GENESYS_QUALITY_STORAGE_URL", str(tmp_path / "parquet"))

    with pytest.raises(ConfigurationError, match="GENESYS_QUALITY_STORAGE_URL must be s3://bucket/prefix"):
        deployment.resources("production")


def test_snowflake_resource_without_autocommit_is_refused_before_any_connection(production_env):
    resource = SnowflakeWarehouseResource(
        snowflake=SnowflakeResource(account="a", user="u", password="p", database="D", schema="S")
    )

    with pytest.raises(dg.Failure, match="autocommit=True"):
        resource.get_warehouse()
