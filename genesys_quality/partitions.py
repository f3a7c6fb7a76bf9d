"""Month partitions: one partition per UTC month of evaluation `createdDate`, keys `YYYY-MM-01`."""

from __future__ import annotations

import os
import re

import dagster as dg

DEFAULT_START_MONTH = "2024-01-01"
_MONTH_KEY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-01$")


def start_month() -> str:
    """`GENESYS_QUALITY_START_MONTH` (YYYY-MM-01 or YYYY-MM), default 2024-01-01."""
    value = os.environ.get("GENESYS_QUALITY_START_MONTH", DEFAULT_START_MONTH).strip()
    if re.fullmatch(r"\d{4}-\d{2}", value):
        value += "-01"
    if not _MONTH_KEY.match(value):
        raise ValueError(
            f"GENESYS_QUALITY_START_MONTH={value!r} is not a month: use YYYY-MM or YYYY-MM-01, e.g. 2024-01."
        )
    return value


def validate_month_key(key: str) -> str:
    """A partition key must be the first day of a month; say so clearly otherwise."""
    if not isinstance(key, str) or not _MONTH_KEY.match(key):
        raise ValueError(f"Partition key {key!r} is not a month: use YYYY-MM-01, e.g. 2026-10-01.")
    return key


monthly_partitions = dg.MonthlyPartitionsDefinition(
    start_date=start_month(), timezone="UTC", end_offset=1, fmt="%Y-%m-%d"
)
