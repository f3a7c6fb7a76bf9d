"""The asset graph end to end: real Dagster materializations, the simulator over HTTP, a DuckDB file."""

from __future__ import annotations

import pandas as pd
import pytest

from genesys_quality.transform.schemas import BASELINE_QUESTION_ID
from genesys_quality_tests.pipeline.conftest import MONTH_A, MONTH_B, materialization_metadata


def _finished(sim, month, n=1, with_answers=True):
    picked = [
        e for e in sim.org.evaluations_in_month(month)
        if e["status"] == "FINISHED" and bool((e.get("answers") or {}).get("questionGroupScores")) == with_answers
        and not (e.get("aiScoring") or {}).get("pending")
    ]
    assert len(picked) >= n, f"the demo month {month} has fewer than {n} suitable evaluations"
    return picked[:n]


def _live(table: pd.DataFrame) -> pd.DataFrame:
    return table[~table["is_deleted"].astype(bool)]


def test_two_months_load_and_a_rerun_changes_nothing(pipeline, simulator):
    for month in (MONTH_A, MONTH_B):
        pipeline.materialize(month)
    first = pipeline.table()
    assert set(first["evaluation_month"].astype(str).str[:10]) == {MONTH_A, MONTH_B}
    expected_final = {
        e["id"] for m in (MONTH_A, MONTH_B) for e in simulator.org.evaluations_in_month(m)
        if e["status"] in ("FINISHED", "RETRACTED") and not (e.get("aiScoring") or {}).get("pending")
    }
    assert set(first["evaluation_id"]) == expected_final
    assert not first.duplicated(["evaluation_id", "question_id"]).any()

    rerun = pipeline.materialize(MONTH_B)
    meta = materialization_metadata(rerun, "quality_evaluations")
    assert (meta["inserted"], meta["updated"], meta["soft_deleted"]) == (0, 0, 0)
    after = pipeline.table()
    pd.testing.assert_series_equal(
        first.sort_values(["evaluation_id", "question_id"])["updated_at"].reset_index(drop=True),
        after.sort_values(["evaluation_id", "question_id"])["updated_at"].reset_index(drop=True),
    )


def test_rescore_inserts_new_version_and_keeps_old_version_retracted(pipeline, simulator):
    pipeline.materialize(MONTH_B)
    old = _finished(simulator, MONTH_B)[0]
    new = simulator.org.rescore(old["id"])
    result = pipeline.materialize(MONTH_B)
    meta = materialization_metadata(result, "quality_evaluations")
    table = pipeline.table(MONTH_B)
    old_rows, new_rows = table[table.evaluation_id == old["id"]], table[table.evaluation_id == new["id"]]
    assert len(new_rows) > 0 and meta["inserted"] == len(new_rows)
    assert set(old_rows["status"]) == {"RETRACTED"} and not old_rows["is_deleted"].any()
    assert set(new_rows["evaluation_context_id"]) == set(old_rows["evaluation_context_id"])


def test_deletion_and_removed_question_soft_delete_only_their_rows_and_month(pipeline, simulator):
    for month in (MONTH_A, MONTH_B):
        pipeline.materialize(month)
    month_a_before = pipeline.table(MONTH_A)
    deleted, edited = _finished(simulator, MONTH_B, n=2)
    simulator.org.delete(deleted["id"])
    edited_after = simulator.org.remove_question(edited["id"])
    remaining = {
        q["questionId"] for g in edited_after["answers"]["questionGroupScores"] for q in g["questionScores"]
    }
    pipeline.materialize(MONTH_B)
    table = pipeline.table(MONTH_B)
    assert table[table.evaluation_id == deleted["id"]]["is_deleted"].all()
    assert table[table.evaluation_id == deleted["id"]]["deleted_at"].notna().all()
    edited_rows = table[table.evaluation_id == edited["id"]]
    gone = edited_rows[~edited_rows["question_id"].isin(remaining)]
    assert len(gone) == 1 and gone["is_deleted"].all()
    assert not edited_rows[edited_rows["question_id"].isin(remaining)]["is_deleted"].any()
    pd.testing.assert_frame_equal(
        month_a_before.sort_values(["evaluation_id", "question_id"]).reset_index(drop=True),
        pipeline.table(MONTH_A).sort_values(["evaluation_id", "question_id"]).reset_index(drop=True),
    )


def test_pending_waits_until_finished_and_dispute_keeps_last_final_rows(pipeline, simulator):
    pending = simulator.org.add_evaluation(MONTH_B, status="PENDING", with_answers=True)
    disputed = _finished(simulator, MONTH_B)[0]
    pipeline.materialize(MONTH_B)
    before = pipeline.table(MONTH_B)
    assert pending["id"] not in set(before.evaluation_id)
    final_rows = before[before.evaluation_id == disputed["id"]].sort_values("question_id").reset_index(drop=True)

    simulator.org.dispute(disputed["id"])
    result = pipeline.materialize(MONTH_B)
    assert materialization_metadata(result, "quality_evaluations")["deferred_evaluations"] >= 2
    during = pipeline.table(MONTH_B)
    pd.testing.assert_frame_equal(
        final_rows, during[during.evaluation_id == disputed["id"]].sort_values("question_id").reset_index(drop=True)
    )
    assert pending["id"] not in set(during.evaluation_id)

    simulator.org.finish(pending["id"])
    pipeline.materialize(MONTH_B)
    assert pending["id"] in set(_live(pipeline.table(MONTH_B)).evaluation_id)


def test_evaluation_without_answers_gets_one_baseline_row_and_no_null_key(pipeline, simulator):
    bare = simulator.org.add_evaluation(MONTH_B, status="FINISHED", with_answers=False)
    pipeline.materialize(MONTH_B)
    pipeline.materialize(MONTH_B)
    table = pipeline.table(MONTH_B)
    rows = table[table.evaluation_id == bare["id"]]
    assert list(rows["question_id"]) == [BASELINE_QUESTION_ID]
    assert rows["overall_score"].isna().all()
    assert table["question_id"].notna().all()


def test_bad_partition_key_is_refused_with_a_clear_error(pipeline):
    with pytest.raises(Exception, match="2026-10-15"):
        pipeline.materialize("2026-10-15")
