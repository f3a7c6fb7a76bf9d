"""Every warehouse scenario runs on both backends.

- DuckDB: a real file in `tmp_path`.
- Snowflake: `fakesnow` 0.12.1, an emulator of the Snowflake connector on DuckDB, patched in-process.
  It is not Snowflake: it proves the connector calls (pyformat parameters, `write_pandas`,
  BEGIN/COMMIT/ROLLBACK) and the SQL semantics, not Snowflake's planner or privileges.

fakesnow bug worked around here: it emulates MERGE by creating a temporary table, and records that
table's (absent) comment in its own catalog database. Inside an explicit transaction DuckDB refuses
a write to a second database, so every MERGE between BEGIN and COMMIT fails under fakesnow (real
Snowflake has no such catalog write). `_fakesnow_without_null_table_comments` drops the empty
comment record; nothing of ours is patched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import duckdb
import pytest

from genesys_quality.warehouse import DuckDBWarehouse, SnowflakeWarehouse, Warehouse

SNOWFLAKE_DATABASE = "GQ"
SNOWFLAKE_SCHEMA = "quality"


def _fakesnow_without_null_table_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    import fakesnow.transforms as fakesnow_transforms

    original = fakesnow_transforms.extract_comment_on_table

    def extract_comment_on_table(expression):
        transformed = original(expression)
        comment = transformed.args.get("table_comment")
        if comment is not None and comment[1] is None:
            del transformed.args["table_comment"]
        return transformed

    monkeypatch.setattr(fakesnow_transforms, "extract_comment_on_table", extract_comment_on_table)


class Backend:
    """Builds warehouses on one storage and runs raw SQL against it (to inspect or sabotage it)."""

    def __init__(self, name: str, make: Callable[..., Warehouse], raw_sql: Callable[[str], list[tuple]]):
        self.name = name
        self.make = make
        self.raw_sql = raw_sql

    def table_names(self) -> set[str]:
        rows = self.raw_sql("SELECT table_name FROM information_schema.tables")
        return {row[0].lower() for row in rows}


def _duckdb_backend(path: Path) -> Backend:
    def raw_sql(text: str) -> list[tuple]:
        connection = duckdb.connect(str(path))
        try:
            return connection.execute(text).fetchall()
        finally:
            connection.close()

    return Backend("duckdb", lambda **kwargs: DuckDBWarehouse(path, **kwargs), raw_sql)


def _snowflake_backend() -> Backend:
    import snowflake.connector

    def connect():
        return snowflake.connector.connect(database=SNOWFLAKE_DATABASE, schema=SNOWFLAKE_SCHEMA)

    def raw_sql(text: str) -> list[tuple]:
        connection = connect()
        try:
            return connection.cursor().execute(text).fetchall()
        finally:
            connection.close()

    def make(**kwargs) -> Warehouse:
        return SnowflakeWarehouse(connect, database=SNOWFLAKE_DATABASE, schema=SNOWFLAKE_SCHEMA, **kwargs)

    return Backend("snowflake", make, raw_sql)


def pytest_collection_modifyitems(items):
    """fakesnow warns about an extra Arrow copy on every query; that is its business, not ours."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.filterwarnings("ignore:Arrow output on a DB-API result:UserWarning"))


@pytest.fixture(params=["duckdb", "snowflake"])
def backend(request, tmp_path, monkeypatch) -> Backend:
    if request.param == "duckdb":
        yield _duckdb_backend(tmp_path / "warehouse.duckdb")
        return
    import fakesnow

    _fakesnow_without_null_table_comments(monkeypatch)
    with fakesnow.patch():
        yield _snowflake_backend()


@pytest.fixture
def warehouse(backend) -> Warehouse:
    return backend.make()
