"""Evaluations as Genesys returns them → the `raw_evaluations` table.

Typed top-level columns for filtering and joins, the untouched JSON `payload` so a field Genesys
adds tomorrow is never lost (and a month can be reprocessed from it), and the answer tree parsed
once into the typed nested `question_group_scores`, which normalization reads instead of the JSON.
Runs on every page of results, so it builds whole columns from Python lists once instead of
appending rows to Arrow.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pyarrow

from genesys_quality.transform import schemas
from genesys_quality.transform.fields import FieldTypeError, MalformedEvaluationError, parse_timestamp, read_field
from genesys_quality.transform.payload import QUESTION_GROUP_SCORES, parse_question_group_scores

__all__ = ["MalformedEvaluationError", "EvaluationOutsideMonthError", "month_of", "evaluations_to_raw"]

_TYPED_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "evaluation_id": (("id",), "string"),
    "evaluation_context_id": (("evaluationContextId",), "string"),
    "evaluation_version": (("version",), "integer"),
    "conversation_id": (("conversation", "id"), "string"),
    "status": (("status",), "string"),
    "template_id": (("evaluationForm", "id"), "string"),
    "template_context_id": (("evaluationForm", "contextId"), "string"),
    "agent_id": (("agent", "id"), "string"),
    "evaluator_id": (("evaluator", "id"), "string"),
    "assignee_id": (("assignee", "id"), "string"),
    "queue_id": (("queue", "id"), "string"),
    "conversation_date": (("conversationDate",), "timestamp"),
    "date_created": (("createdDate",), "timestamp"),
    "date_submitted": (("submittedDate",), "timestamp"),
    "date_released": (("releaseDate",), "timestamp"),
    "date_modified": (("changedDate",), "timestamp"),
    "overall_score": (("answers", "totalScore"), "number"),
    "critical_score": (("answers", "totalCriticalScore"), "number"),
    "any_failed_kill_question": (("answers", "anyFailedKillQuestions"), "boolean"),
    "ai_scoring_pending": (("aiScoring", "pending"), "boolean"),
}
_REQUIRED = ("evaluation_id", "status", "template_id", "date_created")
_ARROW_SCHEMA = schemas.arrow_schema(schemas.RawEvaluations)
_compact_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class EvaluationOutsideMonthError(ValueError):
    """An evaluation handed to a month partition was created in another month."""


def month_of(created: str | datetime) -> str:
    """The partition key `YYYY-MM-01` of a `createdDate` (UTC)."""
    moment = parse_timestamp(created, "createdDate") if isinstance(created, str) else created
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-01")


def evaluations_to_raw(evaluations: list[dict], month: str) -> pyarrow.Table:
    """One row per evaluation (version) of `month`; raises on the first malformed evaluation.

    An answer tree with a wrong type raises `MalformedEvaluationError` naming the evaluation.
    """
    if not isinstance(month, str) or not re.fullmatch(schemas.MONTH_PATTERN, month):
        raise ValueError(f"month {month!r} is not a partition key of the form YYYY-MM-01")
    columns: dict[str, list] = {name: [] for name in _TYPED_FIELDS}
    payloads: list[str] = []
    for position, evaluation in enumerate(evaluations):
        row = _typed_row(evaluation, position)
        for name, value in row.items():
            columns[name].append(value)
        payloads.append(_compact_json(evaluation))
    _require_month(columns["evaluation_id"], columns["date_created"], month)
    columns["evaluation_month"] = [month] * len(payloads)
    columns["payload"] = payloads
    arrays = {
        field.name: pyarrow.array(columns[field.name], type=field.type)
        for field in _ARROW_SCHEMA if field.name != QUESTION_GROUP_SCORES
    }
    arrays[QUESTION_GROUP_SCORES] = parse_question_group_scores(arrays["payload"], arrays["evaluation_id"])
    return pyarrow.Table.from_arrays([arrays[name] for name in _ARROW_SCHEMA.names], schema=_ARROW_SCHEMA)


def _typed_row(evaluation: object, position: int) -> dict:
    if not isinstance(evaluation, dict):
        problem = f"is {type(evaluation).__name__}, expected a JSON object"
        raise MalformedEvaluationError(f"#{position}", "(evaluation)", problem)
    raw_id = evaluation.get("id")
    evaluation_id = raw_id if isinstance(raw_id, str) else f"#{position} (id {raw_id!r})"
    row = {}
    for name, (path, kind) in _TYPED_FIELDS.items():
        try:
            row[name] = read_field(evaluation, path, kind)
        except FieldTypeError as error:
            raise MalformedEvaluationError(evaluation_id, error.field, error.problem) from None
        if row[name] is None and name in _REQUIRED:
            raise MalformedEvaluationError(evaluation_id, ".".join(path), "is missing but required")
    if row["status"] not in schemas.EVALUATION_STATUSES:
        known = ", ".join(schemas.EVALUATION_STATUSES)
        raise MalformedEvaluationError(evaluation_id, "status", f"has unknown value {row['status']!r}; known: {known}")
    if row["evaluation_context_id"] is None:
        row["evaluation_context_id"] = row["evaluation_id"]
    return row


def _require_month(ids: list[str], created: list[datetime], month: str) -> None:
    outside = [(evaluation_id, moment) for evaluation_id, moment in zip(ids, created) if month_of(moment) != month]
    if outside:
        shown = ", ".join(f"{ev_id} (createdDate {moment.isoformat()})" for ev_id, moment in outside[:5])
        raise EvaluationOutsideMonthError(
            f"{len(outside)} evaluation(s) handed to partition {month} were created in another month: {shown}. "
            "Partitions hold evaluations by the UTC month of createdDate; filter the fetched page by "
            "createdDate before converting it (an inclusive search end can return the next month's first instant)."
        )

