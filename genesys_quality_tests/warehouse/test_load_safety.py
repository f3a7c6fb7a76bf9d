"""A load either applies completely or leaves every table exactly as it was.

Scenarios run on both backends; checks of the arguments, which fail before any SQL runs, run on DuckDB.
"""

from __future__ import annotations

import pandas as pd
import pyarrow
import pytest

from genesys_quality.warehouse import DuckDBWarehouse, InjectedFailureError, ParityError, StagingError, WarehouseSchemaError

from .items import MONTH, OTHER_MONTH, T0, T1, evaluation, items, load

TRANSACTION_STATEMENTS = ["merge", "soft_delete", "close_history", "open_history"]


def snapshot(warehouse) -> tuple[pd.DataFrame, pd.DataFrame]:
    return warehouse.read_table(), warehouse.read_history()


def assert_unchanged(warehouse, before) -> None:
    table, history = snapshot(warehouse)
    pd.testing.assert_frame_equal(table, before[0])
    pd.testing.assert_frame_equal(history, before[1])


def staging_tables(backend) -> set[str]:
    return {name for name in backend.table_names() if "__staging_" in name}


def test_parity_mismatch_raises_naming_both_counts_and_merges_nothing(backend, warehouse):
    load(warehouse, evaluation("e1"), at=T0)
    before = snapshot(warehouse)
    source = items(evaluation("e1", score=10.0), evaluation("e2"))

    with pytest.raises(ParityError, match=r"month 2026-10-01: staged 6 rows but normalized_items has 5"):
        warehouse.load_month(MONTH, [source], expected_rows=5, now=T1)

    assert_unchanged(warehouse, before)
    assert staging_tables(backend) == set()


@pytest.mark.parametrize("statement", TRANSACTION_STATEMENTS)
def test_failure_after_any_statement_rolls_back_table_and_history(backend, statement):
    load(backend.make(), evaluation("e1"), evaluation("e2"), at=T0)
    before = snapshot(backend.make())

    with pytest.raises(InjectedFailureError, match=statement):
        load(backend.make(fail_after_statement=statement), evaluation("e1", score=50.0), evaluation("e3"), at=T1)

    assert_unchanged(backend.make(), before)
    assert staging_tables(backend) == set()


def test_load_after_a_failed_load_applies_the_whole_change(backend):
    load(backend.make(), evaluation("e1"), evaluation("e2"), at=T0)
    change = (evaluation("e1", score=50.0), evaluation("e3"))
    with pytest.raises(InjectedFailureError):
        load(backend.make(fail_after_statement="soft_delete"), *change, at=T1)

    recovered = load(backend.make(), *change, at=T1)

    assert (recovered.updated, recovered.inserted, recovered.soft_deleted, recovered.history_rows_written) == (3, 3, 3, 3)


def test_successful_load_drops_its_month_staging_table(backend, warehouse):
    load(warehouse, evaluation("e1"), at=T0)
    load(warehouse, evaluation("n1", month=OTHER_MONTH), month=OTHER_MONTH, at=T0)

    assert staging_tables(backend) == set()
    assert {"quality_evaluations", "quality_evaluation_score_history"} <= backend.table_names()


def test_batch_without_the_normalized_items_schema_is_rejected(warehouse):
    load(warehouse, evaluation("e1"), at=T0)
    before = snapshot(warehouse)
    source = items(evaluation("e1", score=1.0)).drop_columns(["comments"])

    with pytest.raises(StagingError, match=r"batch 0 for month 2026-10-01 .*missing \['comments'\]"):
        warehouse.load_month(MONTH, [source], expected_rows=3, now=T1)

    assert_unchanged(warehouse, before)


def test_rows_of_another_month_are_rejected(warehouse):
    source = items(evaluation("e1"), evaluation("n1", month=OTHER_MONTH))

    with pytest.raises(StagingError, match="3 staged rows belong to another evaluation_month"):
        warehouse.load_month(MONTH, [source], expected_rows=6, now=T0)

    assert warehouse.read_table().empty


def test_duplicate_keys_are_rejected_naming_an_example(warehouse):
    once = items(evaluation("e1"))

    with pytest.raises(StagingError, match=r"not unique .*\('e1', 'q1'\) x2"):
        warehouse.load_month(MONTH, [pyarrow.concat_tables([once, once])], expected_rows=6, now=T0)

    assert warehouse.read_table().empty


@pytest.mark.parametrize("month", ["2026-10", "2026-10-02", "October", None])
def test_month_that_is_not_a_partition_key_is_rejected_before_connecting(tmp_path, month):
    path = tmp_path / "warehouse.duckdb"
    with pytest.raises(ValueError, match="YYYY-MM-01"):
        DuckDBWarehouse(path).load_month(month, [], expected_rows=0, now=T0)
    assert not path.exists()


def test_naive_load_time_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="timezone-aware"):
        DuckDBWarehouse(tmp_path / "warehouse.duckdb").load_month(MONTH, [], expected_rows=0, now=T0.replace(tzinfo=None))


def test_unknown_failure_hook_statement_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="fail_after_statement must be one of"):
        DuckDBWarehouse(tmp_path / "warehouse.duckdb", fail_after_statement="mergee")


def test_table_created_by_an_older_version_is_reported_with_missing_columns(backend):
    backend.make().ensure_tables()
    backend.raw_sql("ALTER TABLE quality_evaluations DROP COLUMN comments")

    with pytest.raises(WarehouseSchemaError, match=r"lacks columns \['comments'\]"):
        backend.make().ensure_tables()
