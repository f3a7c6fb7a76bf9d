"""Every SQL statement the warehouse runs, generated per dialect from the pandera models.

Column lists, types and the "changed?" predicate come from `transform/schemas.py`; the dialects
differ only in `dialect.py` (types, parameter markers, identifier case, table options). Values are
never spliced into SQL text: they are bound parameters, constants included.

The target table is referred to by its bare quoted name inside MERGE and UPDATE (Snowflake's
UPDATE takes no alias), so the aliases below are reserved and refused as table names.
"""

from __future__ import annotations

from genesys_quality.transform.schemas import (
    BOOKKEEPING_COLUMNS,
    EVALUATION_STATUSES,
    SCORE_CALCULATION_STATUSES,
    WAREHOUSE_KEY,
    NormalizedItems,
    ScoreHistory,
    WarehouseRows,
    column_names,
    logical_types,
    nullable_columns,
)

from .dialect import Dialect
from .errors import InvalidIdentifierError
from .statement import Params, Statement

BUSINESS_COLUMNS = column_names(NormalizedItems)
TARGET_COLUMNS = column_names(WarehouseRows)
HISTORY_COLUMNS = column_names(ScoreHistory)
IS_DELETED, DELETED_AT, CREATED_AT, UPDATED_AT = BOOKKEEPING_COLUMNS
EVALUATION_ID, QUESTION_ID = WAREHOUSE_KEY
FINAL, PENDING = SCORE_CALCULATION_STATUSES
RETRACTED = "RETRACTED"
DELETED = "DELETED"
"""History status of an evaluation whose every row is soft-deleted."""

VALIDITY_COLUMNS = ("valid_from", "valid_to", "is_current")
STATE_COLUMNS = [name for name in HISTORY_COLUMNS if name not in VALIDITY_COLUMNS]
STATE_IDENTITY_COLUMNS = ("evaluation_context_id", "evaluation_version", "evaluation_month")
"""State columns that keep their last value once an evaluation is deleted (scores become NULL)."""
MONTH = "evaluation_month"
STATUS = "status"
SCORE_CALCULATION_STATUS = "score_calculation_status"
OVERALL_SCORE = "overall_score"
TEMPLATE_CONTEXT_ID = "template_context_id"
ROW_HASH = "row_hash"
"""Warehouse-only column: a hash of the compared business columns, so "changed?" is one comparison.

Not part of `WarehouseRows` (readers never see it); NULL means "unknown" and compares as changed."""
HASHED_COLUMNS = [name for name in BUSINESS_COLUMNS if name not in WAREHOUSE_KEY]
RESERVED_ALIASES = ("staged", "state")
"""Aliases used beside the bare target or history table name in MERGE and UPDATE."""


def _require(model_name: str, available: list[str], needed: set[str]) -> None:
    missing = sorted(needed - set(available))
    if missing:
        raise RuntimeError(f"transform/schemas.py {model_name} lacks {missing}, which the warehouse SQL relies on")


_require("EVALUATION_STATUSES", EVALUATION_STATUSES, {RETRACTED})
_require(
    "NormalizedItems",
    BUSINESS_COLUMNS,
    {*WAREHOUSE_KEY, MONTH, STATUS, SCORE_CALCULATION_STATUS, OVERALL_SCORE, TEMPLATE_CONTEXT_ID},
)
_require("ScoreHistory", HISTORY_COLUMNS, {*VALIDITY_COLUMNS, *STATE_IDENTITY_COLUMNS, STATUS, EVALUATION_ID})

TRANSACTION_STATEMENTS = ("merge", "soft_delete", "close_history", "open_history")
"""The writes of one load, in order, all inside one transaction."""


def staging_table_name(table: str, month: str) -> str:
    """`quality_evaluations__staging_202610`: one per month, so two months never collide."""
    return f"{table}__staging_{month[:4]}{month[5:7]}"


class WarehouseSql:
    """The statements for one target table, its history table and their per-month staging tables."""

    def __init__(self, dialect: Dialect, *, schema: str, table: str, history_table: str, database: str | None = None):
        for name in (table, history_table):
            if name.lower() in RESERVED_ALIASES:
                raise InvalidIdentifierError(f"table name {name!r} is reserved as a SQL alias; choose another name.")
        if table.lower() == history_table.lower():
            raise InvalidIdentifierError(f"the table and the history table must differ (both {table!r}).")
        self.dialect = dialect
        self.schema = (f"{dialect.quote(database)}." if database is not None else "") + dialect.quote(schema)
        self.table = table
        self.target = f"{self.schema}.{dialect.quote(table)}"
        self.history = f"{self.schema}.{dialect.quote(history_table)}"
        self._t = dialect.quote(table)
        self._h = dialect.quote(history_table)
        dialect.quote(staging_table_name(table, "2000-01-01"))

    def _c(self, column: str, qualifier: str | None = None) -> str:
        quoted = self.dialect.quote(column)
        return f"{qualifier}.{quoted}" if qualifier else quoted

    def _columns(self, columns: list[str], qualifier: str | None = None) -> str:
        return ", ".join(self._c(column, qualifier) for column in columns)

    def staging(self, month: str) -> str:
        return f"{self.schema}.{self.dialect.quote(staging_table_name(self.table, month))}"

    # --- DDL -------------------------------------------------------------------------------

    def _column_definitions(self, model, extra: dict[str, str] | None = None) -> str:
        """Column DDL of a model, plus nullable `extra` columns (name -> logical type)."""
        nullable = nullable_columns(model) | set(extra or {})
        return ",\n  ".join(
            f"{self._c(name)} {self.dialect.sql_type(kind)}{'' if name in nullable else ' NOT NULL'}"
            for name, kind in {**logical_types(model), **(extra or {})}.items()
        )

    def create_schema(self) -> Statement:
        return Statement("create_schema", f"CREATE SCHEMA IF NOT EXISTS {self.schema}")

    def create_target(self) -> Statement:
        cluster = f"\nCLUSTER BY ({self._c(MONTH)})" if self.dialect.cluster_target_by_month else ""
        columns = self._column_definitions(WarehouseRows, {ROW_HASH: "int"})
        text = f"CREATE TABLE IF NOT EXISTS {self.target} (\n  {columns}\n){cluster}"
        return Statement("create_target", text)

    def add_row_hash(self) -> Statement:
        """Migration of a target table created before `row_hash` existed."""
        text = f"ALTER TABLE {self.target} ADD COLUMN {self._c(ROW_HASH)} {self.dialect.sql_type('int')}"
        return Statement("add_row_hash", text)

    def fill_row_hash(self) -> Statement:
        """Hash the stored rows that have no hash yet, exactly as a load hashes staged rows."""
        text = (
            f"UPDATE {self.target} SET {self._c(ROW_HASH)} = {self._row_hash()}\n"
            f"WHERE {self._c(ROW_HASH)} IS NULL"
        )
        return Statement("fill_row_hash", text)

    def create_history(self) -> Statement:
        text = f"CREATE TABLE IF NOT EXISTS {self.history} (\n  {self._column_definitions(ScoreHistory)}\n)"
        return Statement("create_history", text)

    def create_staging(self, month: str) -> Statement:
        kind = self.dialect.staging_table_kind
        columns = self._column_definitions(NormalizedItems)
        text = f"CREATE OR REPLACE {kind}TABLE {self.staging(month)} (\n  {columns}\n)"
        return Statement("create_staging", text)

    def drop_staging(self, month: str) -> Statement:
        return Statement("drop_staging", f"DROP TABLE IF EXISTS {self.staging(month)}")

    def probe_columns(self, which: str) -> Statement:
        """No rows, only the column names of the target or history table as it exists."""
        table = self.target if which == "target" else self.history
        return Statement("probe_columns", f"SELECT * FROM {table} WHERE 1 = 0")

    # --- staging ---------------------------------------------------------------------------

    def insert_staging_from(self, relation: str, month: str) -> Statement:
        """Append a registered Arrow batch (DuckDB); Arrow carries dates as 'YYYY-MM-01' strings."""
        types = logical_types(NormalizedItems)
        selected = ", ".join(
            f"CAST({self._c(name)} AS {self.dialect.sql_type('date')})" if types[name] == "date" else self._c(name)
            for name in BUSINESS_COLUMNS
        )
        text = (
            f"INSERT INTO {self.staging(month)} ({self._columns(BUSINESS_COLUMNS)})\n"
            f"SELECT {selected} FROM {self.dialect.quote(relation)}"
        )
        return Statement("stage_batch", text)

    def staging_profile(self, month: str) -> Statement:
        p = Params(self.dialect)
        status = self._c(SCORE_CALCULATION_STATUS)
        final, pending = p.const("final", FINAL), p.const("pending", PENDING)
        text = (
            f"SELECT COUNT(*),\n"
            f"  COALESCE(SUM(CASE WHEN {self._c(MONTH)} <> {p.value('month', 'date')} THEN 1 ELSE 0 END), 0),\n"
            f"  COALESCE(SUM(CASE WHEN {status} IN ({final}, {pending}) THEN 0 ELSE 1 END), 0),\n"
            f"  COALESCE(SUM(CASE WHEN {status} = {pending} THEN 1 ELSE 0 END), 0),\n"
            f"  COUNT(DISTINCT CASE WHEN {status} = {pending} THEN {self._c(EVALUATION_ID)} END),\n"
            f"  COUNT(DISTINCT {self.dialect.row_hash([self._c(k) for k in WAREHOUSE_KEY])})\n"
            f"FROM {self.staging(month)}"
        )
        return p.statement("staging_profile", text)

    def duplicate_keys(self, month: str) -> Statement:
        """Examples of repeated keys; run only when the profile counted fewer distinct key hashes than rows."""
        key = self._columns(list(WAREHOUSE_KEY))
        text = (
            f"SELECT {key}, COUNT(*) FROM {self.staging(month)}\n"
            f"GROUP BY {key} HAVING COUNT(*) > 1 ORDER BY {key} LIMIT 5"
        )
        return Statement("duplicate_keys", text)

    # --- the load transaction ----------------------------------------------------------------

    def _key_match(self, left: str, right: str) -> str:
        return " AND ".join(f"{self._c(k, left)} = {self._c(k, right)}" for k in WAREHOUSE_KEY)

    def _row_hash(self, qualifier: str | None = None) -> str:
        return self.dialect.row_hash([self._c(c, qualifier) for c in HASHED_COLUMNS])

    def _changed(self, target: str, source: str) -> str:
        """A matched row needs an update: it was soft-deleted or its business columns' hash differs.

        Equal hashes of different rows (a 2^-63 chance per changed row) would leave that row as it was."""
        return f"{self._c(IS_DELETED, target)} OR {self._c(ROW_HASH, target)} IS DISTINCT FROM {self._c(ROW_HASH, source)}"

    def month_rows(self) -> Statement:
        """The month's rows in the target (the MERGE's inserts are their growth) and how many are live."""
        p = Params(self.dialect)
        text = (
            f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {self._c(IS_DELETED)} THEN 0 ELSE 1 END), 0)\n"
            f"FROM {self.target} WHERE {self._c(MONTH)} = {p.value('month', 'date')}"
        )
        return p.statement("month_rows", text)

    def _fingerprint(self, key_hash: str) -> str:
        return f"COUNT({key_hash}), COALESCE(SUM({key_hash}), 0)"

    def month_fingerprints(self, month: str) -> Statement:
        """(count, sum of hash(key, row_hash)) of the staged final rows and of the live target rows of
        the month outside pending evaluations: equal pairs mean the MERGE and the soft-delete have
        nothing to do (the same sets, up to the 64-bit hash the row comparison already relies on)."""
        p = Params(self.dialect)
        keys = [self._c(k) for k in WAREHOUSE_KEY]
        status, final, pending = self._c(SCORE_CALCULATION_STATUS), p.const("final", FINAL), p.const("pending", PENDING)
        staged = self.dialect.row_hash([*keys, self._row_hash()])
        stored = self.dialect.row_hash([*keys, self._c(ROW_HASH)])
        text = (
            f"SELECT {self._fingerprint(staged)}, 0 AS side FROM {self.staging(month)} WHERE {status} = {final}\n"
            f"UNION ALL\n"
            f"SELECT {self._fingerprint(stored)}, 1 AS side FROM {self.target}\n"
            f"WHERE {self._c(MONTH)} = {p.value('month', 'date')} AND NOT {self._c(IS_DELETED)}\n"
            f"  AND {self._c(EVALUATION_ID)} NOT IN (SELECT {self._c(EVALUATION_ID)} FROM {self.staging(month)}\n"
            f"    WHERE {status} = {pending})\n"
            f"ORDER BY side"
        )
        return p.statement("month_fingerprints", text)

    def merge(self, month: str) -> Statement:
        """Upsert the month's final rows; un-deletes a row that reappears; leaves equal rows alone.

        The row hash is computed here, from the staged columns, so every backend stages the plain
        business columns however it likes."""
        p = Params(self.dialect)
        now = p.value("now", "timestamp")
        updates = [f"{self._c(c)} = {self._c(c, 'staged')}" for c in [*HASHED_COLUMNS, ROW_HASH]]
        updates += [f"{self._c(IS_DELETED)} = FALSE", f"{self._c(DELETED_AT)} = NULL", f"{self._c(UPDATED_AT)} = {now}"]
        values = [self._c(c, "staged") for c in BUSINESS_COLUMNS] + ["FALSE", "NULL", now, now, self._c(ROW_HASH, "staged")]
        text = (
            f"MERGE INTO {self.target}\n"
            f"USING (SELECT *, {self._row_hash()} AS {self._c(ROW_HASH)} FROM {self.staging(month)} "
            f"WHERE {self._c(SCORE_CALCULATION_STATUS)} = {p.const('final', FINAL)}) AS staged\n"
            f"ON {self._key_match(self._t, 'staged')}\n"
            f"WHEN MATCHED AND ({self._changed(self._t, 'staged')}) THEN UPDATE SET\n  "
            + ",\n  ".join(updates)
            + f"\nWHEN NOT MATCHED THEN INSERT ({self._columns([*TARGET_COLUMNS, ROW_HASH])})\n"
            f"  VALUES ({', '.join(values)})"
        )
        return p.statement("merge", text)

    def _vanished(self, p: Params, month: str) -> str:
        """Rows of this month that the source no longer has, unless their evaluation is pending."""
        t, staging = self._t, self.staging(month)
        return (
            f"{self._c(MONTH, t)} = {p.value('month', 'date')}\n"
            f"  AND NOT {self._c(IS_DELETED, t)}\n"
            f"  AND NOT EXISTS (SELECT 1 FROM {staging} AS staged WHERE {self._key_match('staged', t)})\n"
            f"  AND NOT EXISTS (SELECT 1 FROM {staging} AS staged\n"
            f"    WHERE {self._c(EVALUATION_ID, 'staged')} = {self._c(EVALUATION_ID, t)}\n"
            f"    AND {self._c(SCORE_CALCULATION_STATUS, 'staged')} = {p.const('pending', PENDING)})"
        )

    def soft_delete(self, month: str) -> Statement:
        p = Params(self.dialect)
        now = p.value("now", "timestamp")
        text = (
            f"UPDATE {self.target}\n"
            f"SET {self._c(IS_DELETED)} = TRUE, {self._c(DELETED_AT)} = {now}, {self._c(UPDATED_AT)} = {now}\n"
            f"WHERE {self._vanished(p, month)}"
        )
        return p.statement("soft_delete", text)

    def _states(self, p: Params) -> str:
        """One score state per evaluation of the month, read back from the merged target table."""
        live = f"NOT {self._c(IS_DELETED)}"
        selected = []
        for column in STATE_COLUMNS:
            c = self._c(column)
            if column == EVALUATION_ID:
                selected.append(c)
            elif column == STATUS:
                selected.append(
                    f"CASE WHEN COUNT(CASE WHEN {live} THEN 1 END) = 0 THEN {p.const('deleted', DELETED)} "
                    f"ELSE MAX(CASE WHEN {live} THEN {c} END) END AS {c}"
                )
            elif column in STATE_IDENTITY_COLUMNS:
                selected.append(f"COALESCE(MAX(CASE WHEN {live} THEN {c} END), MAX({c})) AS {c}")
            else:
                selected.append(f"MAX(CASE WHEN {live} THEN {c} END) AS {c}")
        return (
            f"SELECT {', '.join(selected)}\n"
            f"  FROM {self.target} WHERE {self._c(MONTH)} = {p.value('month', 'date')}\n"
            f"  GROUP BY {self._c(EVALUATION_ID)}"
        )

    def close_history(self) -> Statement:
        """End the current interval of every evaluation of the month whose state changed."""
        p = Params(self.dialect)
        now = p.value("now", "timestamp")
        h = self._h
        compared = [c for c in STATE_COLUMNS if c != EVALUATION_ID]
        differs = "\n    OR ".join(f"{self._c(c, 'state')} IS DISTINCT FROM {self._c(c, h)}" for c in compared)
        text = (
            f"UPDATE {self.history}\n"
            f"SET {self._c('valid_to')} = {now}, {self._c('is_current')} = FALSE\n"
            f"FROM ({self._states(p)}) AS state\n"
            f"WHERE {self._c(EVALUATION_ID, 'state')} = {self._c(EVALUATION_ID, h)}\n"
            f"  AND {self._c('is_current', h)}\n"
            f"  AND ({differs})"
        )
        return p.statement("close_history", text)

    def _without_current(self) -> str:
        h = self._h
        return (
            f"NOT EXISTS (SELECT 1 FROM {self.history}\n"
            f"  WHERE {self._c(EVALUATION_ID, h)} = {self._c(EVALUATION_ID, 'state')} AND {self._c('is_current', h)})"
        )

    def open_history(self) -> Statement:
        """Start an interval for every evaluation of the month that has no current one."""
        p = Params(self.dialect)
        now = p.value("now", "timestamp")
        text = (
            f"INSERT INTO {self.history} ({self._columns(HISTORY_COLUMNS)})\n"
            f"SELECT {self._columns(STATE_COLUMNS, 'state')}, {now}, NULL, TRUE\n"
            f"FROM ({self._states(p)}) AS state\n"
            f"WHERE {self._without_current()}"
        )
        return p.statement("open_history", text)

    # --- reads -----------------------------------------------------------------------------

    def select_target(self, *, by_month: bool, include_deleted: bool) -> Statement:
        p = Params(self.dialect)
        where = [f"{self._c(MONTH)} = {p.value('month', 'date')}"] if by_month else []
        where += [] if include_deleted else [f"NOT {self._c(IS_DELETED)}"]
        text = (
            f"SELECT {self._columns(TARGET_COLUMNS)} FROM {self.target}"
            + (f"\nWHERE {' AND '.join(where)}" if where else "")
            + f"\nORDER BY {self._columns([MONTH, EVALUATION_ID, QUESTION_ID])}"
        )
        return p.statement("select_target", text)

    def select_history(self, *, by_context: bool) -> Statement:
        p = Params(self.dialect)
        context = self._c("evaluation_context_id")
        where = f"\nWHERE {context} = {p.value('evaluation_context_id')}" if by_context else ""
        text = (
            f"SELECT {self._columns(HISTORY_COLUMNS)} FROM {self.history}{where}\n"
            f"ORDER BY {self._columns(['evaluation_context_id', EVALUATION_ID, 'valid_from'])}"
        )
        return p.statement("select_history", text)

    def month_summary(self) -> Statement:
        """Per month: live rows, evaluations and their mean score (one score per evaluation)."""
        p = Params(self.dialect)
        month, evaluation, score = self._c(MONTH), self._c(EVALUATION_ID), self._c(OVERALL_SCORE)
        rows, evaluations, average = (self._c(n) for n in ("rows", "evaluations", "avg_overall_score"))
        text = (
            f"SELECT {month}, SUM(item_rows) AS {rows}, COUNT(*) AS {evaluations}, AVG({score}) AS {average}\n"
            f"FROM (SELECT {month}, {evaluation}, COUNT(*) AS item_rows, MAX({score}) AS {score}\n"
            f"  FROM {self.target}\n"
            f"  WHERE NOT {self._c(IS_DELETED)} AND {self._c(STATUS)} <> {p.const('retracted', RETRACTED)}\n"
            f"  GROUP BY {month}, {evaluation}) AS per_evaluation\n"
            f"GROUP BY {month} ORDER BY {month}"
        )
        return p.statement("month_summary", text)

    def months_using_form_context(self, month_count: int | None) -> Statement:
        """Months with live rows scored on any version of one form (`month_count` months to filter on)."""
        p = Params(self.dialect)
        month = self._c(MONTH)
        where = [f"{self._c(TEMPLATE_CONTEXT_ID)} = {p.value('context_id')}", f"NOT {self._c(IS_DELETED)}"]
        if month_count is not None:
            markers = ", ".join(p.value(f"month_{i}", "date") for i in range(month_count))
            where.append(f"{month} IN ({markers})")
        text = f"SELECT DISTINCT {month} FROM {self.target}\nWHERE {' AND '.join(where)}\nORDER BY {month}"
        return p.statement("months_using_form_context", text)

    def evaluation_totals(self) -> Statement:
        p = Params(self.dialect)
        evaluation = self._c(EVALUATION_ID)
        totals = [self._c(c) for c in ("evaluation_context_id", "conversation_id", STATUS, OVERALL_SCORE, "critical_score")]
        text = (
            f"SELECT {evaluation}, " + ", ".join(f"MAX({c}) AS {c}" for c in totals) + "\n"
            f"FROM {self.target}\n"
            f"WHERE {self._c(MONTH)} = {p.value('month', 'date')} AND NOT {self._c(IS_DELETED)}\n"
            f"GROUP BY {evaluation} ORDER BY {evaluation}"
        )
        return p.statement("evaluation_totals", text)

    def load_statements(self, month: str) -> list[Statement]:
        """Every statement a load runs, for inspection (tests parse them; docs show them)."""
        return [
            self.create_target(),
            self.create_history(),
            self.create_staging(month),
            self.staging_profile(month),
            self.duplicate_keys(month),
            self.month_fingerprints(month),
            self.month_rows(),
            self.merge(month),
            self.soft_delete(month),
            self.close_history(),
            self.open_history(),
            self.drop_staging(month),
        ]

    def read_statements(self) -> list[Statement]:
        return [
            self.probe_columns("target"),
            self.probe_columns("history"),
            self.select_target(by_month=True, include_deleted=False),
            self.select_history(by_context=True),
            self.month_summary(),
            self.months_using_form_context(2),
            self.evaluation_totals(),
        ]
