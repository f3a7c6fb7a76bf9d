"""Staging, row-count parity, one transactional MERGE, soft-delete and score history (DESIGN.md §6).

Two backends share one algorithm (`base.py`) and one SQL generator (`sql.py`): DuckDB, the
embedded default, and Snowflake. This layer never imports Dagster.
"""

from .base import Warehouse
from .duckdb_warehouse import DuckDBWarehouse
from .errors import (
    InjectedFailureError,
    InvalidIdentifierError,
    ParityError,
    RollbackFailedError,
    StagingError,
    WarehouseSchemaError,
    WarehouseUnavailableError,
)
from .result import LoadResult
from .snowflake_warehouse import SnowflakeWarehouse

__all__ = [
    "DuckDBWarehouse",
    "InjectedFailureError",
    "InvalidIdentifierError",
    "LoadResult",
    "ParityError",
    "RollbackFailedError",
    "SnowflakeWarehouse",
    "StagingError",
    "Warehouse",
    "WarehouseSchemaError",
    "WarehouseUnavailableError",
]
