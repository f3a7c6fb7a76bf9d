"""Production backend: Snowflake through the official connector (docs/snowflake.md).

Staging goes through `write_pandas` (a temporary stage + COPY), one call per Arrow batch; the
load itself is explicit BEGIN … COMMIT. Identifiers are upper-cased before quoting, which is what
Snowflake does with unquoted names, so users can query `quality_evaluations` without quotes.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, Mapping

import pyarrow

from genesys_quality.transform.schemas import NormalizedItems, logical_types, to_pandas

from .base import Session, Warehouse
from .dialect import SNOWFLAKE
from .errors import StagingError, WarehouseUnavailableError
from .sql import WarehouseSql, staging_table_name
from .statement import Statement


def _staging_frame(batch: pyarrow.Table):
    """The batch as the DataFrame `write_pandas` uploads: DATE columns as dates, names upper-cased."""
    types = logical_types(NormalizedItems)
    columns = [
        batch.column(name).cast(pyarrow.date32()) if types[name] == "date" else batch.column(name)
        for name in batch.column_names
    ]
    frame = to_pandas(pyarrow.table(columns, names=batch.column_names))
    frame.columns = [SNOWFLAKE.fold_identifier(name) for name in frame.columns]
    return frame


def _arrow_from_pandas(frame, description) -> pyarrow.Table:
    names = [column[0] for column in description]
    if frame is None or list(frame.columns) != names:
        return pyarrow.table({name: pyarrow.array([], pyarrow.null()) for name in names})
    return pyarrow.table({name: pyarrow.array(frame[name], from_pandas=True) for name in names})


def _rows_written(cursor) -> int:
    """Snowflake answers a DML statement with one row of counts ('number of rows inserted', '… updated')."""
    names = [column[0] for column in cursor.description or []]
    counted = [i for i, name in enumerate(names) if str(name).lower().startswith("number of rows ")]
    if not counted:
        return 0
    row = cursor.fetchone()
    return sum(int(row[i] or 0) for i in counted) if row else 0


class _SnowflakeSession:
    def __init__(self, connection: Any, warehouse: "SnowflakeWarehouse"):
        self._connection = connection
        self._warehouse = warehouse

    @contextlib.contextmanager
    def _cursor(self, statement: Statement, values: Mapping[str, object]):
        cursor = self._connection.cursor()
        try:
            cursor.execute(statement.text, statement.bind(values) or None)
            yield cursor
        finally:
            cursor.close()

    def execute(self, statement: Statement, values: Mapping[str, object] = {}) -> int:
        with self._cursor(statement, values) as cursor:
            return _rows_written(cursor)

    def fetch_rows(self, statement: Statement, values: Mapping[str, object] = {}) -> list[tuple]:
        with self._cursor(statement, values) as cursor:
            return cursor.fetchall()

    def fetch_arrow(self, statement: Statement, values: Mapping[str, object] = {}) -> pyarrow.Table:
        with self._cursor(statement, values) as cursor:
            return _arrow_from_pandas(cursor.fetch_pandas_all(), cursor.description)

    def column_names(self, statement: Statement) -> list[str]:
        with self._cursor(statement, {}) as cursor:
            return [column[0] for column in cursor.description]

    def stage(self, batches: Iterator[pyarrow.Table], month: str) -> None:
        for batch in batches:
            self._stage_batch(batch, month)

    def _stage_batch(self, batch: pyarrow.Table, month: str) -> None:
        from snowflake.connector.pandas_tools import write_pandas

        fold = SNOWFLAKE.fold_identifier
        warehouse = self._warehouse
        success, _, rows, _ = write_pandas(
            self._connection,
            _staging_frame(batch),
            table_name=fold(staging_table_name(warehouse.table, month)),
            database=fold(warehouse.database) if warehouse.database is not None else None,
            schema=fold(warehouse.schema),
            quote_identifiers=True,
            auto_create_table=False,
            use_logical_type=True,
        )
        if not success or rows != batch.num_rows:
            raise StagingError(
                f"write_pandas staged {rows} of {batch.num_rows} rows for month {month}; nothing was merged."
            )

    def begin(self) -> None:
        self._run("BEGIN")

    def commit(self) -> None:
        self._run("COMMIT")

    def rollback(self) -> None:
        self._run("ROLLBACK")

    def _run(self, command: str) -> None:
        cursor = self._connection.cursor()
        try:
            cursor.execute(command)
        finally:
            cursor.close()


class SnowflakeWarehouse(Warehouse):
    """`quality_evaluations` in Snowflake; `connect` returns a new `snowflake.connector` connection."""

    def __init__(
        self,
        connect: Callable[[], Any],
        database: str | None,
        schema: str,
        table: str = "quality_evaluations",
        *,
        history_table: str = "quality_evaluation_score_history",
        fail_after_statement: str | None = None,
    ):
        sql = WarehouseSql(SNOWFLAKE, database=database, schema=schema, table=table, history_table=history_table)
        super().__init__(sql, fail_after_statement=fail_after_statement)
        self._connect = connect
        self.database, self.schema, self.table = database, schema, table

    def __repr__(self) -> str:
        return f"SnowflakeWarehouse(table={self.sql.target})"

    @contextlib.contextmanager
    def _session(self) -> Iterator[Session]:
        from snowflake.connector.errors import Error as SnowflakeError

        try:
            connection = self._connect()
        except SnowflakeError as error:
            raise WarehouseUnavailableError(
                f"could not connect to Snowflake for {self.sql.target}: {error}. Check the SNOWFLAKE_* settings "
                "and that the role may use the warehouse (docs/snowflake.md)."
            ) from error
        try:
            yield _SnowflakeSession(connection, self)
        finally:
            connection.close()
