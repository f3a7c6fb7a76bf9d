"""Keyed views of `template_versions` for vectorised joins.

Form ids are only unique within a form version, so every key is composite (template id first),
joined into one string so that `pyarrow.compute.index_in` can do a hashed lookup of a whole
column at once. A key that is not found gives a NULL index, and `take` turns it into NULL columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow
import pyarrow.compute as pc

from genesys_quality.transform.forms import SELECTED

_SEPARATOR = "\x1f"


def composite_key(*columns: pyarrow.Array) -> pyarrow.Array:
    """One string per row from several id columns; NULL when any part is NULL."""
    return pc.binary_join_element_wise(*columns, _SEPARATOR)


def find(table: pyarrow.Table, key: pyarrow.Array) -> pyarrow.Array:
    """Row index into `table` (which has a unique `key` column) for each key; NULL if absent."""
    return pc.index_in(key, value_set=table.column("key").combine_chunks())


@dataclass(frozen=True)
class TemplateLookup:
    """One table per join level, each with a unique `key` column."""

    templates: pyarrow.Table
    sections: pyarrow.Table
    questions: pyarrow.Table
    answers: pyarrow.Table

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
            tv.select(["section_name", "section_weight"]), composite_key(template_id, tv.column("section_id"))
        )
        questions = _first_per_key(
            tv.select(
                ["question_id", "parent_question_id", "question_context_id", "question_text", "question_type",
                 "is_critical", "is_kill", "question_max_score"]
            ),
            question_key,
        )
        questions = questions.append_column("form_order", pyarrow.array(np.arange(questions.num_rows, dtype=np.int64)))
        answers = tv.select(["answer_text", "answer_value"]).append_column("selected", _selected(tv))
        answers = _first_per_key(answers, composite_key(question_key, tv.column("answer_id")))
        return cls(templates, sections, questions, answers)


def _selected(tv: pyarrow.Table) -> pyarrow.Array:
    """Whether each option is a multiple-select option's "Selected" built-in answer."""
    return pc.fill_null(pc.equal(tv.column("answer_built_in_type"), SELECTED), False)


def _first_per_key(table: pyarrow.Table, key: pyarrow.Array) -> pyarrow.Table:
    table = table.append_column("key", key).filter(pc.is_valid(key))
    keys = table.column("key").combine_chunks()
    return table.take(pc.index_in(pc.unique(keys), value_set=keys))
