"""Type-2 score history: one interval per evaluation-level state, on both backends."""

from __future__ import annotations

import pandas as pd

from genesys_quality.transform.schemas import ScoreHistory

from .items import MONTH, T0, T1, T2, T3, evaluation, load

INTERVAL = ["evaluation_id", "status", "overall_score", "valid_from", "valid_to", "is_current"]


def intervals(warehouse, context_id: str) -> list[tuple]:
    frame = warehouse.read_history(context_id)[INTERVAL].astype(object)
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]


def test_history_records_rescore_dispute_and_deletion_as_intervals(warehouse):
    first = load(
        warehouse,
        evaluation("e1", context_id="c1", score=80.0),
        evaluation("e2", context_id="c2", score=70.0),
        evaluation("e3", context_id="c3", score=60.0),
        at=T0,
    )
    rescore_dispute_delete = load(
        warehouse,
        evaluation("e1", context_id="c1", score=80.0, status="RETRACTED"),
        evaluation("e1-v2", context_id="c1", version=2, score=90.0),
        evaluation("e2", context_id="c2", score=40.0, status="INREVIEW"),
        at=T1,
    )
    dispute_resolved = load(
        warehouse,
        evaluation("e1", context_id="c1", score=80.0, status="RETRACTED"),
        evaluation("e1-v2", context_id="c1", version=2, score=90.0),
        evaluation("e2", context_id="c2", score=75.0),
        at=T2,
    )
    rerun = load(
        warehouse,
        evaluation("e1", context_id="c1", score=80.0, status="RETRACTED"),
        evaluation("e1-v2", context_id="c1", version=2, score=90.0),
        evaluation("e2", context_id="c2", score=75.0),
        at=T3,
    )

    assert [r.history_rows_written for r in (first, rescore_dispute_delete, dispute_resolved, rerun)] == [3, 3, 1, 0]
    assert intervals(warehouse, "c1") == [
        ("e1", "FINISHED", 80.0, T0, T1, False),
        ("e1", "RETRACTED", 80.0, T1, None, True),
        ("e1-v2", "FINISHED", 90.0, T1, None, True),
    ]
    assert intervals(warehouse, "c2") == [
        ("e2", "FINISHED", 70.0, T0, T2, False),
        ("e2", "FINISHED", 75.0, T2, None, True),
    ]
    assert intervals(warehouse, "c3") == [
        ("e3", "FINISHED", 60.0, T0, T1, False),
        ("e3", "DELETED", None, T1, None, True),
    ]
    history = warehouse.read_history()
    ScoreHistory.validate(history)
    deleted = history[history["status"] == "DELETED"].iloc[0]
    assert pd.isna(deleted["critical_score"]) and deleted["evaluation_month"] == MONTH


def test_question_removed_keeps_the_evaluation_state_when_scores_are_unchanged(warehouse):
    load(warehouse, evaluation("e1", questions=("q1", "q2", "q3")), at=T0)

    result = load(warehouse, evaluation("e1", questions=("q1", "q2")), at=T1)

    assert (result.soft_deleted, result.history_rows_written) == (1, 0)
    assert len(warehouse.read_history()) == 1


def test_deleted_evaluation_that_reappears_gets_a_new_interval(warehouse):
    load(warehouse, evaluation("e1"), at=T0)
    load(warehouse, at=T1)

    back = load(warehouse, evaluation("e1"), at=T2)

    assert (back.updated, back.history_rows_written) == (3, 1)
    assert [row[1] for row in intervals(warehouse, "e1")] == ["FINISHED", "DELETED", "FINISHED"]
