"""The generated SQL: derived from the models, parseable, and closed to injected identifiers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from genesys_quality.transform.schemas import WarehouseRows, logical_types
from genesys_quality.warehouse import DuckDBWarehouse, InvalidIdentifierError, SnowflakeWarehouse
from genesys_quality.warehouse.dialect import DUCKDB, SNOWFLAKE
from genesys_quality.warehouse.sql import WarehouseSql

DOC = Path(__file__).resolve().parents[2] / "docs" / "snowflake.md"
HOSTILE = ["x; DROP TABLE y", 'a"b', "", "1abc", "a b", "quality-evaluations", "x" * 129, "t--", "é"]


def generator(dialect, **names) -> WarehouseSql:
    names = {"schema": "quality", "table": "quality_evaluations", "history_table": "quality_evaluation_score_history", **names}
    return WarehouseSql(dialect, **names)


def all_statements(sql: WarehouseSql):
    return [*sql.load_statements("2026-10-01"), *sql.read_statements()]


def with_sample_values(text: str, dialect) -> str:
    """Fill parameter markers with literals the way a driver would, so a parser can read the text."""
    if dialect is SNOWFLAKE:
        return re.sub(r"%\((\w+)\)s", "'2026-10-01'", text)
    return re.sub(r"\$(\w+)", "'2026-10-01'", text)


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("setting", ["schema", "table"])
def test_hostile_duckdb_identifiers_are_rejected_before_connecting(tmp_path, setting, value):
    path = tmp_path / "warehouse.duckdb"

    with pytest.raises(InvalidIdentifierError, match="not a valid DuckDB identifier"):
        DuckDBWarehouse(path, **{setting: value})

    assert not path.exists()


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("setting", ["database", "schema", "table"])
def test_hostile_snowflake_identifiers_are_rejected_before_connecting(setting, value):
    def connect():
        raise AssertionError("must not connect")

    names = {"database": "ANALYTICS", "schema": "GENESYS_QUALITY", setting: value}
    with pytest.raises(InvalidIdentifierError, match="not a valid Snowflake identifier"):
        SnowflakeWarehouse(connect, **names)


@pytest.mark.parametrize("table", ["staged", "STATE"])
def test_table_names_reserved_as_sql_aliases_are_rejected(tmp_path, table):
    with pytest.raises(InvalidIdentifierError, match="reserved"):
        DuckDBWarehouse(tmp_path / "w.duckdb", table=table)


def test_history_table_must_differ_from_the_table(tmp_path):
    with pytest.raises(InvalidIdentifierError, match="must differ"):
        DuckDBWarehouse(tmp_path / "w.duckdb", table="scores", history_table="SCORES")


def test_every_generated_snowflake_statement_parses_as_snowflake_sql():
    sql = generator(SNOWFLAKE, database="ANALYTICS")
    parsed = {s.name: sqlglot.parse_one(with_sample_values(s.text, SNOWFLAKE), read="snowflake") for s in all_statements(sql)}

    assert isinstance(parsed["merge"], exp.Merge)
    assert isinstance(parsed["soft_delete"], exp.Update) and parsed["soft_delete"].find(exp.Exists)
    assert isinstance(parsed["open_history"], exp.Insert)
    assert all('"ANALYTICS"."QUALITY"' in s.text for s in all_statements(sql) if "FROM" in s.text or "INTO" in s.text)


def test_every_generated_duckdb_statement_parses_as_duckdb_sql():
    sql = generator(DUCKDB)
    for statement in [*all_statements(sql), sql.insert_staging_from("batch", "2026-10-01")]:
        sqlglot.parse_one(with_sample_values(statement.text, DUCKDB), read="duckdb")


def test_column_types_come_from_the_models_per_dialect():
    for dialect in (DUCKDB, SNOWFLAKE):
        ddl = generator(dialect).create_target().text
        for column, logical_type in logical_types(WarehouseRows).items():
            name = dialect.fold_identifier(column)
            assert re.search(rf'"{name}" {re.escape(dialect.sql_type(logical_type))}[ ,\n]', ddl), (dialect.name, column)
    assert '"EVALUATION_MONTH" DATE NOT NULL' in generator(SNOWFLAKE).create_target().text
    assert '"created_at" TIMESTAMPTZ NOT NULL' in generator(DUCKDB).create_target().text


def test_only_snowflake_clusters_the_target_by_month_and_stages_in_transient_tables():
    assert generator(SNOWFLAKE).create_target().text.endswith('CLUSTER BY ("EVALUATION_MONTH")')
    assert "CLUSTER BY" not in generator(DUCKDB).create_target().text
    assert "TRANSIENT TABLE" in generator(SNOWFLAKE).create_staging("2026-10-01").text
    assert "TRANSIENT" not in generator(DUCKDB).create_staging("2026-10-01").text


def test_staging_tables_are_named_per_month():
    sql = generator(DUCKDB)
    assert sql.staging("2026-10-01") == '"quality"."quality_evaluations__staging_202610"'
    assert sql.staging("2026-10-01") != sql.staging("2026-11-01")


def test_values_are_parameters_and_the_load_time_is_not_a_sql_function():
    for dialect in (DUCKDB, SNOWFLAKE):
        for statement in all_statements(generator(dialect)):
            assert "CURRENT_TIMESTAMP" not in statement.text.upper()
            assert "'" not in statement.text, f"{statement.name} has a literal in its SQL text"
        merge = generator(dialect).merge("2026-10-01")
        assert merge.runtime_params == ("now",) and merge.constants == {"final": "final"}


def test_snowflake_doc_shows_the_ddl_the_pipeline_generates():
    sql = generator(SNOWFLAKE, database="ANALYTICS", schema="GENESYS_QUALITY")
    doc = DOC.read_text()
    for statement in (sql.create_target(), sql.create_history(), sql.create_staging("2026-10-01")):
        assert statement.text + ";" in doc, f"docs/snowflake.md is out of date for {statement.name}"
