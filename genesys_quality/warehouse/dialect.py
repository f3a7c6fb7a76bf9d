"""The few things DuckDB and Snowflake spell differently; everything else in `sql.py` is shared."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .errors import InvalidIdentifierError

IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,127}$")


@dataclass(frozen=True)
class Dialect:
    """How one backend names types, binds parameters, folds identifiers and declares tables."""

    name: str
    types: dict[str, str]
    """SQL type of each logical type of `schemas.logical_types` (string, int, float, bool, timestamp, date)."""
    placeholder: Callable[[str], str]
    """The parameter marker for a named parameter."""
    fold_identifier: Callable[[str], str]
    """Snowflake resolves unquoted names in upper case; quoting the upper-case form keeps the
    tables queryable without quotes."""
    staging_table_kind: str
    """Word between CREATE OR REPLACE and TABLE for the throwaway staging table."""
    cluster_target_by_month: bool
    row_hash: Callable[[list[str]], str]
    """A 64-bit hash of the given column expressions that fits the 'int' type (NULL-aware, deterministic)."""

    def quote(self, identifier: str) -> str:
        """Validate a configured name and quote it; anything else raises `InvalidIdentifierError`."""
        if not isinstance(identifier, str) or not IDENTIFIER_PATTERN.match(identifier):
            raise InvalidIdentifierError(
                f"{identifier!r} is not a valid {self.name} identifier: use 1-128 characters of letters, "
                "digits, '_' or '$', starting with a letter or '_' (check the schema, table and database settings)."
            )
        return f'"{self.fold_identifier(identifier)}"'

    def sql_type(self, logical_type: str) -> str:
        return self.types[logical_type]


DUCKDB = Dialect(
    name="DuckDB",
    types={
        "string": "VARCHAR",
        "int": "BIGINT",
        "float": "DOUBLE",
        "bool": "BOOLEAN",
        "timestamp": "TIMESTAMPTZ",
        "date": "DATE",
    },
    placeholder=lambda name: f"${name}",
    fold_identifier=lambda identifier: identifier,
    staging_table_kind="",
    cluster_target_by_month=False,
    # hash() is a UBIGINT; one bit less keeps it inside BIGINT.
    row_hash=lambda columns: f"CAST(hash({', '.join(columns)}) >> 1 AS BIGINT)",
)

SNOWFLAKE = Dialect(
    name="Snowflake",
    types={
        "string": "VARCHAR",
        "int": "NUMBER(38,0)",
        "float": "FLOAT",
        "bool": "BOOLEAN",
        "timestamp": "TIMESTAMP_TZ",
        "date": "DATE",
    },
    placeholder=lambda name: f"%({name})s",
    fold_identifier=str.upper,
    staging_table_kind="TRANSIENT ",
    cluster_target_by_month=True,
    # HASH is signed 64-bit; the shift changes nothing there but keeps fakesnow (an unsigned hash) in range.
    row_hash=lambda columns: f"BITSHIFTRIGHT(HASH({', '.join(columns)}), 1)",
)
