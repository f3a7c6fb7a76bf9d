"""One switch, `GENESYS_QUALITY_DEPLOYMENT` (local | production), picks the set of resources.

local: Parquet under GENESYS_QUALITY_HOME (or GENESYS_QUALITY_STORAGE_URL), DuckDB, and the
embedded simulator unless GENESYS_CLIENT_ID is set. production: real Genesys, Parquet on S3,
Snowflake through dagster-snowflake's SnowflakeResource. Missing production settings fail when
the definitions load, naming the variable, never hours later inside a run. Secrets and every
Snowflake setting are passed as `dg.EnvVar`s, so their values never land in run configuration or
the UI. docs/production.md has the table of settings per deployment.
"""

from __future__ import annotations

import os

import dagster as dg

from genesys_quality.io_managers import ParquetIOManager
from genesys_quality.resources import DuckDBWarehouseResource, GenesysResource, ParquetStorage, WarehouseResource
from genesys_quality.storage.location import StorageConfigError
from genesys_quality.warehouse.dialect import DUCKDB, SNOWFLAKE
from genesys_quality.warehouse.errors import InvalidIdentifierError

DEPLOYMENTS = ("local", "production")
DEFAULT_HOME = ".genesys_quality"

SNOWFLAKE_REQUIRED = (
    "SNOWFLAKE_ACCOUNT",
    "SNOWFLAKE_USER",
    "SNOWFLAKE_WAREHOUSE",
    "SNOWFLAKE_DATABASE",
    "SNOWFLAKE_SCHEMA",
)
PRODUCTION_REQUIRED = (
    "GENESYS_CLIENT_ID",
    "GENESYS_CLIENT_SECRET",
    "GENESYS_QUALITY_STORAGE_URL",
    *SNOWFLAKE_REQUIRED,
)
"""Plus SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY; docs/production.md has the full table."""


class ConfigurationError(ValueError):
    """A deployment setting is missing or wrong; the message names the variable and the fix."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _int_env(name: str, default: int) -> int:
    value = _env(name, str(default)) or str(default)
    if not value.isdigit():
        raise ConfigurationError(f"{name}={value!r} must be a whole number, e.g. {default}.")
    return int(value)


def current_deployment() -> str:
    name = _env("GENESYS_QUALITY_DEPLOYMENT", "local") or "local"
    if name not in DEPLOYMENTS:
        raise ConfigurationError(f"GENESYS_QUALITY_DEPLOYMENT={name!r}: use one of {', '.join(DEPLOYMENTS)}.")
    return name


def home() -> str:
    """Local state: Parquet, checkpoints, the form cache and the DuckDB file."""
    return os.path.abspath(os.path.expanduser(_env("GENESYS_QUALITY_HOME", DEFAULT_HOME) or DEFAULT_HOME))


def _secret(name: str) -> str | dg.EnvVar:
    return dg.EnvVar(name) if _env(name) else ""


def _genesys() -> GenesysResource:
    if _env("GENESYS_CLIENT_SECRET") and not _env("GENESYS_CLIENT_ID"):
        raise ConfigurationError(
            "GENESYS_CLIENT_SECRET is set but GENESYS_CLIENT_ID is not: set both to use Genesys Cloud, "
            "or neither to use the embedded simulator."
        )
    if _env("GENESYS_CLIENT_ID") and not _env("GENESYS_CLIENT_SECRET"):
        raise ConfigurationError(
            "GENESYS_CLIENT_ID is set but GENESYS_CLIENT_SECRET is not: set the secret of that OAuth client, "
            "or unset GENESYS_CLIENT_ID to use the embedded simulator."
        )
    return GenesysResource(
        client_id=_env("GENESYS_CLIENT_ID"),
        client_secret=_secret("GENESYS_CLIENT_SECRET"),
        region=_env("GENESYS_REGION", "us_east_1") or "us_east_1",
        api_base_url=_env("GENESYS_API_BASE_URL"),
        login_base_url=_env("GENESYS_LOGIN_BASE_URL"),
        requests_per_minute=_int_env("GENESYS_REQUESTS_PER_MINUTE", 300),
        max_retries=_int_env("GENESYS_MAX_RETRIES", 6),
        read_timeout_seconds=_int_env("GENESYS_READ_TIMEOUT_SECONDS", 60),
    )


def _storage() -> ParquetStorage:
    storage = ParquetStorage(
        base_url=_env("GENESYS_QUALITY_STORAGE_URL") or os.path.join(home(), "parquet"),
        s3_endpoint_url=_env("GENESYS_QUALITY_S3_ENDPOINT_URL"),
        s3_region=_env("AWS_REGION") or _env("AWS_DEFAULT_REGION"),
    )
    try:
        _ = storage.location  # validates the URL now, at load, rather than in the first run
    except StorageConfigError as error:
        raise ConfigurationError(f"GENESYS_QUALITY_STORAGE_URL: {error}") from None
    return storage


def _missing(required: tuple[str, ...]) -> list[str]:
    """The unset names of `required`, plus the Snowflake authentication when Snowflake settings are required."""
    missing = [name for name in required if not _env(name)]
    if "SNOWFLAKE_ACCOUNT" in required and not (_env("SNOWFLAKE_PASSWORD") or _env("SNOWFLAKE_PRIVATE_KEY")):
        missing.append("SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY")
    return missing


def _optional_env_var(name: str) -> dg.EnvVar | None:
    """An EnvVar for a setting that may be absent (None, not an empty string, keeps the connector default)."""
    return dg.EnvVar(name) if _env(name) else None


def _snowflake_warehouse() -> WarehouseResource:
    """Snowflake through dagster-snowflake's SnowflakeResource; every setting is an EnvVar, read at run time."""
    missing = _missing(SNOWFLAKE_REQUIRED)
    if missing:
        raise ConfigurationError(
            f"The Snowflake warehouse needs {', '.join(missing)}: set {'it' if len(missing) == 1 else 'them'} "
            "(docs/production.md)."
        )
    if _env("SNOWFLAKE_PASSWORD") and _env("SNOWFLAKE_PRIVATE_KEY"):
        raise ConfigurationError(
            "Both SNOWFLAKE_PASSWORD and SNOWFLAKE_PRIVATE_KEY are set: keep one (key-pair authentication is "
            "recommended, see docs/snowflake.md)."
        )
    from dagster_snowflake import SnowflakeResource

    from genesys_quality.snowflake_resource import SnowflakeWarehouseResource

    _identifier("SNOWFLAKE_SCHEMA", "", SNOWFLAKE)
    return SnowflakeWarehouseResource(
        table=_identifier("GENESYS_QUALITY_TABLE", "quality_evaluations", SNOWFLAKE),
        snowflake=SnowflakeResource(
            account=dg.EnvVar("SNOWFLAKE_ACCOUNT"),
            user=dg.EnvVar("SNOWFLAKE_USER"),
            password=_optional_env_var("SNOWFLAKE_PASSWORD"),
            private_key=_optional_env_var("SNOWFLAKE_PRIVATE_KEY"),
            private_key_password=_optional_env_var("SNOWFLAKE_PRIVATE_KEY_PASSWORD"),
            warehouse=dg.EnvVar("SNOWFLAKE_WAREHOUSE"),
            database=dg.EnvVar("SNOWFLAKE_DATABASE"),
            schema=dg.EnvVar("SNOWFLAKE_SCHEMA"),
            role=_optional_env_var("SNOWFLAKE_ROLE"),
            # The load runs its own BEGIN … COMMIT; see SnowflakeWarehouseResource.
            autocommit=True,
        ),
    )


def _identifier(name: str, default: str, dialect=DUCKDB) -> str:
    """A table or schema name from the environment, refused at load (not mid-run) if it is not a plain identifier."""
    value = _env(name, default) or default
    try:
        dialect.quote(value)
    except InvalidIdentifierError as error:
        raise ConfigurationError(f"{name}: {error}") from None
    return value


def _warehouse(backend: str) -> WarehouseResource:
    if backend not in ("duckdb", "snowflake"):
        raise ConfigurationError(f"GENESYS_QUALITY_WAREHOUSE={backend!r}: use duckdb or snowflake.")
    if backend == "snowflake":
        return _snowflake_warehouse()
    return DuckDBWarehouseResource(
        duckdb_path=_env("GENESYS_QUALITY_DUCKDB_PATH") or os.path.join(home(), "warehouse.duckdb"),
        schema_name=_identifier("GENESYS_QUALITY_SCHEMA", "main"),
        table=_identifier("GENESYS_QUALITY_TABLE", "quality_evaluations"),
        lock_timeout_seconds=float(_int_env("GENESYS_QUALITY_LOCK_TIMEOUT_SECONDS", 120)),
        memory_limit=_env("GENESYS_QUALITY_DUCKDB_MEMORY_LIMIT"),
    )


def resources(deployment: str | None = None) -> dict:
    """The resources of a deployment; raises ConfigurationError naming what is missing."""
    deployment = deployment or current_deployment()
    if deployment == "production":
        missing = _missing(PRODUCTION_REQUIRED)
        if missing:
            raise ConfigurationError(
                f"GENESYS_QUALITY_DEPLOYMENT=production but {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set: set {'it' if len(missing) == 1 else 'them'} "
                "(docs/production.md lists every setting) or use GENESYS_QUALITY_DEPLOYMENT=local."
            )
        if not _env("GENESYS_QUALITY_STORAGE_URL").startswith("s3://"):
            raise ConfigurationError("In production GENESYS_QUALITY_STORAGE_URL must be s3://bucket/prefix.")
        warehouse = _warehouse("snowflake")
    else:
        warehouse = _warehouse(_env("GENESYS_QUALITY_WAREHOUSE", "duckdb") or "duckdb")
    storage = _storage()
    return {
        "genesys": _genesys(),
        "storage": storage,
        "parquet_io_manager": ParquetIOManager(storage=storage),
        "warehouse": warehouse,
    }
