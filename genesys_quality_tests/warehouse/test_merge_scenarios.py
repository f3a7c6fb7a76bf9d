"""MERGE semantics of DESIGN.md §6, on DuckDB (a real file) and Snowflake (the fakesnow emulator, see conftest)."""

from __future__ import annotations

import pandas as pd
import pyarrow

from genesys_quality.transform.schemas import NormalizedItems, WarehouseRows, column_names, to_pandas

from .items import MONTH, OTHER_MONTH, T0, T1, T2, counts, evaluation, items, load

BUSINESS = column_names(NormalizedItems)
NOTHING = dict(inserted=0, updated=0, unchanged=0, soft_deleted=0, deferred_rows=0, deferred_evaluations=0)


def rows_of(frame: pd.DataFrame, evaluation_id: str) -> pd.DataFrame:
    return frame[frame["evaluation_id"] == evaluation_id]


def test_synthetic_items_are_valid_normalized_items():
    table = items(
        evaluation("e1"),
        evaluation("e0", questions=()),
        evaluation("p1", status="INREVIEW"),
        evaluation("p2", ai_pending=True),
        evaluation("r1", status="RETRACTED", month=OTHER_MONTH),
    )
    NormalizedItems.validate(to_pandas(table), lazy=True)


def test_first_load_inserts_every_final_row_exactly_as_given(warehouse):
    source = items(evaluation("e1"), evaluation("e2", questions=("q1", "q2"), score=None))

    result = warehouse.load_month(MONTH, [source], expected_rows=5, now=T0)

    assert counts(result) == {**NOTHING, "staged": 5, "inserted": 5, "history_rows_written": 2}
    table = warehouse.read_table()
    WarehouseRows.validate(table)
    expected = to_pandas(source).sort_values(["evaluation_id", "question_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(table[BUSINESS].reset_index(drop=True), expected)
    assert (table["created_at"] == T0).all() and (table["updated_at"] == T0).all()
    assert not table["is_deleted"].any() and table["deleted_at"].isna().all()


def test_rerunning_an_unchanged_month_touches_nothing(warehouse):
    load(warehouse, evaluation("e1"), evaluation("e2"), at=T0)
    before, history_before = warehouse.read_table(), warehouse.read_history()

    result = load(warehouse, evaluation("e1"), evaluation("e2"), at=T1)

    assert counts(result) == {**NOTHING, "staged": 6, "unchanged": 6, "history_rows_written": 0}
    pd.testing.assert_frame_equal(warehouse.read_table(), before)
    pd.testing.assert_frame_equal(warehouse.read_history(), history_before)


def test_changed_score_updates_only_that_evaluations_rows_and_keeps_created_at(warehouse):
    load(warehouse, evaluation("e1"), evaluation("e2"), at=T0)

    result = load(warehouse, evaluation("e1", score=65.5), evaluation("e2"), at=T1)

    assert (result.updated, result.unchanged, result.inserted) == (3, 3, 0)
    table = warehouse.read_table()
    changed, untouched = rows_of(table, "e1"), rows_of(table, "e2")
    assert (changed["overall_score"] == 65.5).all()
    assert (changed["created_at"] == T0).all() and (changed["updated_at"] == T1).all()
    assert (untouched["updated_at"] == T0).all()


def test_rescore_inserts_new_version_and_updates_old_version_to_retracted(warehouse):
    load(warehouse, evaluation("e1", context_id="c1"), at=T0)

    result = load(
        warehouse,
        evaluation("e1", context_id="c1", status="RETRACTED"),
        evaluation("e1-v2", context_id="c1", version=2, score=90.0),
        at=T1,
    )

    assert (result.inserted, result.updated, result.soft_deleted) == (3, 3, 0)
    table = warehouse.read_table()
    old, new = rows_of(table, "e1"), rows_of(table, "e1-v2")
    assert (old["status"] == "RETRACTED").all() and not old["is_deleted"].any()
    assert (old["overall_score"] == 80.0).all() and (old["created_at"] == T0).all()
    assert (new["overall_score"] == 90.0).all() and (new["evaluation_context_id"] == "c1").all()


def test_evaluation_deleted_from_source_is_soft_deleted(warehouse):
    load(warehouse, evaluation("e1"), evaluation("e2"), at=T0)

    result = load(warehouse, evaluation("e2"), at=T1)

    assert (result.soft_deleted, result.unchanged) == (3, 3)
    table = warehouse.read_table()
    gone = rows_of(table, "e1")
    assert gone["is_deleted"].all() and (gone["deleted_at"] == T1).all()
    assert (gone["overall_score"] == 80.0).all(), "a soft-deleted row keeps its last values"
    assert (rows_of(table, "e2")["updated_at"] == T0).all()
    assert set(warehouse.read_table(include_deleted=False)["evaluation_id"]) == {"e2"}


def test_question_removed_on_in_place_edit_soft_deletes_only_that_row(warehouse):
    load(warehouse, evaluation("e1", questions=("q1", "q2", "q3")), at=T0)

    result = load(warehouse, evaluation("e1", questions=("q1", "q2")), at=T1)

    assert (result.soft_deleted, result.unchanged, result.updated) == (1, 2, 0)
    table = warehouse.read_table().set_index("question_id")
    assert table["is_deleted"].to_dict() == {"q1": False, "q2": False, "q3": True}


def test_reappearing_row_is_undeleted_and_keeps_created_at(warehouse):
    load(warehouse, evaluation("e1", questions=("q1", "q2", "q3")), at=T0)
    load(warehouse, evaluation("e1", questions=("q1", "q2")), at=T1)

    result = load(warehouse, evaluation("e1", questions=("q1", "q2", "q3")), at=T2)

    assert (result.updated, result.unchanged, result.inserted) == (1, 2, 0)
    q3 = warehouse.read_table().set_index("question_id").loc["q3"]
    assert not q3["is_deleted"] and pd.isna(q3["deleted_at"])
    assert (q3["created_at"], q3["updated_at"]) == (T0, T2)


def test_loading_one_month_never_touches_another(warehouse):
    load(warehouse, evaluation("e1"), at=T0)
    load(warehouse, evaluation("n1", month=OTHER_MONTH), month=OTHER_MONTH, at=T0)
    november_before = warehouse.read_table(month=OTHER_MONTH)

    empty = items()
    result = warehouse.load_month(MONTH, [empty], expected_rows=0, now=T1)

    assert (result.staged, result.soft_deleted) == (0, 3)
    assert warehouse.read_table(month=MONTH)["is_deleted"].all()
    pd.testing.assert_frame_equal(warehouse.read_table(month=OTHER_MONTH), november_before)
    assert not november_before["is_deleted"].any()


def test_new_pending_evaluations_are_deferred_not_inserted(warehouse):
    result = load(
        warehouse,
        evaluation("e1"),
        evaluation("p1", status="PENDING"),
        evaluation("p2", status="FINISHED", ai_pending=True),
        at=T0,
    )

    assert counts(result) == {
        **NOTHING, "staged": 9, "inserted": 3, "deferred_rows": 6, "deferred_evaluations": 2, "history_rows_written": 1
    }
    assert set(warehouse.read_table()["evaluation_id"]) == {"e1"}
    assert set(warehouse.read_history()["evaluation_id"]) == {"e1"}


def test_disputed_evaluation_keeps_its_last_final_rows_until_final_again(warehouse):
    load(warehouse, evaluation("e1", questions=("q1", "q2", "q3")), at=T0)
    before = warehouse.read_table()

    disputed = load(warehouse, evaluation("e1", status="INREVIEW", score=60.0, questions=("q1", "q2")), at=T1)

    assert counts(disputed) == {**NOTHING, "staged": 2, "deferred_rows": 2, "deferred_evaluations": 1, "history_rows_written": 0}
    pd.testing.assert_frame_equal(warehouse.read_table(), before)

    resolved = load(warehouse, evaluation("e1", score=60.0, questions=("q1", "q2")), at=T2)

    assert (resolved.updated, resolved.soft_deleted) == (2, 1)
    live = warehouse.read_table(include_deleted=False)
    assert (live["overall_score"] == 60.0).all() and list(live["question_id"]) == ["q1", "q2"]


def test_baseline_row_with_empty_question_id_merges_idempotently(warehouse):
    load(warehouse, evaluation("e0", questions=()), at=T0)

    rerun = load(warehouse, evaluation("e0", questions=()), at=T1)

    assert (rerun.inserted, rerun.unchanged) == (0, 1)
    table = warehouse.read_table()
    assert list(table["question_id"]) == [""] and table["overall_score"].isna().all()

    answered = load(warehouse, evaluation("e0", questions=("q1", "q2")), at=T2)

    assert (answered.inserted, answered.soft_deleted) == (2, 1)
    assert list(warehouse.read_table(include_deleted=False)["question_id"]) == ["q1", "q2"]


def test_month_may_arrive_in_several_batches_and_record_batches(warehouse):
    source = items(evaluation("e1"), evaluation("e2"), evaluation("e3"))
    batches = [source.slice(0, 4), source.slice(4, 0), *source.slice(4).to_batches(max_chunksize=2)]

    result = warehouse.load_month(MONTH, batches, expected_rows=9, now=T0)

    assert (result.staged, result.inserted) == (9, 9)
    assert len(warehouse.read_table()) == 9


def test_values_are_bound_never_spliced_into_sql(warehouse):
    hostile = "e1'); DROP TABLE quality_evaluations; --"
    load(warehouse, evaluation(hostile, form_context_id="ctx' OR '1'='1"), at=T0)

    assert set(warehouse.read_table()["evaluation_id"]) == {hostile}
    assert warehouse.months_using_form_context("ctx' OR '1'='1") == [MONTH]
    assert warehouse.months_using_form_context("' OR '1'='1") == []


def test_identical_timestamps_and_nulls_count_as_unchanged(warehouse):
    source = items(evaluation("e1", questions=()))
    assert pyarrow.compute.all(source.column("overall_score").is_null()).as_py()
    load(warehouse, evaluation("e1", questions=()), at=T0)

    result = warehouse.load_month(MONTH, [source], expected_rows=1, now=T1)

    assert (result.unchanged, result.updated) == (1, 0), "NULL vs NULL must not look like a change"
