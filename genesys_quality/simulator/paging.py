"""Genesys entity listings: `entities` plus page fields and the first/self/next/previous/last URIs."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from . import errors


def page_uri(path: str, params: list[tuple[str, str]], page_number: int, page_size: int) -> str:
    """The listing's own URI for another page, keeping every other parameter as the caller sent it."""
    kept = [(k, v) for k, v in params if k not in ("pageNumber", "pageSize")]
    return f"{path}?{urlencode([('pageSize', str(page_size)), ('pageNumber', str(page_number)), *kept])}"


def entity_listing(
    entities: list,
    *,
    path: str,
    params: list[tuple[str, str]],
    page_number: int,
    page_size: int,
    total: int,
    has_next: bool,
) -> dict:
    page_count = math.ceil(total / page_size) if page_size else 0
    listing = {
        "entities": entities,
        "pageSize": page_size,
        "pageNumber": page_number,
        "total": total,
        "pageCount": page_count,
        "firstUri": page_uri(path, params, 1, page_size),
        "selfUri": page_uri(path, params, page_number, page_size),
    }
    if has_next:
        listing["nextUri"] = page_uri(path, params, page_number + 1, page_size)
    if page_number > 1:
        listing["previousUri"] = page_uri(path, params, page_number - 1, page_size)
    listing["lastUri"] = page_uri(path, params, max(page_count, 1), page_size)
    return listing


def simple_listing(items: list, path: str, params: list[tuple[str, str]], page_number: int, page_size: int) -> dict:
    """An exact listing (true total, a page is a plain slice): forms, users."""
    start = (page_number - 1) * page_size
    page = items[start : start + page_size]
    return entity_listing(
        page, path=path, params=params, page_number=page_number, page_size=page_size,
        total=len(items), has_next=start + page_size < len(items),
    )


def paging_params(query: dict[str, list[str]], max_page_size: int, default_size: int = 25) -> tuple[int, int]:
    """(pageSize, pageNumber) from query parameters; 400 bad.request when out of range."""
    page_size = int_param(query, "pageSize", default_size)
    if not 1 <= page_size <= max_page_size:
        raise errors.bad_request(f"pageSize must be between 1 and {max_page_size} (got {page_size}).")
    page_number = int_param(query, "pageNumber", 1)
    if page_number < 1:
        raise errors.bad_request(f"pageNumber must be 1 or more (got {page_number}).")
    return page_size, page_number


def int_param(query: dict[str, list[str]], name: str, default: int) -> int:
    values = query.get(name)
    if not values:
        return default
    try:
        return int(values[-1])
    except ValueError:
        raise errors.bad_request(f"{name} must be an integer (got {values[-1]!r}).") from None


def bool_param(query: dict[str, list[str]], name: str) -> bool | None:
    values = query.get(name)
    if not values:
        return None
    text = values[-1].lower()
    if text not in ("true", "false"):
        raise errors.bad_request(f"{name} must be true or false (got {values[-1]!r}).")
    return text == "true"


def str_param(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values and values[-1] != "" else None
