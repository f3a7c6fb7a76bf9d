"""What the Dagster layer reads back: summaries, reconciliation totals, form-context months (both backends)."""

from __future__ import annotations

import math

from .items import MONTH, OTHER_MONTH, T0, T1, evaluation, load

DECEMBER = "2026-12-01"


def test_month_summary_counts_live_rows_and_one_score_per_evaluation(warehouse):
    load(
        warehouse,
        evaluation("e1", score=80.0),
        evaluation("e2", score=60.0, questions=("q1", "q2")),
        evaluation("old", score=10.0, status="RETRACTED"),
        evaluation("gone", score=0.0),
        at=T0,
    )
    load(
        warehouse,
        evaluation("e1", score=80.0),
        evaluation("e2", score=60.0, questions=("q1", "q2")),
        evaluation("old", score=10.0, status="RETRACTED"),
        at=T1,
    )
    load(warehouse, evaluation("n1", month=OTHER_MONTH, questions=()), month=OTHER_MONTH, at=T1)

    summary = warehouse.month_summary()

    assert list(summary["evaluation_month"]) == [MONTH, OTHER_MONTH]
    october, november = summary.iloc[0], summary.iloc[1]
    assert (october["rows"], october["evaluations"], october["avg_overall_score"]) == (5, 2, 70.0)
    assert (november["rows"], november["evaluations"]) == (1, 1) and math.isnan(november["avg_overall_score"])


def test_months_using_form_context_lists_months_with_live_rows_of_that_form(warehouse):
    load(warehouse, evaluation("e1", form_context_id="form-a"), at=T0)
    load(warehouse, evaluation("n1", month=OTHER_MONTH, form_context_id="form-b"), month=OTHER_MONTH, at=T0)
    load(warehouse, evaluation("d1", month=DECEMBER, form_context_id="form-a"), month=DECEMBER, at=T0)

    assert warehouse.months_using_form_context("form-a") == [MONTH, DECEMBER]
    assert warehouse.months_using_form_context("form-a", months=[DECEMBER, "2026-09-01"]) == [DECEMBER]
    assert warehouse.months_using_form_context("form-a", months=[]) == []
    assert warehouse.months_using_form_context("form-unknown") == []

    load(warehouse, at=T1)
    assert warehouse.months_using_form_context("form-a") == [DECEMBER], "soft-deleted rows do not count"


def test_evaluation_totals_list_each_live_evaluation_once(warehouse):
    load(warehouse, evaluation("e1", score=80.0), evaluation("e2", score=55.5, status="RETRACTED"), at=T0)
    load(warehouse, evaluation("e2", score=55.5, status="RETRACTED"), evaluation("e3", questions=()), at=T1)

    totals = warehouse.evaluation_totals(MONTH)

    assert list(totals["evaluation_id"]) == ["e2", "e3"]
    assert list(totals["status"]) == ["RETRACTED", "FINISHED"]
    assert totals["overall_score"].iloc[0] == 55.5 and math.isnan(totals["overall_score"].iloc[1])


def test_reads_on_a_fresh_warehouse_return_empty_typed_frames(warehouse):
    assert warehouse.read_table().empty
    assert list(warehouse.read_history().columns)[:2] == ["evaluation_context_id", "evaluation_id"]
    assert warehouse.month_summary().empty
    assert warehouse.evaluation_totals(MONTH).empty
    assert warehouse.months_using_form_context("form-a") == []
