"""Keyed views of `template_versions` for vectorised joins.

Form ids are only unique within a form version, so every key is composite (template id first).
Two ways to look a key up, with the same answers:

- strings: `composite_key` joins the id columns into one string so that `pyarrow.compute.index_in`
  does a hashed lookup of a whole column at once (`find`); simple, used by the checks;
- integer codes (`TemplateLookup.code` + `locate_*`), used by normalization on millions of rows:
  each id column is hashed once against the forms' id vocabulary, and composite keys are then
  integer arithmetic and a binary search instead of building and hashing joined strings.

A key that is not found gives a NULL index (strings) or -1 (codes); `take` turns it into NULLs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow
import pyarrow.compute as pc

from genesys_quality.transform.forms import SELECTED

_SEPARATOR = "\x1f"
MISSING = -1
"""The code of a NULL or unknown id, and the row index of a key that is not found."""


def composite_key(*columns: pyarrow.Array) -> pyarrow.Array:
    """One string per row from several id columns; NULL when any part is NULL."""
    return pc.binary_join_element_wise(*columns, _SEPARATOR)


def find(table: pyarrow.Table, key: pyarrow.Array) -> pyarrow.Array:
    """Row index into `table` (which has a unique `key` column) for each key; NULL if absent."""
    return pc.index_in(key, value_set=table.column("key").combine_chunks())


@dataclass(frozen=True)
class _CodedKeys:
    """The integer keys of one level table, sorted, with the table row of each."""

    sorted_keys: np.ndarray
    rows: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray) -> "_CodedKeys":
        order = np.argsort(keys, kind="stable")
        return cls(keys[order], order)

    def locate(self, keys: np.ndarray) -> np.ndarray:
        """Table row of each key; MISSING for a key that is absent or has a MISSING part (negative)."""
        if not len(self.sorted_keys):
            return np.full(len(keys), MISSING, dtype=np.int64)
        position = np.minimum(np.searchsorted(self.sorted_keys, keys), len(self.sorted_keys) - 1)
        found = (self.sorted_keys[position] == keys) & (keys >= 0)
        return np.where(found, self.rows[position], MISSING)


@dataclass(frozen=True)
class TemplateLookup:
    """One table per join level, each with a unique `key` column, plus their integer-coded keys."""

    templates: pyarrow.Table
    sections: pyarrow.Table
    questions: pyarrow.Table
    answers: pyarrow.Table
    vocabulary: pyarrow.Array
    """Every distinct id of the form versions (template, section, question, answer); an id's code is its position."""
    _template_codes: _CodedKeys
    _section_codes: _CodedKeys
    _question_codes: _CodedKeys
    _answer_codes: _CodedKeys

    @classmethod
    def build(cls, template_versions: pyarrow.Table) -> "TemplateLookup":
        tv = template_versions.combine_chunks()
        template_id = tv.column("template_id")
        question_key = composite_key(template_id, tv.column("question_id"))
        templates = _first_per_key(
            tv.select(["template_id", "template_context_id", "template_name", "template_version", "weight_mode"]),
            template_id,
        )
        sections = _first_per_key(
            tv.select(["template_id", "section_id", "section_name", "section_weight"]),
            composite_key(template_id, tv.column("section_id")),
        )
        questions = _first_per_key(
            tv.select(
                ["template_id", "question_id", "parent_question_id", "question_context_id", "question_text",
                 "question_type", "is_critical", "is_kill", "question_max_score"]
            ),
            question_key,
        )
        questions = questions.append_column("form_order", pyarrow.array(np.arange(questions.num_rows, dtype=np.int64)))
        answers = tv.select(["template_id", "question_id", "answer_id", "answer_text", "answer_value"])
        answers = _first_per_key(
            answers.append_column("selected", _selected(tv)), composite_key(question_key, tv.column("answer_id"))
        )
        ids = [tv.column(name).combine_chunks() for name in ("template_id", "section_id", "question_id", "answer_id")]
        vocabulary = pc.unique(pyarrow.concat_arrays(ids).drop_null())
        size = len(vocabulary) + 1

        def code(column: pyarrow.Array) -> np.ndarray:
            return _codes(column, vocabulary)

        question_codes = _CodedKeys.of(
            _pair(code(questions.column("template_id")), code(questions.column("question_id")), size)
        )
        answer_question = question_codes.locate(
            _pair(code(answers.column("template_id")), code(answers.column("question_id")), size)
        )
        return cls(
            templates,
            sections,
            questions,
            answers,
            vocabulary,
            _CodedKeys.of(code(templates.column("template_id"))),
            _CodedKeys.of(_pair(code(sections.column("template_id")), code(sections.column("section_id")), size)),
            question_codes,
            _CodedKeys.of(_pair(answer_question, code(answers.column("answer_id")), size)),
        )

    def code(self, ids: pyarrow.Array | pyarrow.ChunkedArray) -> np.ndarray:
        """The vocabulary code of each id (int64); MISSING for NULL or an id no form version has."""
        return _codes(ids, self.vocabulary)

    def locate_templates(self, template: np.ndarray) -> np.ndarray:
        return self._template_codes.locate(template)

    def locate_sections(self, template: np.ndarray, section: np.ndarray) -> np.ndarray:
        return self._section_codes.locate(_pair(template, section, len(self.vocabulary) + 1))

    def locate_questions(self, template: np.ndarray, question: np.ndarray) -> np.ndarray:
        return self._question_codes.locate(_pair(template, question, len(self.vocabulary) + 1))

    def locate_answers(self, question_row: np.ndarray, answer: np.ndarray) -> np.ndarray:
        """Answer rows by (row in `questions`, answer code): the question row already carries its template."""
        return self._answer_codes.locate(_pair(question_row, answer, len(self.vocabulary) + 1))


def _codes(ids: pyarrow.Array | pyarrow.ChunkedArray, vocabulary: pyarrow.Array) -> np.ndarray:
    positions = pc.index_in(ids, value_set=vocabulary)
    return pc.fill_null(positions, MISSING).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def _pair(left: np.ndarray, right: np.ndarray, size: int) -> np.ndarray:
    """One int64 per row from two non-negative codes below `size`; MISSING when either is MISSING."""
    return np.where((left >= 0) & (right >= 0), left * size + right, MISSING)


def _selected(tv: pyarrow.Table) -> pyarrow.Array:
    """Whether each option is a multiple-select option's "Selected" built-in answer."""
    return pc.fill_null(pc.equal(tv.column("answer_built_in_type"), SELECTED), False)


def _first_per_key(table: pyarrow.Table, key: pyarrow.Array) -> pyarrow.Table:
    table = table.append_column("key", key).filter(pc.is_valid(key))
    keys = table.column("key").combine_chunks()
    return table.take(pc.index_in(pc.unique(keys), value_set=keys))
