"""Synthetic `normalized_items` rows for warehouse tests, built on `schemas.arrow_schema`.

`test_synthetic_items_are_valid_normalized_items` checks that every kind of row built here passes
the `NormalizedItems` pandera model, so the warehouse is fed rows the transform layer could produce.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyarrow

from genesys_quality.transform.schemas import BASELINE_QUESTION_ID, NormalizedItems, arrow_schema, column_names

MONTH = "2026-10-01"
OTHER_MONTH = "2026-11-01"
FINAL_STATUS = {"FINISHED": "final", "RETRACTED": "final"}


def evaluation(
    evaluation_id: str,
    *,
    context_id: str | None = None,
    version: int = 1,
    status: str = "FINISHED",
    score: float | None = 80.0,
    questions: tuple[str, ...] = ("q1", "q2", "q3"),
    month: str = MONTH,
    form_context_id: str = "form-ctx-1",
    ai_pending: bool = False,
) -> list[dict]:
    """The rows of one evaluation: one per question, or one baseline row when `questions` is empty."""
    created = datetime.fromisoformat(month).replace(day=3, tzinfo=timezone.utc)
    final = status in FINAL_STATUS and not ai_pending
    rows = []
    for index, question_id in enumerate(questions or (BASELINE_QUESTION_ID,)):
        row = dict.fromkeys(column_names(NormalizedItems))
        row.update(
            evaluation_id=evaluation_id,
            evaluation_context_id=context_id or evaluation_id,
            evaluation_version=version,
            conversation_id=f"conv-{evaluation_id}",
            status=status,
            score_calculation_status="final" if final else "pending",
            template_id=f"{form_context_id}-v1",
            template_context_id=form_context_id,
            template_name="Customer care",
            template_version=1,
            overall_score=score if questions else None,
            critical_score=100.0 if questions else None,
            agent_id="agent-1",
            evaluator_id="evaluator-1",
            date_created=created,
            date_submitted=created + timedelta(hours=1),
            date_modified=created + timedelta(hours=2),
            question_id=question_id,
            evaluation_month=month,
        )
        if questions:
            row.update(
                section_id="g1",
                section_name="Greeting",
                section_weight=1.0,
                question_text=f"Question {question_id}?",
                question_type="multipleChoiceQuestion",
                answer_id=f"{question_id}-yes",
                answer_text="Yes",
                item_score=float(index + 1),
                item_max_score=5.0,
                item_weight=1.0,
                item_marked_na=False,
            )
        rows.append(row)
    return rows


def items(*evaluations: list[dict]) -> pyarrow.Table:
    """One Arrow table of `normalized_items` from `evaluation(...)` row lists."""
    rows = [row for rows in evaluations for row in rows]
    return pyarrow.Table.from_pylist(rows, schema=arrow_schema(NormalizedItems))


T0 = datetime(2026, 10, 5, 6, 0, tzinfo=timezone.utc)
T1, T2, T3 = (T0 + timedelta(days=days) for days in (1, 2, 3))


def load(warehouse, *evaluations: list[dict], at: datetime, month: str = MONTH):
    """Load `evaluations` as the whole of `month`, at load time `at`."""
    table = items(*evaluations)
    return warehouse.load_month(month, [table], expected_rows=table.num_rows, now=at)


def counts(result) -> dict[str, int]:
    """A LoadResult's row counts (without month and timing), for one-line assertions."""
    return {key: value for key, value in result.as_dict().items() if key not in ("month", "seconds")}
