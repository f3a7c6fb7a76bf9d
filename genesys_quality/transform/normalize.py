"""`raw_evaluations` + `template_versions` → `normalized_items`: one row per (evaluation, question).

Column-at-a-time: the typed answer trees are flattened in bulk (`payload.flatten_answers`), ids are joined to
the form versions through integer codes (`lookup`), and every output column is produced by one
`take` from where its values live (the raw batch, the parsed answers or a form table) with a
composed row index, so no column is copied twice. Batches of any size give the same rows, so
callers may normalize row groups separately and concatenate.

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

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow
import pyarrow.compute as pc

from genesys_quality.transform import schemas
from genesys_quality.transform.fields import MalformedEvaluationError
from genesys_quality.transform.lookup import MISSING, TemplateLookup
from genesys_quality.transform.payload import QUESTION_GROUP_SCORES, FlatAnswers, flatten_answers

_SCHEMA = schemas.arrow_schema(schemas.NormalizedItems)
_PENDING_STATUSES = pyarrow.array([s for s in schemas.EVALUATION_STATUSES if s not in schemas.FINAL_STATUSES])
_UNSCORED_TYPES = pyarrow.array(["freeTextQuestion", "readOnlyTextBlockQuestion"])
_COPIED_FROM_RAW = [
    name for name in schemas.column_names(schemas.NormalizedItems)
    if name in schemas.column_names(schemas.RawEvaluations) and name != "template_context_id"
]
"""Evaluation-level columns taken as they are from `raw_evaluations` (the form's context id is coalesced)."""
STATISTICS_COLUMNS = [
    *(field.name for field in _SCHEMA if not pyarrow.types.is_string(field.type)),
    "evaluation_id", "evaluation_context_id", "question_id", "template_id", "status", "score_calculation_status",
    "evaluation_month",
]
"""`normalized_items` columns written with Parquet min/max statistics: numbers, dates and the ids and statuses
readers filter by; on free text they would cost a fifth of the write and serve no reader."""
MAX_THREADS = 4
MIN_ROWS_PER_THREAD = 2048
"""Below this many evaluations per thread a batch is normalized in the calling thread."""
_QUESTION_FIELDS = {"comments": "comments", "failed_kill_question": "failedKillQuestion"}
_GROUP_FIELDS = {"section_id": "questionGroupId", "section_score": "totalScore", "section_max_score": "maxTotalScore"}
_FORM_QUESTION_COLUMNS = {
    "question_context_id": "question_context_id",
    "question_text": "question_text",
    "question_type": "question_type",
    "is_critical": "is_critical",
    "is_kill": "is_kill",
    "item_max_score": "question_max_score",
}


def raw_columns(raw_schema: pyarrow.Schema) -> list[str]:
    """The `raw_evaluations` columns normalization reads: all but the JSON `payload` when the typed
    `question_group_scores` is there (a month extracted before it existed is parsed from `payload`)."""
    if QUESTION_GROUP_SCORES in raw_schema.names:
        return [name for name in raw_schema.names if name != "payload"]
    return list(raw_schema.names)


def normalize_items(raw: pyarrow.Table, template_versions: pyarrow.Table | TemplateLookup) -> pyarrow.Table:
    """The `normalized_items` rows of a batch of `raw_evaluations` rows.

    `template_versions` may be given as its `TemplateLookup`, built once for many batches. A large
    batch is cut into one contiguous slice per CPU, normalized in threads (every `take` runs in
    Arrow without the GIL) and the slices' rows are returned in order as chunks of one table,
    without a copy.
    """
    raw = raw.combine_chunks()
    if raw.num_rows == 0:
        return _SCHEMA.empty_table()
    lookup = template_versions if isinstance(template_versions, TemplateLookup) else TemplateLookup.build(template_versions)
    workers = min(pyarrow.cpu_count(), MAX_THREADS, raw.num_rows // MIN_ROWS_PER_THREAD)
    if workers <= 1:
        return _normalize(raw, lookup)
    bounds = np.linspace(0, raw.num_rows, workers + 1).astype(int)
    with ThreadPoolExecutor(workers, thread_name_prefix="normalize") as pool:
        pieces = [raw.slice(start, stop - start) for start, stop in zip(bounds[:-1], bounds[1:])]
        parts = list(pool.map(lambda piece: _normalize(piece, lookup), pieces))
    return pyarrow.concat_tables(parts)


def _normalize(raw: pyarrow.Table, lookup: TemplateLookup) -> pyarrow.Table:
    flat = flatten_answers(raw)
    question_id = _field(flat.questions, "questionId")
    _require_question_ids(raw, flat, question_id)
    rows = _Rows.of(flat)
    joined = _Joins.of(raw, flat, lookup, question_id)
    columns = {
        **_evaluation_columns(raw, flat, lookup, joined, rows),
        **_question_columns(flat, lookup, joined, rows, question_id),
    }
    arrays = [_as(columns[field.name], field.type) for field in _SCHEMA]
    return pyarrow.Table.from_arrays(arrays, schema=_SCHEMA)


@dataclass(frozen=True)
class _Rows:
    """Where each output row's values come from: its evaluation and its question (MISSING on a baseline row).

    Rows follow the evaluations' order, each evaluation's questions in payload order; an
    evaluation without questions has one baseline row in its place.
    """

    evaluation: np.ndarray
    question: np.ndarray
    baseline: bool
    """Whether any row is a baseline row (otherwise `question` is the identity)."""

    @classmethod
    def of(cls, flat: FlatAnswers) -> "_Rows":
        per_evaluation = np.bincount(flat.question_evaluation, minlength=flat.evaluation_count)
        without = per_evaluation == 0
        evaluation = np.repeat(np.arange(flat.evaluation_count), np.maximum(per_evaluation, 1))
        if not without.any():
            return cls(evaluation, np.arange(len(evaluation)), False)
        question = np.full(len(evaluation), MISSING, dtype=np.int64)
        question[~without[evaluation]] = np.arange(len(flat.question_evaluation))
        return cls(evaluation, question, True)

    def of_questions(self, values: pyarrow.Array) -> pyarrow.Array:
        """A per-question array laid out per row (NULL on baseline rows)."""
        return values.take(_indices(self.question)) if self.baseline else values

    def through_questions(self, per_question: np.ndarray) -> np.ndarray:
        """Compose a per-question index (e.g. a form-table row) into a per-row index."""
        if not self.baseline:
            return per_question
        return _pick(per_question, self.question, MISSING)


@dataclass(frozen=True)
class _Joins:
    """Rows of the lookup tables (MISSING when absent) for each evaluation, group and question."""

    template: np.ndarray
    section: np.ndarray
    question: np.ndarray
    answer: np.ndarray
    question_template: np.ndarray
    """Template code of each question's evaluation (multiple-select options join through it)."""

    @classmethod
    def of(cls, raw: pyarrow.Table, flat: FlatAnswers, lookup: TemplateLookup, question_id) -> "_Joins":
        template_code = lookup.code(raw.column("template_id"))
        group_section = lookup.locate_sections(
            template_code[flat.group_evaluation], lookup.code(_field(flat.groups, "questionGroupId"))
        )
        question_template = template_code[flat.question_evaluation]
        question = lookup.locate_questions(question_template, lookup.code(question_id))
        return cls(
            template=lookup.locate_templates(template_code),
            section=group_section[flat.question_group],
            question=question,
            answer=lookup.locate_answers(question, lookup.code(_field(flat.questions, "answerId"))),
            question_template=question_template,
        )


def _evaluation_columns(raw, flat: FlatAnswers, lookup: TemplateLookup, joined: _Joins, rows: _Rows) -> dict:
    pending = pc.or_(
        pc.is_in(raw.column("status"), value_set=_PENDING_STATUSES),
        pc.fill_null(raw.column("ai_scoring_pending"), False),
    )
    template = _indices(joined.template)
    per_evaluation = {
        **{name: raw.column(name) for name in _COPIED_FROM_RAW},
        "score_calculation_status": pc.if_else(pending, "pending", "final"),
        "template_context_id": pc.coalesce(
            raw.column("template_context_id"), lookup.templates.column("template_context_id").take(template)
        ),
        "raw_score": _raw_score(flat),
    }
    by_row = _indices(rows.evaluation)
    columns = {name: values.take(by_row) for name, values in per_evaluation.items()}
    template_row = _indices(joined.template[rows.evaluation])
    for name in ("template_name", "template_version"):
        columns[name] = lookup.templates.column(name).take(template_row)
    return columns


def _raw_score(flat: FlatAnswers) -> pyarrow.Array:
    values, present = _floats(_field(flat.groups, "totalScoreUnweighted"))
    totals = np.bincount(flat.group_evaluation, weights=values, minlength=flat.evaluation_count)
    counts = np.bincount(flat.group_evaluation, weights=present, minlength=flat.evaluation_count)
    return pyarrow.array(totals, mask=counts == 0)


def _question_columns(flat: FlatAnswers, lookup: TemplateLookup, joined: _Joins, rows: _Rows, question_id) -> dict:
    questions, groups = flat.questions, flat.groups
    form = _FormQuestionTypes.of(lookup)
    question_type = _pick(form.type_code, joined.question, form.no_type)
    multi_score, multi_text, multi_position, has_options = _multiple_select(flat, lookup, joined)
    is_multi = (question_type == form.multiple_select) | has_options
    is_free_text = question_type == form.free_text
    group_na = _true(_field(groups, "markedNA")) | _true(_field(groups, "systemMarkedNA"))
    marked_na = _true(_field(questions, "markedNA")) | _true(_field(questions, "systemMarkedNA"))
    marked_na |= group_na[flat.question_group]
    unscored = marked_na | (question_type == form.free_text) | (question_type == form.read_only)

    score, has_score = _floats(_field(questions, "score"))
    score = np.where(is_multi, multi_score, score)
    has_score = np.where(is_multi, ~np.isnan(multi_score), has_score) & ~unscored

    # answer_text: one take from [comments | joined multiple-select texts | option texts].
    comments = _field(questions, "comments")
    option_text = lookup.answers.column("answer_text").combine_chunks()
    count = len(questions)
    text_source = np.where(
        is_free_text,
        np.arange(count),
        np.where(
            is_multi,
            np.where(multi_position >= 0, count + multi_position, MISSING),
            np.where(joined.answer >= 0, count + len(multi_text) + joined.answer, MISSING),
        ),
    )
    texts = pyarrow.concat_arrays([_plain(comments), multi_text, option_text])

    answered = np.where(is_multi, MISSING, np.arange(count))
    group_of_row = rows.through_questions(flat.question_group)
    question_row = rows.through_questions(joined.question)
    section_row = _indices(rows.through_questions(joined.section))
    columns = {name: _field(groups, field).take(_indices(group_of_row)) for name, field in _GROUP_FIELDS.items()}
    columns.update({
        name: rows.of_questions(_field(questions, field)) for name, field in _QUESTION_FIELDS.items()
    })
    columns.update({
        name: lookup.questions.column(column).take(_indices(question_row))
        for name, column in _FORM_QUESTION_COLUMNS.items()
    })
    with_empty_id = pyarrow.concat_arrays([_plain(question_id), pyarrow.array([schemas.BASELINE_QUESTION_ID])])
    columns.update({
        "section_name": lookup.sections.column("section_name").take(section_row),
        "section_weight": lookup.sections.column("section_weight").take(section_row),
        "item_weight": lookup.sections.column("section_weight").take(section_row),
        "question_id": with_empty_id.take(_indices(np.where(rows.question >= 0, rows.question, count))),
        "answer_id": _field(questions, "answerId").take(_indices(rows.through_questions(answered))),
        "answer_text": texts.take(_indices(rows.through_questions(text_source))),
        "item_score": rows.of_questions(pyarrow.array(np.where(has_score, score, 0.0), mask=~has_score)),
        "item_marked_na": rows.of_questions(pyarrow.array(marked_na)),
    })
    return columns


@dataclass(frozen=True)
class _FormQuestionTypes:
    """The question type of each row of `lookup.questions`, as small integer codes."""

    type_code: np.ndarray
    no_type: int
    multiple_select: int
    free_text: int
    read_only: int

    @classmethod
    def of(cls, lookup: TemplateLookup) -> "_FormQuestionTypes":
        names = ["multipleSelectQuestion", "freeTextQuestion", "readOnlyTextBlockQuestion"]
        known = pc.index_in(lookup.questions.column("question_type"), value_set=pyarrow.array(names))
        type_code = pc.fill_null(known, len(names)).to_numpy(zero_copy_only=False).astype(np.int8)
        return cls(type_code, no_type=-1, multiple_select=0, free_text=1, read_only=2)


def _multiple_select(flat: FlatAnswers, lookup: TemplateLookup, joined: _Joins):
    """Per question: Σ option scores (NaN if none), the joined texts, each question's position in them, has options."""
    count = len(flat.questions)
    parent = flat.option_question
    scores, scored = _floats(_field(flat.options, "score"))
    has_scores = np.bincount(parent, weights=scored, minlength=count) > 0
    total = np.where(has_scores, np.bincount(parent, weights=scores, minlength=count), np.nan)
    has_options = np.bincount(parent, minlength=count) > 0

    option_template = joined.question_template[parent]
    sub_question = lookup.locate_questions(option_template, lookup.code(_field(flat.options, "questionId")))
    answer = lookup.locate_answers(sub_question, lookup.code(_field(flat.options, "answerId")))
    selected = lookup.answers.column("selected").combine_chunks().to_numpy(zero_copy_only=False)
    sub_texts = lookup.questions.column("question_text").combine_chunks()
    has_text = pc.is_valid(sub_texts).to_numpy(zero_copy_only=False)
    ticked = _pick(selected, answer, False) & _pick(has_text, sub_question, False)
    # Form order is the row order of `lookup.questions`, so sorting by (parent, row) puts texts in form order.
    ticked_parent, ticked_question = parent[ticked], sub_question[ticked]
    order = np.lexsort((ticked_question, ticked_parent))
    ticked_parent, ticked_question = ticked_parent[order], ticked_question[order]
    starts = np.flatnonzero(np.r_[True, ticked_parent[1:] != ticked_parent[:-1]]) if len(order) else np.array([], int)
    offsets = np.r_[starts, len(order)].astype(np.int32)
    lists = pyarrow.ListArray.from_arrays(pyarrow.array(offsets), sub_texts.take(pyarrow.array(ticked_question)))
    texts = pc.binary_join(lists, "; ")
    position = np.full(count, MISSING, dtype=np.int64)
    position[ticked_parent[starts]] = np.arange(len(starts))
    return total, _plain(texts), position, has_options


def _require_question_ids(raw: pyarrow.Table, flat: FlatAnswers, question_id: pyarrow.Array) -> None:
    if question_id.null_count == 0:
        return
    first = pc.index(pc.is_null(question_id), True).as_py()
    evaluation_id = raw.column("evaluation_id")[int(flat.question_evaluation[first])].as_py()
    field = "answers.questionGroupScores[].questionScores[].questionId"
    raise MalformedEvaluationError(evaluation_id, field, "is missing but required")


def _field(values: pyarrow.StructArray, name: str) -> pyarrow.Array:
    return pc.struct_field(values, name)


def _floats(values: pyarrow.Array) -> tuple[np.ndarray, np.ndarray]:
    """(values with NULL as 0.0, whether each is present) as numpy arrays."""
    present = pc.is_valid(values).to_numpy(zero_copy_only=False)
    return pc.fill_null(values, 0.0).to_numpy(zero_copy_only=False).astype(np.float64, copy=False), present


def _true(flags: pyarrow.Array) -> np.ndarray:
    return pc.fill_null(flags, False).to_numpy(zero_copy_only=False)


def _pick(table_values: np.ndarray, rows: np.ndarray, missing) -> np.ndarray:
    """`table_values[rows]`, with `missing` where the row is MISSING."""
    if not len(table_values):
        return np.full(len(rows), missing)
    return np.where(rows >= 0, table_values[np.maximum(rows, 0)], missing)


def _indices(rows: np.ndarray) -> pyarrow.Array:
    """A take index: NULL where the row is MISSING, so `take` gives NULL there."""
    missing = rows < 0
    return pyarrow.array(rows, mask=missing) if missing.any() else pyarrow.array(rows)


def _plain(values: pyarrow.Array | pyarrow.ChunkedArray) -> pyarrow.Array:
    return values.combine_chunks() if isinstance(values, pyarrow.ChunkedArray) else values


def _as(values: pyarrow.Array | pyarrow.ChunkedArray, arrow_type: pyarrow.DataType) -> pyarrow.Array:
    if isinstance(values, pyarrow.ChunkedArray):
        values = values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
    return values if values.type == arrow_type else values.cast(arrow_type)
