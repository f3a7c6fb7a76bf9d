"""Timestamps as Genesys writes them (`YYYY-MM-DDTHH:MM:SS.mmmZ`), held internally as epoch milliseconds.

Integer milliseconds keep ordering exact and make "evaluation i of a month" cheap to compute.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])(-01)?$")


_DAY_PREFIX: dict[int, str] = {}


def to_iso(ms: int) -> str:
    day, in_day = divmod(ms, DAY_MS)
    prefix = _DAY_PREFIX.get(day)
    if prefix is None:
        prefix = _DAY_PREFIX[day] = f"{EPOCH + timedelta(days=day):%Y-%m-%d}T"
    seconds, millis = divmod(in_day, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{prefix}{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z"


def parse_iso(text: str) -> int:
    """Epoch ms of an ISO-8601 timestamp with a zone (`Z` or `+hh:mm`); ValueError otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"expected an ISO-8601 string, got {text!r}")
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone; write it like 2026-11-01T00:00:00.000Z")
    return (moment - EPOCH) // timedelta(milliseconds=1)


def now_ms() -> int:
    return int(time.time() * 1000)


def parse_month(value: str) -> str:
    """Normalise `YYYY-MM` or `YYYY-MM-01` to the partition key `YYYY-MM-01`."""
    match = _MONTH.match(str(value))
    if not match:
        raise ValueError(f"month {value!r} is not a month; write it as YYYY-MM-01 (for example 2026-11-01)")
    return f"{match.group(1)}-{match.group(2)}-01"


def month_ordinal(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_from_ordinal(ordinal: int) -> str:
    return f"{ordinal // 12:04d}-{ordinal % 12 + 1:02d}-01"


def add_months(month: str, count: int) -> str:
    return month_from_ordinal(month_ordinal(month) + count)


def month_start_ms(month: str) -> int:
    return (datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=timezone.utc) - EPOCH) // timedelta(milliseconds=1)


def month_of_ms(ms: int) -> str:
    moment = EPOCH + timedelta(milliseconds=ms)
    return f"{moment.year:04d}-{moment.month:02d}-01"


def current_month() -> str:
    return month_of_ms(now_ms())


def add_calendar_months_ms(ms: int, count: int) -> int:
    """The same wall-clock instant `count` months later (day clamped to the month's length)."""
    moment = EPOCH + timedelta(milliseconds=ms)
    ordinal = moment.year * 12 + moment.month - 1 + count
    year, month = divmod(ordinal, 12)
    next_start = datetime(year + (month + 1) // 12, (month + 1) % 12 + 1, 1, tzinfo=timezone.utc)
    last_day = (next_start - timedelta(days=1)).day
    shifted = moment.replace(year=year, month=month + 1, day=min(moment.day, last_day))
    return (shifted - EPOCH) // timedelta(milliseconds=1)
