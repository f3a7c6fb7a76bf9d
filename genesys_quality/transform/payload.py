"""The answer tree of many evaluations, parsed in bulk and flattened in Arrow.

At extraction, `pyarrow.json` parses the payloads of a page in large multithreaded passes, keeping
only the answer fields of `schemas.QUESTION_GROUP_SCORES` (`explicit_schema` + ignore); the result
is kept in `raw_evaluations.question_group_scores`, so normalization reads typed columns instead of
JSON. List kernels then flatten groups → questions → multiple-select option scores into parallel
arrays with parent indices. No Python object is built per evaluation or per question.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow
import pyarrow.compute as pc
import pyarrow.json as pajson

from genesys_quality.transform import schemas
from genesys_quality.transform.fields import MalformedEvaluationError

ANSWERS_SCHEMA = pyarrow.schema(
    [("answers", pyarrow.struct([("questionGroupScores", schemas.QUESTION_GROUP_SCORES)]))]
)
"""The only part of an evaluation's JSON that normalization and scoring read from the payload."""

_PARSE_OPTIONS = pajson.ParseOptions(explicit_schema=ANSWERS_SCHEMA, unexpected_field_behavior="ignore")
_READ_OPTIONS = pajson.ReadOptions(block_size=4 << 20)
_SLICE_ROWS = 8192
QUESTION_GROUP_SCORES = "question_group_scores"
"""The `raw_evaluations` column that holds the parsed answer tree."""


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

    @cached_property
    def question_evaluation(self) -> np.ndarray:
        return self.group_evaluation[self.question_group]


def flatten_answers(raw: pyarrow.Table) -> FlatAnswers:
    """Flatten the answers of `raw`; rows stay aligned with `raw` by position.

    Reads the typed `question_group_scores` column; `raw_evaluations` written before that column
    existed (only `payload`) is parsed from the JSON instead, with the same result, only slower.
    """
    if QUESTION_GROUP_SCORES in raw.column_names:
        group_lists = _single_array(raw.column(QUESTION_GROUP_SCORES))
    else:
        group_lists = parse_question_group_scores(raw.column("payload"), raw.column("evaluation_id"))
    groups, group_evaluation = _flatten(group_lists)
    questions, question_group = _flatten(pc.struct_field(groups, "questionScores"))
    options, option_question = _flatten(pc.struct_field(questions, "multipleSelectQuestionOptionScores"))
    return FlatAnswers(raw.num_rows, group_evaluation, groups, question_group, questions, option_question, options)


def parse_question_group_scores(payloads, evaluation_ids) -> pyarrow.ListArray:
    """`answers.questionGroupScores` of every payload, typed as `schemas.QUESTION_GROUP_SCORES` (NULL when absent)."""
    return pc.struct_field(parse_answers(payloads, evaluation_ids), "questionGroupScores")


def parse_answers(payloads: pyarrow.ChunkedArray, evaluation_ids: pyarrow.ChunkedArray) -> pyarrow.StructArray:
    """The `answers` struct of every payload, in row order (NULL when the evaluation has none).

    Parsed in slices so that the newline-joined copy of the payloads stays small; the parsed
    blocks of all slices are concatenated once.
    """
    payloads = _single_array(payloads)
    if payloads.null_count:
        raise ValueError("raw_evaluations.payload has NULL values; every row must carry the evaluation's JSON")
    evaluation_ids = _single_array(evaluation_ids)
    chunks = [
        chunk
        for start in range(0, len(payloads), _SLICE_ROWS)
        for chunk in _parse_slice(payloads.slice(start, _SLICE_ROWS), evaluation_ids.slice(start, _SLICE_ROWS))
    ]
    if not chunks:
        return pyarrow.array([], type=ANSWERS_SCHEMA.field("answers").type)
    return chunks[0] if len(chunks) == 1 else pyarrow.concat_arrays(chunks)


def _parse_slice(payloads: pyarrow.StringArray, evaluation_ids: pyarrow.StringArray) -> list[pyarrow.StructArray]:
    try:
        table = _read_lines(pc.binary_join_element_wise(payloads, pyarrow.scalar(""), "\n"))
        if table.num_rows != len(payloads):
            raise pyarrow.ArrowInvalid(f"parsed {table.num_rows} JSON objects from {len(payloads)} payloads")
    except pyarrow.ArrowInvalid:
        if not pc.any(pc.match_substring(payloads, "\n")).as_py():
            _raise_for_first_malformed(payloads, evaluation_ids)
            raise
        # Pretty-printed JSON: its raw newlines are whitespace between tokens, so a space is equivalent.
        return _parse_slice(pc.replace_substring(payloads, "\n", " "), evaluation_ids)
    return table.column("answers").chunks


def _single_array(values: pyarrow.Array | pyarrow.ChunkedArray) -> pyarrow.Array:
    """One contiguous array; a single chunk is used as it is (`combine_chunks` would copy it)."""
    if isinstance(values, pyarrow.ChunkedArray):
        return values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
    return values


def _read_lines(lines: pyarrow.StringArray) -> pyarrow.Table:
    """Parse a string array of newline-terminated JSON objects from its value buffer, without a copy."""
    offset_type = np.int64 if pyarrow.types.is_large_string(lines.type) else np.int32
    offsets = np.frombuffer(lines.buffers()[1], dtype=offset_type)
    start, stop = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    source = pyarrow.BufferReader(lines.buffers()[2].slice(start, stop - start))
    return pajson.read_json(source, read_options=_READ_OPTIONS, parse_options=_PARSE_OPTIONS)


def _raise_for_first_malformed(payloads: pyarrow.StringArray, evaluation_ids: pyarrow.StringArray) -> None:
    """Re-parse one payload at a time (error path only) to name the evaluation that broke the batch."""
    for payload, evaluation_id in zip(payloads.to_pylist(), evaluation_ids.to_pylist()):
        try:
            parsed = pajson.read_json(io.BytesIO(payload.encode()), parse_options=_PARSE_OPTIONS)
        except pyarrow.ArrowInvalid as row_error:
            detail = str(row_error).removeprefix("JSON parse error: ").split(" in row ")[0]
            problem = f"does not have the documented types: {detail}"
            raise MalformedEvaluationError(evaluation_id, "payload.answers", problem) from None
        if parsed.num_rows != 1:
            problem = f"holds {parsed.num_rows} JSON objects, expected exactly one"
            raise MalformedEvaluationError(evaluation_id, "payload", problem)


def _flatten(lists: pyarrow.Array) -> tuple[pyarrow.StructArray, np.ndarray]:
    values = pc.list_flatten(lists)
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return values, parents
