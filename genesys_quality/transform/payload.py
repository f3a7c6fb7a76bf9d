"""Bulk parsing of the `payload` column: the answer tree of many evaluations, flattened in Arrow.

`pyarrow.json` parses every payload of a batch in one multithreaded pass, keeping only the
answer fields below (`explicit_schema` + ignore); list kernels then flatten groups → questions →
multiple-select option scores into parallel arrays with parent indices. No Python object is built
per evaluation or per question.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pyarrow
import pyarrow.compute as pc
import pyarrow.json as pajson

from genesys_quality.transform.fields import MalformedEvaluationError

_OPTION_SCORE = pyarrow.struct(
    [
        ("questionId", pyarrow.string()),
        ("answerId", pyarrow.string()),
        ("score", pyarrow.float64()),
        ("markedNA", pyarrow.bool_()),
        ("systemMarkedNA", pyarrow.bool_()),
    ]
)
_QUESTION_SCORE = pyarrow.struct(
    [
        *_OPTION_SCORE,
        ("failedKillQuestion", pyarrow.bool_()),
        ("comments", pyarrow.string()),
        ("multipleSelectQuestionOptionScores", pyarrow.list_(_OPTION_SCORE)),
    ]
)
_GROUP_SCORE = pyarrow.struct(
    [
        ("questionGroupId", pyarrow.string()),
        ("totalScore", pyarrow.float64()),
        ("maxTotalScore", pyarrow.float64()),
        ("totalScoreUnweighted", pyarrow.float64()),
        ("markedNA", pyarrow.bool_()),
        ("systemMarkedNA", pyarrow.bool_()),
        ("questionScores", pyarrow.list_(_QUESTION_SCORE)),
    ]
)
ANSWERS_SCHEMA = pyarrow.schema(
    [("answers", pyarrow.struct([("questionGroupScores", pyarrow.list_(_GROUP_SCORE))]))]
)
"""The only part of an evaluation's JSON that normalization and scoring read from the payload."""

_PARSE_OPTIONS = pajson.ParseOptions(explicit_schema=ANSWERS_SCHEMA, unexpected_field_behavior="ignore")
_BLOCK_SIZE = 16 << 20


@dataclass(frozen=True)
class FlatAnswers:
    """Groups, question scores and option scores of a batch, each with its parent's row index."""

    evaluation_count: int
    group_evaluation: np.ndarray
    groups: pyarrow.StructArray
    question_group: np.ndarray
    questions: pyarrow.StructArray
    option_question: np.ndarray
    options: pyarrow.StructArray

    @property
    def question_evaluation(self) -> np.ndarray:
        return self.group_evaluation[self.question_group]


def flatten_answers(raw: pyarrow.Table) -> FlatAnswers:
    """Flatten `raw.payload`'s answers; rows stay aligned with `raw` by position."""
    answers = parse_answers(raw.column("payload"), raw.column("evaluation_id"))
    group_lists = pc.struct_field(answers, "questionGroupScores")
    groups, group_evaluation = _flatten(group_lists)
    questions, question_group = _flatten(pc.struct_field(groups, "questionScores"))
    options, option_question = _flatten(pc.struct_field(questions, "multipleSelectQuestionOptionScores"))
    return FlatAnswers(raw.num_rows, group_evaluation, groups, question_group, questions, option_question, options)


def parse_answers(payloads: pyarrow.ChunkedArray, evaluation_ids: pyarrow.ChunkedArray) -> pyarrow.StructArray:
    """The `answers` struct of every payload, in row order (NULL when the evaluation has none)."""
    if len(payloads) == 0:
        return pyarrow.array([], type=ANSWERS_SCHEMA.field("answers").type)
    lines = _newline_delimited(payloads)
    try:
        table = pajson.read_json(pyarrow.BufferReader(lines), read_options=pajson.ReadOptions(block_size=_BLOCK_SIZE), parse_options=_PARSE_OPTIONS)
    except pyarrow.ArrowInvalid as error:
        _raise_for_first_malformed(payloads, evaluation_ids, error)
        raise
    if table.num_rows != len(payloads):
        raise ValueError(f"parsed {table.num_rows} payloads from {len(payloads)} rows: a payload is empty or not one JSON object")
    return table.column("answers").combine_chunks()


def _newline_delimited(payloads: pyarrow.ChunkedArray) -> pyarrow.Buffer:
    """All payloads as one newline-delimited JSON buffer (compact JSON has no raw newlines)."""
    payloads = payloads.combine_chunks() if isinstance(payloads, pyarrow.ChunkedArray) else payloads
    if payloads.null_count:
        raise ValueError("raw_evaluations.payload has NULL values; every row must carry the evaluation's JSON")
    if pc.any(pc.match_substring(payloads, "\n")).as_py():
        payloads = pc.replace_substring(payloads, "\n", " ")
    joined = pc.binary_join_element_wise(payloads, pyarrow.scalar(""), "\n")
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32 if joined.type == pyarrow.string() else np.int64)
    start, stop = int(offsets[joined.offset]), int(offsets[joined.offset + len(joined)])
    return joined.buffers()[2].slice(start, stop - start)


def _raise_for_first_malformed(payloads: pyarrow.ChunkedArray, evaluation_ids: pyarrow.ChunkedArray, error: Exception) -> None:
    """Re-parse one payload at a time (error path only) to name the evaluation that broke the batch."""
    for payload, evaluation_id in zip(payloads.to_pylist(), evaluation_ids.to_pylist()):
        try:
            pajson.read_json(io.BytesIO(payload.replace("\n", " ").encode()), parse_options=_PARSE_OPTIONS)
        except pyarrow.ArrowInvalid as row_error:
            detail = str(row_error).removeprefix("JSON parse error: ").split(" in row ")[0]
            raise MalformedEvaluationError(evaluation_id, "payload.answers", f"does not have the documented types: {detail}") from error


def _flatten(lists: pyarrow.Array) -> tuple[pyarrow.StructArray, np.ndarray]:
    values = pc.list_flatten(lists)
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return values, parents
