"""The load algorithm every backend shares: stage, check parity, one transaction, report.

A backend only supplies a `Session` (how to run a statement, stage an Arrow batch and demarcate a
transaction); the order of statements and what they mean live here and in `sql.py`.
"""

from __future__ import annotations

import contextlib
import re
import time
from abc import ABC, abstractmethod
from datetime import datetime, timezone
from typing import ContextManager, Iterable, Iterator, Mapping, Protocol

import pandas as pd
import pyarrow

from genesys_quality.transform.schemas import (
    MONTH_PATTERN,
    NormalizedItems,
    ScoreHistory,
    WarehouseRows,
    arrow_schema,
    column_names,
    logical_types,
)

from .errors import InjectedFailureError, ParityError, RollbackFailedError, StagingError, WarehouseSchemaError
from .frames import typed_frame
from .result import LoadResult
from .sql import ROW_HASH, TRANSACTION_STATEMENTS, WarehouseSql
from .statement import Statement


class Session(Protocol):
    """One open connection to a backend."""

    def execute(self, statement: Statement, values: Mapping[str, object] = ...) -> int:
        """Run a statement; returns the rows an INSERT, UPDATE or MERGE wrote (its own result), else 0."""
    def fetch_rows(self, statement: Statement, values: Mapping[str, object] = ...) -> list[tuple]: ...
    def fetch_arrow(self, statement: Statement, values: Mapping[str, object] = ...) -> pyarrow.Table: ...
    def column_names(self, statement: Statement) -> list[str]: ...
    def stage(self, batches: Iterator[pyarrow.Table], month: str) -> None:
        """Append every batch to the month's staging table, by the backend's fastest means."""
    def begin(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


def validate_month(month: str) -> str:
    if not isinstance(month, str) or not re.match(MONTH_PATTERN, month):
        raise ValueError(f"month must be a partition key 'YYYY-MM-01', got {month!r}.")
    return month


def _load_time(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ValueError(f"now must be timezone-aware (UTC), got naive {now.isoformat()}.")
    return now.astimezone(timezone.utc)


def _check_batch_schema(batch: pyarrow.Table, index: int, month: str) -> None:
    expected = {field.name: field.type for field in arrow_schema(NormalizedItems)}
    actual = {field.name: field.type for field in batch.schema}
    if list(actual.items()) == list(expected.items()):
        return
    wrong_types = {
        name: f"{kind} (expected {expected[name]})" for name, kind in actual.items() if expected.get(name, kind) != kind
    }
    order = ", columns out of order" if actual == expected else ""
    raise StagingError(
        f"batch {index} for month {month} does not have the normalized_items Arrow schema: "
        f"missing {sorted(expected.keys() - actual.keys())}, unexpected {sorted(actual.keys() - expected.keys())}, "
        f"wrong types {wrong_types}{order}. Build batches with schemas.arrow_schema(NormalizedItems)."
    )


class Warehouse(ABC):
    """`quality_evaluations` and its score history in one backend (DESIGN.md §6)."""

    creates_schema: bool = False

    def __init__(self, sql: WarehouseSql, *, fail_after_statement: str | None = None):
        if fail_after_statement is not None and fail_after_statement not in TRANSACTION_STATEMENTS:
            raise ValueError(
                f"fail_after_statement must be one of {TRANSACTION_STATEMENTS}, got {fail_after_statement!r}."
            )
        self.sql = sql
        self._fail_after_statement = fail_after_statement
        self._tables_ready = False

    @abstractmethod
    def _session(self) -> ContextManager[Session]:
        """Open a connection for one operation and close it afterwards."""

    # --- tables ----------------------------------------------------------------------------

    def ensure_tables(self) -> None:
        """Create the target and history tables if missing and check that they have every column."""
        with self._session() as session:
            self._ensure(session, force=True)

    def _ensure(self, session: Session, force: bool = False) -> None:
        if self._tables_ready and not force:
            return
        if self.creates_schema:
            session.execute(self.sql.create_schema())
        session.execute(self.sql.create_target())
        session.execute(self.sql.create_history())
        tables = (("target", self.sql.target, WarehouseRows), ("history", self.sql.history, ScoreHistory))
        for which, table, model in tables:
            present = {name.lower() for name in session.column_names(self.sql.probe_columns(which))}
            missing = [name for name in column_names(model) if name not in present]
            if which == "target" and not missing and ROW_HASH not in present:
                self._add_row_hash(session)
            if missing:
                raise WarehouseSchemaError(
                    f"table {table} exists but lacks columns {missing} (created by an older version). "
                    "Add them with ALTER TABLE … ADD COLUMN (types: transform/schemas.py; DDL: docs/snowflake.md), "
                    "or rename the old table so the pipeline creates a new one."
                )
        self._tables_ready = True

    def _add_row_hash(self, session: Session) -> None:
        """Migrate a target table from before `row_hash`: add the column and hash the stored rows.

        The hash is the one a load computes, so rows that did not change stay unchanged on the next
        load. Should the fill not complete, NULL hashes compare as changed: that load rewrites them."""
        session.begin()
        try:
            session.execute(self.sql.add_row_hash())
            session.execute(self.sql.fill_row_hash())
            session.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                session.rollback()
            raise

    # --- loading ---------------------------------------------------------------------------

    def load_month(
        self,
        month: str,
        batches: Iterable[pyarrow.Table | pyarrow.RecordBatch],
        expected_rows: int,
        now: datetime | None = None,
    ) -> LoadResult:
        """Stage one month of `normalized_items`, check it, and MERGE it in one transaction."""
        month, now, started = validate_month(month), _load_time(now), time.perf_counter()
        with self._session() as session:
            self._ensure(session)
            session.execute(self.sql.create_staging(month))
            try:
                self._stage(session, month, batches)
                staged, deferred_rows, deferred_evaluations = self._check_staging(session, month, expected_rows)
                counts = self._merge(session, month, now, staged - deferred_rows)
            except RollbackFailedError:
                raise
            except BaseException:
                with contextlib.suppress(Exception):
                    session.execute(self.sql.drop_staging(month))
                raise
            session.execute(self.sql.drop_staging(month))
        return LoadResult(
            month=month,
            staged=staged,
            deferred_rows=deferred_rows,
            deferred_evaluations=deferred_evaluations,
            seconds=round(time.perf_counter() - started, 3),
            **counts,
        )

    def _stage(self, session: Session, month: str, batches: Iterable[pyarrow.Table | pyarrow.RecordBatch]) -> None:
        refused: list[BaseException] = []

        def checked() -> Iterator[pyarrow.Table]:
            # A backend may consume the batches inside its own code (DuckDB reads them as one
            # stream); the first wrong batch ends the stream and is re-raised as itself below.
            try:
                for index, batch in enumerate(batches):
                    if isinstance(batch, pyarrow.RecordBatch):
                        batch = pyarrow.Table.from_batches([batch])
                    _check_batch_schema(batch, index, month)
                    if batch.num_rows:
                        yield batch
            except Exception as error:
                refused.append(error)
                raise

        try:
            session.stage(checked(), month)
        except Exception:
            if refused:
                raise refused[0] from None
            raise
        if refused:
            raise refused[0]

    def _check_staging(self, session: Session, month: str, expected_rows: int) -> tuple[int, int, int]:
        values = {"month": month}
        staged, other_month, unknown_status, deferred_rows, deferred_evaluations, distinct_key_hashes = (
            int(v) for v in session.fetch_rows(self.sql.staging_profile(month), values)[0]
        )
        if staged != expected_rows:
            raise ParityError(
                f"row-count parity failed for month {month}: staged {staged} rows but normalized_items has "
                f"{expected_rows}; nothing was merged. Re-materialize normalized_items for {month} and retry."
            )
        if other_month or unknown_status:
            raise StagingError(
                f"month {month}: {other_month} staged rows belong to another evaluation_month and {unknown_status} "
                "have a score_calculation_status other than 'final'/'pending'; nothing was merged. "
                "Check the normalized_items partition."
            )
        # As many distinct key hashes as rows proves the keys unique; fewer is a duplicate or a
        # hash collision, which the exact (and costlier) grouping tells apart.
        duplicates = session.fetch_rows(self.sql.duplicate_keys(month)) if distinct_key_hashes < staged else []
        if duplicates:
            examples = ", ".join(f"({e!r}, {q!r}) x{int(n)}" for e, q, n in duplicates)
            raise StagingError(
                f"month {month}: (evaluation_id, question_id) is not unique in the staged rows, e.g. {examples}; "
                "nothing was merged. normalized_items must have one row per evaluation and question."
            )
        return staged, deferred_rows, deferred_evaluations

    def _merge(self, session: Session, month: str, now: datetime, final_rows: int) -> dict[str, int]:
        """The load transaction; the counts come from the statements' own results.

        The MERGE reports rows written (inserted + updated); its inserts are the growth of the
        month's row count, which costs a scan of one column instead of a join."""
        sql, values = self.sql, {"month": month, "now": now}
        session.begin()
        try:
            staged_print, stored_print = (tuple(int(v) for v in row[:2]) for row in
                                          session.fetch_rows(sql.month_fingerprints(month), values))
            # The month's live rows already are the staged rows (an unchanged re-run): the MERGE's
            # join of every staged row with the target, and the anti-join of the soft-delete, are skipped.
            unchanged_month = staged_print == stored_print
            before = int(session.fetch_rows(sql.month_rows(), values)[0][0])
            merged = self._write(session, sql.merge(month), values, skip=unchanged_month)
            after, live = (int(v) for v in session.fetch_rows(sql.month_rows(), values)[0])
            inserted, updated = after - before, merged - (after - before)
            # Every final staged row is live after the MERGE; as many live rows as final rows means
            # there is no other live row, so nothing can have vanished: the anti-join is skipped.
            nothing_vanished = unchanged_month or live == final_rows
            soft_deleted = self._write(session, sql.soft_delete(month), values, skip=nothing_vanished)
            self._write(session, sql.close_history(), values)
            history_rows = self._write(session, sql.open_history(), values)
            session.commit()
        except BaseException as error:
            try:
                session.rollback()
            except Exception as rollback_error:
                raise RollbackFailedError(
                    f"loading month {month} failed ({error!r}) and its ROLLBACK failed too ({rollback_error!r}). "
                    "The connection is closed without further statements, which discards the open transaction; "
                    "re-run the month once the warehouse is reachable."
                ) from error
            raise
        return {
            "inserted": inserted,
            "updated": updated,
            "unchanged": final_rows - inserted - updated,
            "soft_deleted": soft_deleted,
            "history_rows_written": history_rows,
        }

    def _write(self, session: Session, statement: Statement, values: Mapping[str, object], skip: bool = False) -> int:
        written = 0 if skip else session.execute(statement, values)
        if statement.name == self._fail_after_statement:
            raise InjectedFailureError(f"injected failure after statement {statement.name!r} (test hook)")
        return written

    # --- reading ---------------------------------------------------------------------------

    def _read(self, statement: Statement, values: Mapping[str, object] | None = None) -> pyarrow.Table:
        with self._session() as session:
            self._ensure(session)
            return session.fetch_arrow(statement, values or {})

    def read_table(self, month: str | None = None, include_deleted: bool = True) -> pd.DataFrame:
        """The warehouse rows (all months, or one), typed like `WarehouseRows`."""
        statement = self.sql.select_target(by_month=month is not None, include_deleted=include_deleted)
        table = self._read(statement, {"month": validate_month(month)} if month is not None else None)
        return typed_frame(table, logical_types(WarehouseRows))

    def read_history(self, evaluation_context_id: str | None = None) -> pd.DataFrame:
        """Score history intervals, typed like `ScoreHistory`, ordered by evaluation and time."""
        by_context = evaluation_context_id is not None
        statement = self.sql.select_history(by_context=by_context)
        table = self._read(statement, {"evaluation_context_id": evaluation_context_id} if by_context else None)
        return typed_frame(table, logical_types(ScoreHistory))

    def month_summary(self) -> pd.DataFrame:
        """Per month: live (non-deleted, non-retracted) rows, evaluations, mean overall score per evaluation."""
        table = self._read(self.sql.month_summary())
        return typed_frame(
            table, {"evaluation_month": "date", "rows": "int", "evaluations": "int", "avg_overall_score": "float"}
        )

    def months_using_form_context(self, context_id: str, months: list[str] | None = None) -> list[str]:
        """Months holding live rows scored on any version of the form `context_id` (optionally among `months`)."""
        if months is not None and not months:
            return []
        values: dict[str, object] = {"context_id": context_id}
        values.update({f"month_{i}": validate_month(m) for i, m in enumerate(months or [])})
        statement = self.sql.months_using_form_context(len(months) if months is not None else None)
        frame = typed_frame(self._read(statement, values), {"evaluation_month": "date"})
        return frame["evaluation_month"].tolist()

    def evaluation_totals(self, month: str) -> pd.DataFrame:
        """Per live evaluation of a month: status and scores, to reconcile against Genesys."""
        table = self._read(self.sql.evaluation_totals(), {"month": validate_month(month)})
        types = logical_types(WarehouseRows)
        columns = ("evaluation_id", "evaluation_context_id", "conversation_id", "status", "overall_score", "critical_score")
        return typed_frame(table, {name: types[name] for name in columns})
