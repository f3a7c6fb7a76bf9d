"""Typed reads of Genesys JSON fields, with errors that name the entity, the field and the types.

A Genesys response whose shape changed must stop the pipeline with a message a user can act on,
not turn into a silent NULL or a Python `TypeError` deep inside Arrow.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


class MalformedJsonError(ValueError):
    """A Genesys entity (evaluation or form) has a field of the wrong type or lacks a required one."""

    entity_kind = "entity"

    def __init__(self, entity_id: str | None, field: str, problem: str) -> None:
        self.entity_id = entity_id
        self.field = field
        super().__init__(
            f"{self.entity_kind} {entity_id!r}: field {field!r} {problem}. "
            "The Genesys response does not have the documented shape (genesys-api.md); "
            "inspect that response and fix its producer before re-running this partition."
        )


class MalformedEvaluationError(MalformedJsonError):
    entity_kind = "Evaluation"


class MalformedFormError(MalformedJsonError):
    entity_kind = "Evaluation form version"


_KIND_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "timestamp": "an ISO-8601 date-time string",
    "object": "a JSON object",
    "array": "a JSON array",
}


class FieldTypeError(ValueError):
    """Raised by `read_field`; the caller turns it into the entity's own error with its id."""

    def __init__(self, field: str, value: Any, expected: str) -> None:
        self.field = field
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        self.problem = f"is {type(value).__name__} {shown}, expected {_KIND_NAMES.get(expected, expected)}"
        super().__init__(f"{field} {self.problem}")


def read_field(obj: dict, path: tuple[str, ...], kind: str) -> Any:
    """The value at `path` converted to `kind`, or None when any step is missing or null."""
    value: Any = obj
    for depth, key in enumerate(path):
        if value is None:
            return None
        if not isinstance(value, dict):
            raise FieldTypeError(".".join(path[:depth]), value, "object")
        value = value.get(key)
    return None if value is None else convert(value, kind, ".".join(path))


def convert(value: Any, kind: str, field: str) -> Any:
    if kind == "string":
        ok = isinstance(value, str)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            return float(value)
    elif kind == "timestamp":
        return parse_timestamp(value, field)
    else:
        raise ValueError(f"unknown field kind {kind!r}")
    if not ok:
        raise FieldTypeError(field, value, kind)
    return value


def parse_timestamp(value: Any, field: str) -> datetime:
    """An aware UTC datetime from Genesys's ISO-8601 strings (`2025-03-04T14:05:12.345Z`)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise FieldTypeError(field, value, "timestamp") from None
    else:
        raise FieldTypeError(field, value, "timestamp")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
