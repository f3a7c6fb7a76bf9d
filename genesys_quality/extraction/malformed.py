"""Malformed evaluations: found at the door, every one of them counted, none silently dropped.

A page is converted to `raw_evaluations` rows in one pass; only when that fails are its
evaluations converted one by one to name each bad one (field and problem) while the good ones
are kept. The answer tree is checked here too (types of scores when it is parsed into
`question_group_scores`, question ids here), so that normalization never meets answers it cannot read. The month then fails listing all of them:
loading the rest would silently drop the bad ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow
import pyarrow.compute as pc

from genesys_quality.transform.fields import MalformedEvaluationError, MalformedJsonError
from genesys_quality.transform.payload import flatten_answers
from genesys_quality.transform.raw import evaluations_to_raw

SHOWN = 20
"""Malformed evaluations named in an error message (all are counted)."""


@dataclass(frozen=True)
class MalformedEvaluation:
    evaluation_id: str
    field: str
    problem: str
    """The first sentence of the error: which evaluation, which field, what was wrong."""

    def as_dict(self) -> dict:
        return {"evaluation_id": self.evaluation_id, "field": self.field, "problem": self.problem}


class MalformedMonthError(ValueError):
    """Some evaluations of a month do not have the documented shape; nothing of the month was kept."""

    def __init__(self, month: str, malformed: list[dict]):
        self.month = month
        self.malformed = malformed
        shown = "; ".join(m["problem"] for m in malformed[:SHOWN])
        more = f" (and {len(malformed) - SHOWN} more)" if len(malformed) > SHOWN else ""
        super().__init__(
            f"{len(malformed)} evaluation(s) of month {month} do not have the documented shape, so the month "
            f"was not loaded (loading the rest would silently drop them): {shown}{more}. A new status or field "
            "type in Genesys needs a genesys_quality update (transform/schemas.py, transform/raw.py); a broken "
            "evaluation must be fixed in Genesys. Then re-run the month; it is fetched again from the start."
        )


def raw_rows(evaluations: list[dict], month: str) -> tuple[pyarrow.Table, list[MalformedEvaluation]]:
    """The `raw_evaluations` rows of the well-formed `evaluations`, and one entry per malformed one."""
    try:
        table = evaluations_to_raw(evaluations, month)
        _check_answers(table)
        return table, []
    except MalformedJsonError:
        pass
    good, bad = [], []
    for position, evaluation in enumerate(evaluations):
        try:
            _check_answers(evaluations_to_raw([evaluation], month))
            good.append(evaluation)
        except MalformedJsonError as error:
            entity = error.entity_id or f"#{position}"
            bad.append(MalformedEvaluation(str(entity), error.field, _first_sentence(error)))
    return evaluations_to_raw(good, month), bad


def _check_answers(table: pyarrow.Table) -> None:
    """Raise `MalformedEvaluationError` for the first evaluation whose answer tree normalization cannot read."""
    if not table.num_rows:
        return
    flat = flatten_answers(table)
    question_ids = pc.struct_field(flat.questions, "questionId")
    if question_ids.null_count:
        first = pc.index(pc.is_null(question_ids), True).as_py()
        evaluation_id = table.column("evaluation_id")[int(flat.question_evaluation[first])].as_py()
        raise MalformedEvaluationError(
            evaluation_id, "answers.questionGroupScores[].questionScores[].questionId", "is missing but required"
        )


def _first_sentence(error: MalformedJsonError) -> str:
    """What was wrong, without the generic advice every malformed-entity message ends with."""
    return str(error).split(". The Genesys response")[0]
