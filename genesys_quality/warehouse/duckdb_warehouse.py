"""The embedded default: a DuckDB file under GENESYS_QUALITY_HOME.

A DuckDB file is opened read-write by one process at a time, so every operation opens its own
connection, waits (up to `lock_timeout_seconds`) while another process holds the file, and closes
it as soon as it is done: the Dagster UI, a sensor and a second run share the file in turn.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path
from typing import Iterator, Mapping

import duckdb
import pyarrow

from genesys_quality.transform.schemas import NormalizedItems, arrow_schema

from .base import Session, Warehouse
from .dialect import DUCKDB
from .errors import WarehouseUnavailableError
from .sql import WarehouseSql
from .statement import Statement

_BATCH_RELATION = "genesys_quality_staging_batch"
_STREAM_CHUNK_ROWS = 16_384
"""Each DuckDB thread holds the record batch it scans; small slices keep that memory small."""
_WRITES = ("INSERT", "UPDATE", "MERGE", "DELETE")
"""Statements whose DuckDB result is the count of rows they wrote."""


class _DuckDBSession:
    def __init__(self, connection: duckdb.DuckDBPyConnection, sql: WarehouseSql):
        self._connection = connection
        self._sql = sql

    def execute(self, statement: Statement, values: Mapping[str, object] = {}) -> int:
        result = self._connection.execute(statement.text, statement.bind(values) or None)
        if statement.text.startswith(_WRITES):
            return int(result.fetchall()[0][0])
        return 0

    def fetch_rows(self, statement: Statement, values: Mapping[str, object] = {}) -> list[tuple]:
        return self._connection.execute(statement.text, statement.bind(values) or None).fetchall()

    def fetch_arrow(self, statement: Statement, values: Mapping[str, object] = {}) -> pyarrow.Table:
        return self._connection.sql(statement.text, params=statement.bind(values) or None).to_arrow_table()

    def column_names(self, statement: Statement) -> list[str]:
        return [column[0] for column in self._connection.execute(statement.text).description]

    def stage(self, batches: Iterator[pyarrow.Table], month: str) -> None:
        """One INSERT reading every batch as one Arrow stream: one transaction, written straight to the
        file, with DuckDB's threads compressing while the next batch is read (not one commit per batch)."""
        schema = arrow_schema(NormalizedItems)
        stream = pyarrow.RecordBatchReader.from_batches(
            schema, (record for table in batches for record in table.to_batches(max_chunksize=_STREAM_CHUNK_ROWS))
        )
        threads = self._connection.execute("SELECT current_setting('threads')").fetchall()[0][0]
        self._connection.register(_BATCH_RELATION, stream)
        try:
            # The stream arrives one batch at a time anyway; every extra thread would only hold its own
            # uncompressed row group (~140 MB measured), so staging runs on one.
            self._connection.execute("SET threads = 1")
            self.execute(self._sql.insert_staging_from(_BATCH_RELATION, month))
        finally:
            self._connection.execute(f"SET threads = {int(threads)}")
            self._connection.unregister(_BATCH_RELATION)

    def begin(self) -> None:
        self._connection.begin()

    def commit(self) -> None:
        self._connection.commit()

    def rollback(self) -> None:
        self._connection.rollback()


def _is_lock_conflict(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


DEFAULT_MEMORY_LIMIT = "384MB"
"""DuckDB's share of a load's memory; beyond it DuckDB spills to `temp_directory`. With Python and
pyarrow around it the load process stays under 1 GiB for a month of a million evaluations
(benchmarks/RESULTS.md); DuckDB's own default would be 80 % of RAM."""
DEFAULT_THREADS = 2
_MEMORY_LIMIT = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


class DuckDBWarehouse(Warehouse):
    """`quality_evaluations` in a local DuckDB file."""

    creates_schema = True

    def __init__(
        self,
        database_path: str | os.PathLike[str],
        schema: str = "main",
        table: str = "quality_evaluations",
        lock_timeout_seconds: float = 30.0,
        *,
        history_table: str = "quality_evaluation_score_history",
        memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
        threads: int | None = DEFAULT_THREADS,
        temp_directory: str | os.PathLike[str] | None = None,
        fail_after_statement: str | None = None,
    ):
        sql = WarehouseSql(DUCKDB, schema=schema, table=table, history_table=history_table)
        super().__init__(sql, fail_after_statement=fail_after_statement)
        self.database_path = Path(database_path)
        self.lock_timeout_seconds = lock_timeout_seconds
        if memory_limit is not None and not _MEMORY_LIMIT.fullmatch(memory_limit):
            raise ValueError(f"DuckDB memory limit {memory_limit!r} must look like 512MB, 1GB or 1.5GiB.")
        if threads is not None and (not isinstance(threads, int) or threads < 1):
            raise ValueError(f"DuckDB threads must be a whole number of at least 1, got {threads!r}.")
        self.memory_limit = memory_limit
        self.threads = threads
        self.temp_directory = Path(temp_directory) if temp_directory is not None else Path(f"{self.database_path}.tmp")

    def __repr__(self) -> str:
        return f"DuckDBWarehouse({str(self.database_path)!r}, table={self.sql.target})"

    def _connect(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_timeout_seconds
        while True:
            try:
                return duckdb.connect(str(self.database_path))
            except duckdb.Error as error:
                if not _is_lock_conflict(error):
                    raise WarehouseUnavailableError(
                        f"cannot open the DuckDB warehouse file {self.database_path}: {error}. Check that its "
                        "directory exists and is writable (GENESYS_QUALITY_HOME) and that the file is a DuckDB "
                        "database."
                    ) from error
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WarehouseUnavailableError(
                        f"the DuckDB warehouse file {self.database_path} is locked by another process and stayed "
                        f"locked for {self.lock_timeout_seconds:g} s ({error}). Wait for that process (another "
                        "run, a notebook or the DuckDB CLI) to finish or close it, or raise lock_timeout_seconds, "
                        "then retry."
                    ) from error
                time.sleep(min(0.1, remaining))

    @contextlib.contextmanager
    def _session(self) -> Iterator[Session]:
        connection = self._connect()
        try:
            connection.execute("SET TimeZone = 'UTC'")
            # No statement relies on insertion order; without it inserts stream in bounded memory.
            connection.execute("SET preserve_insertion_order = false")
            connection.execute("SET temp_directory = $path", {"path": str(self.temp_directory)})
            if self.memory_limit:
                # Without a limit DuckDB takes up to 80 % of RAM for a big MERGE; with one it spills
                # what it can to the temp directory (a 1M-evaluation month: up to 17 GB otherwise).
                connection.execute(f"SET memory_limit = '{self.memory_limit}'")
            if self.threads:
                connection.execute(f"SET threads = {int(self.threads)}")
            yield _DuckDBSession(connection, self.sql)
        finally:
            connection.close()
