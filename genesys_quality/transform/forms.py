"""Published evaluation form versions → the `template_versions` table.

One row per answer option, so an evaluation's chosen `answerId` joins straight to its text and
points. A question without options keeps one row with NULL answer columns. A multiple-select
question gets a row of its own (NULL answers; its max is the sum of its option sub-questions'
maxima) followed by the rows of its option sub-questions, which carry `parent_question_id`.

`weight_mode` and `section_weight` are copied as Genesys sends them: with `weightMode = OFF` the
weights stay in the table and the consumers (scoring) must treat every group weight as 1.
"""

from __future__ import annotations

from typing import Any

import pyarrow

from genesys_quality.transform import schemas
from genesys_quality.transform.fields import FieldTypeError, MalformedFormError, read_field

__all__ = ["MalformedFormError", "version_ordinals", "form_to_template_rows", "template_versions_table"]

_ARROW_SCHEMA = schemas.arrow_schema(schemas.TemplateVersions)
SELECTED = "Selected"
"""`AnswerOption.builtInType` of the option that means "this multiple-select option was ticked"."""


def version_ordinals(versions: list[dict]) -> dict[str, int]:
    """Version id → 1-based ordinal, from the ascending listing of a form's published versions."""
    ordinals: dict[str, int] = {}
    for position, version in enumerate(versions, start=1):
        version_id = version.get("id") if isinstance(version, dict) else None
        if not isinstance(version_id, str):
            raise MalformedFormError(f"#{position}", "id", "is missing from the published-versions listing entry")
        if version_id in ordinals:
            twice = f"appears twice in the published-versions listing (#{ordinals[version_id]} and #{position})"
            raise MalformedFormError(version_id, "id", twice)
        ordinals[version_id] = position
    return ordinals


def form_to_template_rows(form: dict, template_version: int) -> pyarrow.Table:
    """The rows of one form version (as `GET /api/v2/quality/forms/evaluations/{id}` returns it)."""
    if not isinstance(form, dict):
        raise MalformedFormError(repr(form)[:40], "(form)", f"is {type(form).__name__}, expected a JSON object")
    form_id = form.get("id")
    reader = _Reader(form_id if isinstance(form_id, str) else repr(form_id))
    if not isinstance(template_version, int) or isinstance(template_version, bool) or template_version < 1:
        raise ValueError(f"template_version for form {form_id!r} must be an integer >= 1, got {template_version!r}")
    form_columns = {
        "template_id": reader.get(form, "id", "string", required=True),
        "template_context_id": reader.get(form, "contextId", "string", required=True),
        "template_name": reader.get(form, "name", "string"),
        "template_version": template_version,
        "weight_mode": reader.get(form, "weightMode", "string"),
        "template_modified_date": reader.get(form, "modifiedDate", "timestamp"),
    }
    rows: list[dict] = []
    for g, group in enumerate(reader.items(form, "questionGroups")):
        at = f"questionGroups[{g}]"
        section = {
            **form_columns,
            "section_id": reader.get(group, "id", "string", at, required=True),
            "section_context_id": reader.get(group, "contextId", "string", at),
            "section_name": reader.get(group, "name", "string", at),
            "section_weight": reader.get(group, "weight", "number", at),
            "section_na_enabled": reader.get(group, "naEnabled", "boolean", at),
        }
        for q, question in enumerate(reader.items(group, "questions", at)):
            rows.extend(_question_rows(reader, section, question, f"{at}.questions[{q}]", parent_id=None))
    return _table(rows)


def template_versions_table(forms: list[tuple[dict, int]]) -> pyarrow.Table:
    """All rows of several form versions; a version listed twice is kept once."""
    seen: dict[str, int] = {}
    tables = []
    for form, template_version in forms:
        table = form_to_template_rows(form, template_version)
        form_id = form["id"]
        if form_id in seen:
            if seen[form_id] != template_version:
                raise ValueError(
                    f"form version {form_id!r} was given two ordinals: {seen[form_id]} and {template_version}"
                )
            continue
        seen[form_id] = template_version
        tables.append(table)
    return pyarrow.concat_tables(tables) if tables else _ARROW_SCHEMA.empty_table()


def _question_rows(reader: "_Reader", section: dict, question: dict, at: str, parent_id: str | None) -> list[dict]:
    default_type = "multipleChoiceQuestion" if parent_id else None
    question_type = reader.get(question, "type", "string", at) or default_type
    if question_type not in schemas.QUESTION_TYPES:
        known = ", ".join(schemas.QUESTION_TYPES)
        raise MalformedFormError(reader.form_id, f"{at}.type", f"has unknown value {question_type!r}; known: {known}")
    base = {
        **section,
        "question_id": reader.get(question, "id", "string", at, required=True),
        "parent_question_id": parent_id,
        "question_context_id": reader.get(question, "contextId", "string", at),
        "question_text": reader.get(question, "text", "string", at),
        "question_type": question_type,
        "is_critical": reader.get(question, "isCritical", "boolean", at),
        "is_kill": reader.get(question, "isKill", "boolean", at),
        "question_na_enabled": reader.get(question, "naEnabled", "boolean", at),
    }
    if question_type == "multipleSelectQuestion":
        sub_rows = []
        for s, sub in enumerate(reader.items(question, "multipleSelectOptionQuestions", at)):
            sub_at = f"{at}.multipleSelectOptionQuestions[{s}]"
            sub_rows.extend(_question_rows(reader, section, sub, sub_at, base["question_id"]))
        sub_maxima = {row["question_id"]: row["question_max_score"] for row in sub_rows}
        maxima = [value for value in sub_maxima.values() if value is not None]
        parent = {**base, "question_max_score": float(sum(maxima)) if maxima else None, **_NO_ANSWER}
        return [parent, *sub_rows]
    options = [
        _answer_columns(reader, option, f"{at}.answerOptions[{o}]")
        for o, option in enumerate(reader.items(question, "answerOptions", at))
    ]
    values = [option["answer_value"] for option in options if option["answer_value"] is not None]
    base["question_max_score"] = float(max(values)) if values else None
    return [{**base, **option} for option in options] or [{**base, **_NO_ANSWER}]


_NO_ANSWER = dict.fromkeys(["answer_id", "answer_context_id", "answer_text", "answer_value", "answer_built_in_type"])


def _answer_columns(reader: "_Reader", option: dict, at: str) -> dict:
    built_in_type = reader.get(option, "builtInType", "string", at)
    return {
        "answer_id": reader.get(option, "id", "string", at, required=True),
        "answer_context_id": reader.get(option, "contextId", "string", at),
        "answer_text": reader.get(option, "text", "string", at) or built_in_type,
        "answer_value": reader.get(option, "value", "integer", at),
        "answer_built_in_type": built_in_type,
    }


def _table(rows: list[dict]) -> pyarrow.Table:
    arrays = [pyarrow.array([row[field.name] for row in rows], type=field.type) for field in _ARROW_SCHEMA]
    return pyarrow.Table.from_arrays(arrays, schema=_ARROW_SCHEMA)


class _Reader:
    """Reads fields of one form, naming the form and the JSON path in every error."""

    def __init__(self, form_id: str) -> None:
        self.form_id = form_id

    def get(self, obj: Any, key: str, kind: str, at: str = "", required: bool = False) -> Any:
        field = f"{at}.{key}" if at else key
        if not isinstance(obj, dict):
            raise MalformedFormError(self.form_id, at or "(form)", f"is {type(obj).__name__}, expected a JSON object")
        try:
            value = read_field(obj, (key,), kind)
        except FieldTypeError as error:
            raise MalformedFormError(self.form_id, field, error.problem) from None
        if value is None and required:
            raise MalformedFormError(self.form_id, field, "is missing but required")
        return value

    def items(self, obj: Any, key: str, at: str = "") -> list:
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None:
            return []
        if not isinstance(value, list):
            field = f"{at}.{key}" if at else key
            raise MalformedFormError(self.form_id, field, f"is {type(value).__name__}, expected a JSON array")
        return value
