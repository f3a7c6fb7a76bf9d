"""A generated SQL statement and the parameters it binds (values never enter SQL text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from .dialect import Dialect


@dataclass(frozen=True)
class Statement:
    """SQL text plus the names of its parameters; constants are bound at generation time."""

    name: str
    text: str
    runtime_params: tuple[str, ...] = ()
    constants: Mapping[str, object] = field(default_factory=dict)

    def bind(self, values: Mapping[str, object]) -> dict[str, object]:
        missing = [name for name in self.runtime_params if name not in values]
        if missing:
            raise KeyError(f"statement {self.name!r} needs parameters {missing}")
        return {**self.constants, **{name: values[name] for name in self.runtime_params}}


class Params:
    """Collects the parameters one statement uses while its text is generated."""

    def __init__(self, dialect: Dialect):
        self._dialect = dialect
        self.runtime: list[str] = []
        self.constants: dict[str, object] = {}

    def value(self, name: str, logical_type: str | None = None) -> str:
        if name not in self.runtime:
            self.runtime.append(name)
        return self._marker(name, logical_type)

    def const(self, name: str, value: object) -> str:
        self.constants[name] = value
        return self._marker(name, None)

    def _marker(self, name: str, logical_type: str | None) -> str:
        marker = self._dialect.placeholder(name)
        return f"CAST({marker} AS {self._dialect.sql_type(logical_type)})" if logical_type else marker

    def statement(self, name: str, text: str) -> Statement:
        return Statement(name, text, tuple(self.runtime), dict(self.constants))
