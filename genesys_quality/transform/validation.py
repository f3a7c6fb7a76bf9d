"""The pure functions behind the blocking asset checks; the Dagster layer only wraps them.

Each `*_failures` function returns one row per problem and an empty DataFrame when all is well,
so a check can show the first failures in its metadata and count the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from genesys_quality.transform import schemas
from genesys_quality.transform.lookup import TemplateLookup, composite_key, find
from genesys_quality.transform.payload import QUESTION_GROUP_SCORES, flatten_answers
from genesys_quality.transform.scoring import TOLERANCE, recompute_scores, scores_from_items

SCHEMA_FAILURE_COLUMNS = ["column", "check", "failure_case", "index"]
RANGE_FAILURE_COLUMNS = ["check", "evaluation_id", "question_id", "value", "limit"]
REFERENTIAL_FAILURE_COLUMNS = ["check", "evaluation_id", "template_id", "section_id", "question_id", "answer_id"]
SCORE_FAILURE_COLUMNS = [
    "evaluation_id", "template_id", "template_version", "genesys_overall", "expected_overall",
    "genesys_critical", "expected_critical", "overall_matches", "critical_matches",
]
SHOWN_FAILURES = 20


@dataclass(frozen=True)
class ValidationOutcome:
    """What an asset check reports: pass/fail, how many problems, and the first few of them."""

    passed: bool
    failure_count: int
    failures: pd.DataFrame
    description: str

    @classmethod
    def from_failures(cls, failures: pd.DataFrame, description: str) -> "ValidationOutcome":
        count = len(failures)
        summary = f"{description}: {'passed' if count == 0 else f'{count} failure(s)'}"
        return cls(count == 0, count, failures.head(SHOWN_FAILURES).reset_index(drop=True), summary)


def schema_failures(df: pd.DataFrame | pyarrow.Table, model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """Every pandera failure case of `model` (lazy validation): wrong dtype, NULL, range, isin, unique.

    Given an Arrow table, nested columns (`schemas.nested_columns`) are checked by their Arrow type
    and nullability instead of being turned into a Python object per row (at 50,000 raw rows that
    took 1.6 s and a gigabyte).
    """
    failures = []
    if isinstance(df, pyarrow.Table):
        failures, df = _nested_failures(df, model)
    try:
        model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        failures.append(cases.reindex(columns=SCHEMA_FAILURE_COLUMNS).astype({"failure_case": str}))
    if not failures:
        return pd.DataFrame(columns=SCHEMA_FAILURE_COLUMNS)
    return pd.concat(failures, ignore_index=True)


def _nested_failures(table: pyarrow.Table, model: type[pa.DataFrameModel]) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    """Failures of the nested columns, and the table as pandas with each nested column as an all-NULL placeholder."""
    schema, nested = schemas.arrow_schema(model), [n for n in schemas.nested_columns(model) if n in table.column_names]
    failures = []
    for name in nested:
        values, field = table.column(name), schema.field(name)
        if values.type != field.type:
            failures.append((name, "arrow_type", f"{values.type}, expected {field.type}"))
        elif not field.nullable and values.null_count:
            failures.append((name, "not_nullable", f"{values.null_count} NULL value(s)"))
    frame = schemas.to_pandas(table.drop_columns(nested))
    for name in nested:
        frame.insert(table.column_names.index(name), name, pd.Series(np.full(len(frame), None, dtype=object), index=frame.index))
    found = [pd.DataFrame([dict(zip(("column", "check", "failure_case"), f)) for f in failures], columns=SCHEMA_FAILURE_COLUMNS)]
    return (found if failures else []), frame


def item_range_failures(items_df: pd.DataFrame | pyarrow.Table) -> pd.DataFrame:
    """Scores above their maxima: item_score > item_max_score, section_score > section_max_score.

    The bounds a single column can check (0 ≤ overall_score ≤ 100, item_score ≥ 0), the unique
    (evaluation_id, question_id) key and the non-NULL question_id are `NormalizedItems` rules,
    reported by `schema_failures`; they are not repeated here.
    """
    items = schemas.to_pandas(items_df) if isinstance(items_df, pyarrow.Table) else items_df
    found = []
    for check, value, limit in (("item_score <= item_max_score", "item_score", "item_max_score"),
                                ("section_score <= section_max_score", "section_score", "section_max_score")):
        above = items[value].astype(float) > items[limit].astype(float) + 1e-9
        rows = items.loc[above.fillna(False).to_numpy(dtype=bool), ["evaluation_id", "question_id", value, limit]]
        found.append(rows.rename(columns={value: "value", limit: "limit"}).assign(check=check))
    return pd.concat(found, ignore_index=True).reindex(columns=RANGE_FAILURE_COLUMNS)


def referential_failures(raw_or_items: pyarrow.Table, template_versions: pyarrow.Table) -> pd.DataFrame:
    """Ids that do not exist in the month's form versions: template, section, question, answer.

    Given `raw_evaluations` (it has the answer tree), also the ids of multiple-select option
    sub-questions and their answers, which `normalized_items` folds into the parent question.
    """
    lookup = TemplateLookup.build(template_versions)
    table = raw_or_items.combine_chunks()
    known_templates = lookup.templates.column("key").combine_chunks()
    known = pc.is_in(table.column("template_id"), value_set=known_templates)
    problems = [_rows("missing_template", table.filter(pc.invert(known)))]
    is_raw = QUESTION_GROUP_SCORES in table.column_names or "payload" in table.column_names
    references = _raw_references(table) if is_raw else _item_references(table)
    for level, ids in references:
        ids = ids.filter(pc.is_in(ids.column("template_id"), value_set=known_templates))
        key = composite_key(*[ids.column(name).combine_chunks() for name in ("template_id", *_KEY_PARTS[level])])
        unknown = pc.and_(pc.is_valid(key), pc.is_null(find(getattr(lookup, f"{level}s"), key)))
        problems.append(_rows(f"unknown_{level}", ids.filter(unknown)))
    return pd.concat(problems, ignore_index=True).reindex(columns=REFERENTIAL_FAILURE_COLUMNS)


def score_failures(
    raw: pyarrow.Table, template_versions: pyarrow.Table, tolerance: float = TOLERANCE,
    items: pyarrow.Table | None = None,
) -> pd.DataFrame:
    """Final evaluations whose overall or critical score differs from the §4 recomputation.

    Pass `items` (the batch's normalized rows) when already at hand, so the batch is not normalized twice.
    """
    scores = (
        recompute_scores(raw, template_versions, tolerance) if items is None
        else scores_from_items(items, template_versions, tolerance)
    )
    failed = scores[~(scores["overall_matches"] & scores["critical_matches"])]
    versions = schemas.to_pandas(template_versions.select(["template_id", "template_version"]))
    versions = versions.drop_duplicates("template_id")
    return failed.merge(versions, on="template_id", how="left").reindex(columns=SCORE_FAILURE_COLUMNS)


_KEY_PARTS = {"section": ("section_id",), "question": ("question_id",), "answer": ("question_id", "answer_id")}


def _rows(check: str, rows: pyarrow.Table) -> pd.DataFrame:
    present = [name for name in REFERENTIAL_FAILURE_COLUMNS[1:] if name in rows.column_names]
    return schemas.to_pandas(rows.select(present)).assign(check=check)


def _item_references(items: pyarrow.Table) -> list[tuple[str, pyarrow.Table]]:
    ids = items.select(["evaluation_id", "template_id", "section_id", "question_id", "answer_id"])
    answered = ids.filter(pc.not_equal(ids.column("question_id"), schemas.BASELINE_QUESTION_ID))
    return [("section", answered), ("question", answered), ("answer", answered)]


def _raw_references(raw: pyarrow.Table) -> list[tuple[str, pyarrow.Table]]:
    """Ids of every question score and multiple-select option score in the answer trees."""
    flat = flatten_answers(raw)
    evaluation = raw.select(["evaluation_id", "template_id"])
    questions = evaluation.take(pyarrow.array(flat.question_evaluation))
    section_id = pc.struct_field(flat.groups, "questionGroupId").take(pyarrow.array(flat.question_group))
    questions = questions.append_column("section_id", section_id)
    for name, field in (("question_id", "questionId"), ("answer_id", "answerId")):
        questions = questions.append_column(name, pc.struct_field(flat.questions, field))
    options = evaluation.take(pyarrow.array(flat.question_evaluation[flat.option_question]))
    for name, field in (("question_id", "questionId"), ("answer_id", "answerId")):
        options = options.append_column(name, pc.struct_field(flat.options, field))
    return [("section", questions), ("question", questions), ("answer", questions),
            ("question", options), ("answer", options)]
