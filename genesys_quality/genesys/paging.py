"""The two paging styles of the Genesys listing endpoints, as small named pagers.

- :class:`PageNumberPager` for ``POST /evaluations/search``: no ``total``, no ``nextUri``; ask for
  page 1, 2, ... until a page holds fewer items than asked for.
- :class:`NextUriPager` for ``GET`` listings (``/evaluations/query``, forms, users): more data
  exists exactly when ``nextUri`` is present. ``total`` and ``pageCount`` may be wrong and a short
  page may still have a ``nextUri``, so neither is ever used to stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

from genesys_quality.genesys.errors import MalformedResponseError


@dataclass(frozen=True)
class Page:
    """One page of a listing; ``is_last`` is True on the final page (which may be empty)."""

    number: int
    items: list[dict]
    is_last: bool


def listing_items(body: Any, key: str, *, method: str, path: str) -> list[dict]:
    """The ``key`` list of a listing body; MalformedResponseError naming the endpoint otherwise."""
    if not isinstance(body, dict) or key not in body:
        got = f"keys {sorted(body)}" if isinstance(body, dict) else type(body).__name__
        raise MalformedResponseError(
            f"{method} {path} answered without the '{key}' list every response of this endpoint "
            f"has (got {got}). The URL may not point at the Genesys Cloud API: check "
            "GENESYS_API_BASE_URL / GENESYS_REGION.",
            method=method, path=path, status=200,
        )
    items = body[key]
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise MalformedResponseError(
            f"{method} {path} answered with '{key}' that is not a list of objects "
            f"({type(items).__name__}).",
            method=method, path=path, status=200,
        )
    return items


class PageNumberPager:
    """Page numbers from ``start_page`` until a short or empty page."""

    def __init__(self, page_size: int, start_page: int = 1):
        self.page_size = page_size
        self.start_page = start_page

    def pages(self, fetch_page: Callable[[int], list[dict]]) -> Iterator[Page]:
        number = self.start_page
        while True:
            items = fetch_page(number)
            is_last = len(items) < self.page_size
            yield Page(number, items, is_last)
            if is_last:
                return
            number += 1


class NextUriPager:
    """Follows ``nextUri`` until a page has none.

    A relative or absolute ``nextUri`` is always re-based on our own API base URL (the bearer
    token is never sent to another host), and query parameters the first request carried but
    the ``nextUri`` dropped (``expandAnswerTotalScores`` above all) are added back.
    """

    def __init__(self, items_key: str, *, method: str = "GET"):
        self.items_key = items_key
        self.method = method

    def pages(
        self,
        fetch: Callable[[str, Mapping[str, Any] | None], Any],
        path: str,
        params: Mapping[str, Any],
    ) -> Iterator[Page]:
        target: str = path
        query: Mapping[str, Any] | None = params
        followed: set[str] = set()
        number = 0
        while True:
            body = fetch(target, query)
            items = listing_items(body, self.items_key, method=self.method, path=path)
            reported = body.get("pageNumber")
            number = reported if isinstance(reported, int) and reported > number else number + 1
            next_uri = body.get("nextUri")
            if not next_uri:
                yield Page(number, items, True)
                return
            target, query = with_required_params(str(next_uri), params), None
            if target in followed:
                raise MalformedResponseError(
                    f"{self.method} {path} returned a nextUri it had already returned ({next_uri}); "
                    "stopping instead of paging forever.",
                    method=self.method, path=path, status=200,
                )
            followed.add(target)
            yield Page(number, items, False)


def with_required_params(uri: str, params: Mapping[str, Any]) -> str:
    """``uri`` as an API path plus query, with any of ``params`` it lacks appended."""
    parts = urlsplit(uri)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    present = {name for name, _ in pairs}
    for name, value in params.items():
        if name in present or value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs.extend((name, _query_value(v)) for v in values)
    path = parts.path if parts.path.startswith("/") else "/" + parts.path
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
