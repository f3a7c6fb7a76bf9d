"""Score history through real materializations: what the simulator changes becomes the right intervals.

The warehouse tests prove the history SQL on hand-made rows; this one proves the whole path —
Genesys JSON over HTTP, extraction, normalization, MERGE — records a rescore, a dispute and a
deletion as the intervals an analyst would expect, and that an unchanged rerun records nothing.
"""

from __future__ import annotations

import pandas as pd

from genesys_quality_tests.pipeline.conftest import MONTH_B, materialization_metadata

INTERVAL = ["evaluation_id", "status", "overall_score", "valid_from", "valid_to", "is_current"]


def _intervals(warehouse, context_id: str) -> list[tuple]:
    frame = warehouse.read_history(context_id)[INTERVAL].astype(object)
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]


def _final_with_answers(sim, month: str, n: int) -> list[dict]:
    picked = [
        e for e in sim.org.evaluations_in_month(month)
        if e["status"] == "FINISHED" and (e.get("answers") or {}).get("questionGroupScores")
        and not (e.get("aiScoring") or {}).get("pending")
    ]
    assert len(picked) >= n, f"the demo month {month} has fewer than {n} finished evaluations with answers"
    return picked[:n]


def _load(pipeline, month: str):
    """Materialize the month; return its quality_evaluations metadata and the load's history timestamp."""
    meta = materialization_metadata(pipeline.materialize(month), "quality_evaluations")
    history = pipeline.warehouse().read_history()
    return meta, history["valid_from"].max()


def test_rescore_dispute_and_deletion_become_intervals_and_an_unchanged_rerun_adds_none(pipeline, simulator):
    rescored, disputed, deleted = _final_with_answers(simulator, MONTH_B, 3)
    score = {e["id"]: e["answers"]["totalScore"] for e in (rescored, disputed, deleted)}
    first, t0 = _load(pipeline, MONTH_B)
    warehouse = pipeline.warehouse()
    loaded = warehouse.read_history()
    assert first["history_rows_written"] == len(loaded) == loaded["evaluation_id"].nunique()
    assert loaded["is_current"].all() and loaded["valid_to"].isna().all() and (loaded["valid_from"] == t0).all()

    new_version = simulator.org.rescore(rescored["id"])
    simulator.org.dispute(disputed["id"])
    simulator.org.delete(deleted["id"])
    second, t1 = _load(pipeline, MONTH_B)
    assert t1 > t0
    assert _intervals(warehouse, rescored["evaluationContextId"]) == [
        (rescored["id"], "FINISHED", score[rescored["id"]], t0, t1, False),
        (rescored["id"], "RETRACTED", score[rescored["id"]], t1, None, True),
        (new_version["id"], "FINISHED", new_version["answers"]["totalScore"], t1, None, True),
    ]
    # Under dispute the score is not final: the warehouse keeps showing the last final state.
    assert _intervals(warehouse, disputed["evaluationContextId"]) == [
        (disputed["id"], "FINISHED", score[disputed["id"]], t0, None, True),
    ]
    assert _intervals(warehouse, deleted["evaluationContextId"]) == [
        (deleted["id"], "FINISHED", score[deleted["id"]], t0, t1, False),
        (deleted["id"], "DELETED", None, t1, None, True),
    ]
    assert second["history_rows_written"] == 3

    # The evaluator changes an answer while reviewing the dispute, then resolves it.
    changed = simulator.org.remove_question(disputed["id"])
    resolved = simulator.org.resolve_dispute(disputed["id"])
    new_score = resolved["answers"]["totalScore"]
    assert changed["answers"]["totalScore"] == new_score != score[disputed["id"]], "pick an answer that moves the score"
    third, t2 = _load(pipeline, MONTH_B)
    assert _intervals(warehouse, disputed["evaluationContextId"]) == [
        (disputed["id"], "FINISHED", score[disputed["id"]], t0, t2, False),
        (disputed["id"], "FINISHED", new_score, t2, None, True),
    ]
    assert third["history_rows_written"] == 1

    before_rerun = warehouse.read_history()
    rerun, _ = _load(pipeline, MONTH_B)
    assert (rerun["history_rows_written"], rerun["inserted"], rerun["updated"]) == (0, 0, 0)
    pd.testing.assert_frame_equal(before_rerun, warehouse.read_history())
    touched = {rescored["evaluationContextId"], disputed["evaluationContextId"], deleted["evaluationContextId"]}
    others = before_rerun[~before_rerun["evaluation_context_id"].isin(touched)]
    assert len(others) == len(loaded) - 3
    assert others["is_current"].all() and (others["valid_from"] == t0).all()
