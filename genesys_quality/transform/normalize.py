"""`raw_evaluations` + `template_versions` → `normalized_items`: one row per (evaluation, question).

Column-at-a-time: the payloads are parsed in bulk (`payload.flatten_answers`), joined to the form
versions with hashed key lookups (`lookup`), and the output is assembled with `take`. Batches of
any size give the same rows, so callers may normalize row groups separately and concatenate.

Row rules (DESIGN §6):
- an evaluation without answers or question scores keeps one baseline row, `question_id = ''`;
- a multiple-select question is one row: scores summed over its option sub-questions, `answer_id`
  NULL, `answer_text` the '; '-joined texts of the ticked options in form order (NULL if none);
- a free-text question: NULL scores, `answer_text` = `comments` = the text;
- a question or group marked N/A: `item_marked_na`, NULL `item_score`, `item_max_score` kept;
- `item_weight` = `section_weight` = the form group's weight as sent, also when `weightMode` is
  OFF (scoring then uses 1; the column keeps what the form says);
- unknown template, question or answer ids give NULL joined columns; rows are never dropped.
"""

from __future__ import annotations

import numpy as np
import pyarrow
import pyarrow.compute as pc

from genesys_quality.transform import schemas
from genesys_quality.transform.fields import MalformedEvaluationError
from genesys_quality.transform.lookup import TemplateLookup, composite_key, find
from genesys_quality.transform.payload import FlatAnswers, flatten_answers

_SCHEMA = schemas.arrow_schema(schemas.NormalizedItems)
_PENDING_STATUSES = pyarrow.array([s for s in schemas.EVALUATION_STATUSES if s not in schemas.FINAL_STATUSES])
_UNSCORED_TYPES = pyarrow.array(["freeTextQuestion", "readOnlyTextBlockQuestion"])
_COPIED_FROM_RAW = [
    name for name in schemas.column_names(schemas.NormalizedItems)
    if name in schemas.column_names(schemas.RawEvaluations) and name != "template_context_id"
]
"""Evaluation-level columns taken as they are from `raw_evaluations` (the form's context id is coalesced)."""


def normalize_items(raw: pyarrow.Table, template_versions: pyarrow.Table) -> pyarrow.Table:
    """The `normalized_items` rows of a batch of `raw_evaluations` rows."""
    raw = raw.combine_chunks()
    if raw.num_rows == 0:
        return _SCHEMA.empty_table()
    flat = flatten_answers(raw)
    lookup = TemplateLookup.build(template_versions)
    per_evaluation = _evaluation_columns(raw, flat, lookup)
    per_question = _question_columns(raw, flat, lookup)

    question_evaluation = flat.question_evaluation
    without_questions = np.flatnonzero(np.bincount(question_evaluation, minlength=raw.num_rows) == 0)
    row_evaluation = np.concatenate([question_evaluation, without_questions])
    order = np.argsort(row_evaluation, kind="stable")
    evaluation_rows = per_evaluation.take(row_evaluation[order])
    columns = dict(zip(evaluation_rows.column_names, evaluation_rows.columns))
    # Output row -> question row; NULL for a baseline row, so `take` leaves its question columns NULL.
    question_rows = pyarrow.array(order, mask=order >= len(question_evaluation)) if len(without_questions) else None
    for name, values in per_question.items():
        columns[name] = values if question_rows is None else values.take(question_rows)
    columns["question_id"] = pc.fill_null(columns["question_id"], schemas.BASELINE_QUESTION_ID)
    arrays = [_as(columns[field.name], field.type) for field in _SCHEMA]
    return pyarrow.Table.from_arrays(arrays, schema=_SCHEMA)


def _evaluation_columns(raw: pyarrow.Table, flat: FlatAnswers, lookup: TemplateLookup) -> pyarrow.Table:
    template = lookup.templates.take(find(lookup.templates, raw.column("template_id")))
    pending = pc.or_(
        pc.is_in(raw.column("status"), value_set=_PENDING_STATUSES),
        pc.fill_null(raw.column("ai_scoring_pending"), False),
    )
    return pyarrow.table(
        {
            **{name: raw.column(name) for name in _COPIED_FROM_RAW},
            "score_calculation_status": pc.if_else(pending, "pending", "final"),
            "template_context_id": pc.coalesce(
                raw.column("template_context_id"), template.column("template_context_id")
            ),
            "template_name": template.column("template_name"),
            "template_version": template.column("template_version"),
            "raw_score": _raw_score(flat),
        }
    )


def _raw_score(flat: FlatAnswers) -> pyarrow.Array:
    unweighted = pc.struct_field(flat.groups, "totalScoreUnweighted")
    values = np.nan_to_num(unweighted.to_numpy(zero_copy_only=False).astype(np.float64), nan=0.0)
    present = pc.is_valid(unweighted).to_numpy(zero_copy_only=False)
    totals = np.bincount(flat.group_evaluation, weights=values, minlength=flat.evaluation_count)
    counts = np.bincount(flat.group_evaluation, weights=present, minlength=flat.evaluation_count)
    return pyarrow.array(totals, mask=counts == 0)


def _question_columns(raw: pyarrow.Table, flat: FlatAnswers, lookup: TemplateLookup) -> dict[str, pyarrow.Array]:
    questions, groups = flat.questions, flat.groups
    question_group = pyarrow.array(flat.question_group)
    template_id = raw.column("template_id").take(pyarrow.array(flat.question_evaluation)).combine_chunks()
    question_id = pc.struct_field(questions, "questionId")
    _require_question_ids(raw, flat, question_id)
    answer_id = pc.struct_field(questions, "answerId")
    comments = pc.struct_field(questions, "comments")

    section_id = pc.struct_field(groups, "questionGroupId").take(question_group)
    section = lookup.sections.take(find(lookup.sections, composite_key(template_id, section_id)))
    question = lookup.questions.take(find(lookup.questions, composite_key(template_id, question_id)))
    answer = lookup.answers.take(find(lookup.answers, composite_key(template_id, question_id, answer_id)))
    question_type = question.column("question_type")

    marked_na = _any_true(
        pc.struct_field(questions, "markedNA"),
        pc.struct_field(questions, "systemMarkedNA"),
        pc.struct_field(groups, "markedNA").take(question_group),
        pc.struct_field(groups, "systemMarkedNA").take(question_group),
    )
    multi_score, multi_text, has_options = _multiple_select(flat, template_id, lookup)
    is_multi = pc.or_(pc.fill_null(pc.equal(question_type, "multipleSelectQuestion"), False), has_options)
    is_free_text = pc.fill_null(pc.equal(question_type, "freeTextQuestion"), False)
    unscored = pc.or_(marked_na, pc.fill_null(pc.is_in(question_type, value_set=_UNSCORED_TYPES), False))
    score = pc.if_else(is_multi, multi_score, pc.struct_field(questions, "score"))
    option_text = answer.column("answer_text").combine_chunks()
    return {
        "section_id": section_id,
        "section_name": section.column("section_name"),
        "section_weight": section.column("section_weight"),
        "section_score": pc.struct_field(groups, "totalScore").take(question_group),
        "section_max_score": pc.struct_field(groups, "maxTotalScore").take(question_group),
        "question_id": question_id,
        "question_context_id": question.column("question_context_id"),
        "question_text": question.column("question_text"),
        "question_type": question_type,
        "is_critical": question.column("is_critical"),
        "is_kill": question.column("is_kill"),
        "answer_id": pc.if_else(is_multi, pyarrow.scalar(None, pyarrow.string()), answer_id),
        "answer_text": pc.if_else(is_free_text, comments, pc.if_else(is_multi, multi_text, option_text)),
        "item_score": pc.if_else(unscored, pyarrow.scalar(None, pyarrow.float64()), score),
        "item_max_score": question.column("question_max_score"),
        "item_weight": section.column("section_weight"),
        "item_marked_na": marked_na,
        "failed_kill_question": pc.struct_field(questions, "failedKillQuestion"),
        "comments": comments,
    }


def _multiple_select(flat: FlatAnswers, template_id: pyarrow.Array, lookup: TemplateLookup):
    """Per question: Σ option scores, the ticked options' texts joined, and whether it has options."""
    count = len(flat.questions)
    parent = flat.option_question
    option_template = template_id.take(pyarrow.array(parent))
    option_question_id = pc.struct_field(flat.options, "questionId")
    option_score = pc.struct_field(flat.options, "score")
    scores = np.nan_to_num(option_score.to_numpy(zero_copy_only=False).astype(np.float64), nan=0.0)
    scored = np.bincount(parent, weights=pc.is_valid(option_score).to_numpy(zero_copy_only=False), minlength=count)
    total = pyarrow.array(np.bincount(parent, weights=scores, minlength=count), mask=scored == 0)
    has_options = pyarrow.array(np.bincount(parent, minlength=count) > 0)

    sub_question = lookup.questions.take(find(lookup.questions, composite_key(option_template, option_question_id)))
    answer_key = composite_key(option_template, option_question_id, pc.struct_field(flat.options, "answerId"))
    selected = pc.fill_null(lookup.answers.column("selected").take(find(lookup.answers, answer_key)), False)
    ticked = pyarrow.table(
        {
            "parent": parent,
            "form_order": sub_question.column("form_order"),
            "text": sub_question.column("question_text"),
        }
    ).filter(pc.and_(selected, pc.is_valid(sub_question.column("question_text"))))
    ticked = ticked.sort_by([("parent", "ascending"), ("form_order", "ascending")])
    joined = ticked.group_by("parent", use_threads=False).aggregate([("text", "list")])
    position = np.full(count, -1, dtype=np.int64)
    position[joined.column("parent").to_numpy()] = np.arange(joined.num_rows)
    texts = pc.binary_join(joined.column("text_list"), "; ").combine_chunks()
    return total, texts.take(pyarrow.array(position, mask=position < 0)), has_options


def _any_true(*flags: pyarrow.Array) -> pyarrow.Array:
    result = pc.fill_null(flags[0], False)
    for flag in flags[1:]:
        result = pc.or_(result, pc.fill_null(flag, False))
    return result


def _require_question_ids(raw: pyarrow.Table, flat: FlatAnswers, question_id: pyarrow.Array) -> None:
    if question_id.null_count == 0:
        return
    first = pc.index(pc.is_null(question_id), True).as_py()
    evaluation_id = raw.column("evaluation_id")[int(flat.question_evaluation[first])].as_py()
    field = "answers.questionGroupScores[].questionScores[].questionId"
    raise MalformedEvaluationError(evaluation_id, field, "is missing but required")


def _as(values: pyarrow.Array | pyarrow.ChunkedArray, arrow_type: pyarrow.DataType) -> pyarrow.Array:
    if isinstance(values, pyarrow.ChunkedArray):
        values = values.combine_chunks()
    return values if values.type == arrow_type else values.cast(arrow_type)
