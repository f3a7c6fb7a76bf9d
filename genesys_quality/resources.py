"""Dagster resources: the Genesys client, Parquet storage and the warehouse.

Each wraps a library object from the layers below; the resources only carry configuration.
"""


import os
import threading
from contextlib import contextmanager

import dagster as dg
from pydantic import Field, PrivateAttr
from upath import UPath

from genesys_quality.genesys import GenesysClient
from genesys_quality.storage.access import check_access
from genesys_quality.storage.location import StorageLocation, location_from_url, safe_segment
from genesys_quality.warehouse import DuckDBWarehouse, Warehouse
from genesys_quality.warehouse.duckdb_warehouse import DEFAULT_MEMORY_LIMIT as DUCKDB_MEMORY_LIMIT

_embedded_lock = threading.Lock()
_embedded = None


def embedded_simulator():
    """The process-wide demo simulator used when no Genesys credentials are configured."""
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            from genesys_quality.simulator import Simulator, SimulatorConfig

            seed = int(os.environ.get("GENESYS_SIMULATOR_SEED", "42"))
            _embedded = Simulator(SimulatorConfig(seed=seed, rate_limit_per_minute=None)).start()
        return _embedded


class GenesysResource(dg.ConfigurableResource):
    """Genesys Cloud credentials and limits. With no client id, the embedded simulator is used."""

    client_id: str = Field(default="", description="OAuth client-credentials client id; empty = embedded simulator.")
    client_secret: str = Field(default="", description="OAuth client secret (set through an EnvVar).")
    region: str = Field(default="us_east_1", description="Region key (eu_west_1) or domain (mypurecloud.ie).")
    api_base_url: str = Field(default="", description="Full API URL override (proxies, tests).")
    login_base_url: str = Field(default="", description="Full login URL override.")
    requests_per_minute: int = Field(default=300, description="Client-side rate budget (Genesys: 300/min per token).")
    max_retries: int = Field(default=6, description="Retries of a failed idempotent request (5xx, resets, timeouts).")
    read_timeout_seconds: int = Field(default=60, description="Seconds to wait for a response before retrying the call.")

    @property
    def uses_simulator(self) -> bool:
        return not self.client_id

    def get_client(self) -> GenesysClient:
        if self.uses_simulator:
            simulator = embedded_simulator()
            return GenesysClient(
                simulator.config.client_id,
                simulator.config.client_secret,
                api_base_url=simulator.base_url,
                login_base_url=simulator.base_url,
                requests_per_minute=None,
                max_retries=self.max_retries,
            )
        if not self.client_secret:
            raise dg.Failure(
                f"GENESYS_CLIENT_ID is set ({self.client_id}) but GENESYS_CLIENT_SECRET is not: set both, or unset "
                "GENESYS_CLIENT_ID to use the embedded simulator."
            )
        return GenesysClient(
            self.client_id,
            self.client_secret,
            region=self.region,
            api_base_url=self.api_base_url or None,
            login_base_url=self.login_base_url or None,
            requests_per_minute=self.requests_per_minute,
            max_retries=self.max_retries,
            read_timeout=self.read_timeout_seconds,
        )


class ParquetStorage(dg.ConfigurableResource):
    """Where Parquet files, extraction checkpoints and the form cache live (folder or s3://)."""

    base_url: str = Field(description="A local folder or s3://bucket/prefix.")
    s3_endpoint_url: str = Field(default="", description="S3-compatible endpoint override (SeaweedFS, MinIO…).")
    s3_region: str = Field(default="", description="S3 region, when the store needs one.")

    _location: StorageLocation | None = PrivateAttr(default=None)

    @property
    def location(self) -> StorageLocation:
        if self._location is None:
            self._location = location_from_url(self.base_url, self.s3_endpoint_url or None, self.s3_region or None)
        return self._location

    def check_access(self) -> None:
        """Fail fast (StorageError) unless this run may list, write, read and delete under the base URL."""
        check_access(self.location)

    def asset_path(self, asset_name: str, partition_key: str) -> UPath:
        """`<base>/<asset>/<partition>.parquet` — the layout the README documents."""
        return self.location.path(asset_name, f"{safe_segment(partition_key, 'partition key')}.parquet")

    def work_dir(self, asset_name: str, partition_key: str) -> UPath:
        """`<base>/_work/<asset>/<partition>/`: part files and the checkpoint of an unfinished run."""
        return self.location.path("_work", asset_name, partition_key)

    def cache_dir(self, name: str) -> UPath:
        """`<base>/_cache/<name>/`: immutable things fetched once (published form versions)."""
        return self.location.path("_cache", name)


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse the assets MERGE into: `DuckDBWarehouseResource` here, or `SnowflakeWarehouseResource`
    (genesys_quality/snowflake_resource.py, imported only when Snowflake is configured: dagster-snowflake
    pulls in Snowpark and takes seconds to import in every run process).

    Both expose `backend`, `schema_name`, `table` and `get_warehouse()`; assets and the sensor
    depend on this base class only.
    """

    table: str = Field(default="quality_evaluations", description="Target table name.")

    def get_warehouse(self) -> Warehouse:
        raise NotImplementedError(f"{type(self).__name__} does not build a warehouse.")


class DuckDBWarehouseResource(WarehouseResource):
    """A DuckDB file: the local default."""

    duckdb_path: str = Field(description="DuckDB database file.")
    schema_name: str = Field(default="main", description="Schema holding the tables.")
    lock_timeout_seconds: float = Field(default=120.0, description="How long to wait for a locked DuckDB file.")
    memory_limit: str = Field(
        default=DUCKDB_MEMORY_LIMIT,
        description=f"DuckDB memory for a load (e.g. 2GB); it spills beyond it to <file>.tmp/. Empty = "
        f"{DUCKDB_MEMORY_LIMIT}, which keeps a 1M-evaluation month's load process under 1 GiB.",
    )

    @property
    def backend(self) -> str:
        return "duckdb"

    def get_warehouse(self) -> Warehouse:
        if not self.duckdb_path:
            raise dg.Failure("The DuckDB warehouse needs a path: set GENESYS_QUALITY_DUCKDB_PATH.")
        # With Parquet on S3 nothing else creates GENESYS_QUALITY_HOME, where the file lives by default.
        os.makedirs(os.path.dirname(os.path.abspath(self.duckdb_path)), exist_ok=True)
        return DuckDBWarehouse(
            self.duckdb_path,
            schema=self.schema_name,
            table=self.table,
            lock_timeout_seconds=self.lock_timeout_seconds,
            memory_limit=self.memory_limit or DUCKDB_MEMORY_LIMIT,
        )


@contextmanager
def genesys_client(resource: GenesysResource):
    client = resource.get_client()
    try:
        yield client
    finally:
        client.close()
