"""Building and checking ``POST /api/v2/quality/evaluations/search`` requests (genesys-api.md §1.2).

Genesys refuses windows over three months and pages over 100; refusing them here, before any
request, turns a confusing 400 halfway through a backfill into an immediate, named error.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timezone
from typing import Any, Sequence

SEARCH_DATE_FIELDS = ("conversationDate", "createdDate", "submittedDate", "releaseDate")
SORT_ORDERS = ("ASC", "DESC")
MAX_PAGE_SIZE = 100
MAX_WINDOW_MONTHS = 3


def genesys_timestamp(moment: datetime, *, name: str = "datetime") -> str:
    """``moment`` as Genesys writes dates: ``yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`` in UTC."""
    require_aware(moment, name)
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def require_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}: {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{name}={moment.isoformat()} has no time zone; pass an aware datetime, e.g. "
            f"datetime({moment.year}, {moment.month}, {moment.day}, tzinfo=timezone.utc)."
        )


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` moved by whole calendar months, clamping the day (Jan 31 + 1 month = Feb 28/29)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def check_search_request(
    start: datetime, end: datetime, *, date_field: str, page_size: int, start_page: int, sort_order: str
) -> None:
    """ValueError naming the bad argument if Genesys would refuse (or we could not page) the search."""
    require_aware(start, "start")
    require_aware(end, "end")
    if end <= start:
        raise ValueError(f"Search window is empty: end {end.isoformat()} is not after start {start.isoformat()}.")
    limit = add_months(start.astimezone(timezone.utc), MAX_WINDOW_MONTHS)
    if end > limit:
        raise ValueError(
            f"Search window {start.isoformat()} .. {end.isoformat()} is longer than the "
            f"{MAX_WINDOW_MONTHS} months Genesys allows (it may end at {limit.isoformat()} at the "
            "latest); split it into months."
        )
    if date_field not in SEARCH_DATE_FIELDS:
        raise ValueError(f"date_field={date_field!r} is not searchable; use one of {', '.join(SEARCH_DATE_FIELDS)}.")
    if sort_order not in SORT_ORDERS:
        raise ValueError(f"sort_order={sort_order!r} is invalid; use 'ASC' or 'DESC'.")
    check_page_size(page_size)
    if not isinstance(start_page, int) or start_page < 1:
        raise ValueError(f"start_page={start_page!r} is invalid; pages are numbered from 1.")


def check_page_size(page_size: int) -> None:
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size={page_size!r} is invalid; Genesys pages hold 1 to {MAX_PAGE_SIZE} items.")


def search_body(
    start: datetime,
    end: datetime,
    *,
    date_field: str,
    page_size: int,
    page_number: int,
    sort_order: str,
    extra_criteria: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The EvaluationSearchRequestDTO for one page of a date-range search."""
    date_range = {
        "type": "DATE_RANGE",
        "field": date_field,
        "startValue": genesys_timestamp(start, name="start"),
        "endValue": genesys_timestamp(end, name="end"),
    }
    return {
        "query": [date_range, *extra_criteria],
        "pageSize": page_size,
        "pageNumber": page_number,
        "sortBy": date_field,
        "sortOrder": sort_order,
    }


def excluding_evaluations(evaluation_ids: Sequence[str]) -> dict[str, Any]:
    """A criterion that leaves out the evaluations with these ids (``EXACT`` on ``evaluationId`` with
    ``operator: NOT``; the values of one criterion are ORed, genesys-api.md §1.2)."""
    ids = list(evaluation_ids)
    if not ids or not all(isinstance(i, str) and i for i in ids):
        raise ValueError(f"evaluation_ids must be a non-empty list of id strings, got {ids!r}.")
    return {"type": "EXACT", "field": "evaluationId", "values": ids, "operator": "NOT"}
