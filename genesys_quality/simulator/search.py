"""`POST /api/v2/quality/evaluations/search`: the request rules of genesys-api.md §1.2 and their execution.

Decisions where the reference is silent (documented in README.md):
- DATE_RANGE is half-open, [startValue, endValue): consecutive month windows never share an evaluation.
- A window may span at most 3 calendar months (start + 3 months >= end), else 400.
- Default sort is createdDate ascending; ties are broken by id; DESC is the exact reverse.
  Evaluations without the sort date (e.g. unreleased ones sorted by releaseDate) come last.
- `contextId` matches the form's `contextId` (the logical form), like the analytics dimension.
- Supported criteria: DATE_RANGE on the four date fields, EXACT on the id/status fields below;
  anything else (and aggregations) is answered 400 naming what is unsupported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import dates, errors
from .population import DATE_LAGS_MS
from .store import slice_segments, unpack
from .views import search_view

DATE_FIELDS = ("createdDate", "submittedDate", "releaseDate", "conversationDate")
EXACT_FIELDS: dict[str, Callable[[dict], list]] = {
    "evaluationId": lambda doc: [doc["id"]],
    "conversationId": lambda doc: [doc["conversation"]["id"]],
    "contextId": lambda doc: [doc["evaluationForm"]["contextId"]],
    "formId": lambda doc: [doc["evaluationForm"]["id"]],
    "evaluationStatus": lambda doc: [doc["status"]],
    "agentId": lambda doc: [(doc.get("agent") or {}).get("id")],
    "evaluatorId": lambda doc: [(doc.get("evaluator") or {}).get("id")],
    "assigneeId": lambda doc: [(doc.get("assignee") or {}).get("id")],
    "queueId": lambda doc: [(doc.get("queue") or {}).get("id")],
    "mediaType": lambda doc: list(doc.get("mediaType") or []),
    "released": lambda doc: ["true" if "releaseDate" in doc else "false"],
}
MAX_WINDOW_MONTHS = 3
DEFAULT_PAGE_SIZE = 25
_UNBOUNDED = (-(1 << 62), 1 << 62)


@dataclass(frozen=True)
class Criterion:
    field: str
    type: str
    negate: bool
    values: frozenset[str] = frozenset()
    window: tuple[int, int] = (0, 0)

    def excludes_ids(self) -> bool:
        """`NOT evaluationId` (how a client restarting a window leaves out what it already read)."""
        return self.type == "EXACT" and self.field == "evaluationId" and self.negate

    def matches(self, doc: dict) -> bool:
        if self.type == "DATE_RANGE":
            value = doc.get(self.field)
            hit = value is not None and self.window[0] <= dates.parse_iso(value) < self.window[1]
        else:
            hit = any(value is not None and _normalise(self.field, value) in self.values for value in EXACT_FIELDS[self.field](doc))
        return hit != self.negate


@dataclass(frozen=True)
class SearchPlan:
    criteria: tuple[Criterion, ...]
    sort_by: str
    descending: bool
    page_size: int
    page_number: int
    system_submitted: bool

    def created_window(self) -> tuple[int, int]:
        """createdDate bounds that every generated match must lie in (derived from the date ranges)."""
        low, high = _UNBOUNDED
        for criterion in self.criteria:
            if criterion.type == "DATE_RANGE" and not criterion.negate:
                lag_low, lag_high = DATE_LAGS_MS[criterion.field]
                low = max(low, criterion.window[0] - lag_high)
                high = min(high, criterion.window[1] - lag_low)
        return low, high

    def people(self) -> tuple[set[str] | None, set[str] | None]:
        """(agent ids, evaluator ids) a generated match must have (its assignee is its evaluator)."""
        agents = evaluators = None
        for c in self.criteria:
            if c.type == "EXACT" and not c.negate and c.field == "agentId":
                agents = set(c.values) if agents is None else agents & c.values
            if c.type == "EXACT" and not c.negate and c.field in ("evaluatorId", "assigneeId"):
                evaluators = set(c.values) if evaluators is None else evaluators & c.values
        return agents, evaluators

    def is_created_range_only(self) -> bool:
        """createdDate ranges, sorted by createdDate, at most leaving out evaluations by id: an index walk."""
        return self.sort_by == "createdDate" and not self.system_submitted and all(
            (c.type == "DATE_RANGE" and c.field == "createdDate" and not c.negate) or c.excludes_ids()
            for c in self.criteria
        )

    def excluded_ids(self) -> set[str]:
        return {value for c in self.criteria if c.excludes_ids() for value in c.values}


def parse_search(body, max_page_size: int) -> SearchPlan:
    if not isinstance(body, dict):
        raise errors.bad_request("The request body must be a JSON object (EvaluationSearchRequestDTO).")
    if body.get("aggregations"):
        raise errors.bad_request("aggregations are not supported by this simulator; omit them and page through results.")
    page_size = _int(body.get("pageSize", DEFAULT_PAGE_SIZE), "pageSize")
    if not 0 <= page_size <= max_page_size:
        raise errors.bad_request(f"pageSize must be between 1 and {max_page_size} (got {page_size}).")
    page_number = _int(body.get("pageNumber", 1), "pageNumber")
    if page_number < 1:
        raise errors.bad_request(f"pageNumber must be 1 or more (got {page_number}).")
    sort_by = body.get("sortBy") or "createdDate"
    if sort_by not in DATE_FIELDS:
        raise errors.bad_request(f"sortBy must be one of {', '.join(DATE_FIELDS)} (got {sort_by!r}).")
    sort_order = str(body.get("sortOrder") or "ASC").upper()
    if sort_order not in ("ASC", "DESC"):
        raise errors.bad_request(f"sortOrder must be ASC or DESC (got {body.get('sortOrder')!r}).")
    query = body.get("query") or []
    if not isinstance(query, list):
        raise errors.bad_request("query must be a list of EvaluationSearchCriteriaDTO objects.")
    criteria = tuple(_criterion(item) for item in query)
    if not any(c.type == "DATE_RANGE" and not c.negate for c in criteria):
        raise errors.bad_request(
            "A time range is required: add a DATE_RANGE criterion on createdDate, submittedDate, releaseDate "
            f"or conversationDate spanning at most {MAX_WINDOW_MONTHS} months."
        )
    return SearchPlan(criteria, sort_by, sort_order == "DESC", page_size, page_number, bool(body.get("systemSubmitted")))


def run_search(org, plan: SearchPlan) -> dict:
    """One page of results in the search shape: `{pageSize, pageNumber, results}` (no total, no nextUri)."""
    offset = (plan.page_number - 1) * plan.page_size
    with org.lock:
        store = org.store
        if plan.page_size == 0:
            refs = []
        elif plan.is_created_range_only():
            segments = store.without(store.sequence(*plan.created_window()), plan.excluded_ids())
            refs = slice_segments(segments, offset, plan.page_size, plan.descending)
        else:
            key = ("search", plan.criteria, plan.sort_by, plan.descending, plan.system_submitted)
            prefilter = store.population.people_filter(*plan.people())
            packed = store.find_sorted(_matcher(plan), plan.sort_by, plan.created_window(), plan.descending, key, prefilter)
            refs = [unpack(item) for item in packed[offset : offset + plan.page_size]]
        results = []
        for ref in refs:
            doc = store.resolve(ref)
            if doc is not None:
                results.append(search_view(doc, store.patches.get(doc["id"])))
    return {"pageSize": plan.page_size, "pageNumber": plan.page_number, "results": results}


def _matcher(plan: SearchPlan) -> Callable[[dict], bool]:
    if plan.system_submitted:
        return lambda doc: False
    return lambda doc: all(criterion.matches(doc) for criterion in plan.criteria)


def _criterion(item) -> Criterion:
    if not isinstance(item, dict):
        raise errors.bad_request(f"Each query criterion must be an object, got {item!r}.")
    kind, field = item.get("type"), item.get("field")
    operator = str(item.get("operator") or "AND").upper()
    if operator not in ("AND", "NOT"):
        raise errors.bad_request(f"operator must be AND or NOT (got {item.get('operator')!r}).")
    if kind == "DATE_RANGE":
        if field not in DATE_FIELDS:
            raise errors.bad_request(f"DATE_RANGE needs a date field ({', '.join(DATE_FIELDS)}), got {field!r}.")
        return Criterion(field, kind, operator == "NOT", window=_window(field, item.get("startValue"), item.get("endValue")))
    if kind == "EXACT":
        if field not in EXACT_FIELDS:
            raise errors.bad_request(f"EXACT on {field!r} is not supported by this simulator; supported: {', '.join(EXACT_FIELDS)}.")
        values = item.get("values") or ([item["value"]] if item.get("value") is not None else [])
        if not values or not isinstance(values, list):
            raise errors.bad_request(f"EXACT criterion on {field} needs a value or a values list.")
        return Criterion(field, kind, operator == "NOT", values=frozenset(_normalise(field, v) for v in values))
    raise errors.bad_request(f"criterion type {kind!r} is not supported by this simulator (supported: EXACT, DATE_RANGE).")


def _window(field: str, start, end) -> tuple[int, int]:
    if start is None or end is None:
        raise errors.bad_request(f"The {field} DATE_RANGE needs both startValue and endValue.")
    bounds = []
    for name, value in (("startValue", start), ("endValue", end)):
        try:
            bounds.append(dates.parse_iso(value))
        except ValueError:
            raise errors.invalid_date(
                f"Dates must be specified as ISO-8601 strings like yyyy-MM-ddTHH:mm:ss.SSSZ; {name} {value!r} of the {field} range is not."
            ) from None
    low, high = bounds
    if high <= low:
        raise errors.bad_request(f"The {field} range must end after it starts ({start} .. {end}).")
    if high > dates.add_calendar_months_ms(low, MAX_WINDOW_MONTHS):
        raise errors.bad_request(
            f"The {field} range {start} .. {end} is longer than {MAX_WINDOW_MONTHS} months; search at most {MAX_WINDOW_MONTHS} months at a time."
        )
    return low, high


def _normalise(field: str, value) -> str:
    text = str(value)
    if field == "released":
        return text.lower()
    return text.upper() if field in ("evaluationStatus", "mediaType") else text


def _int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise errors.bad_request(f"{name} must be an integer (got {value!r}).")
    try:
        return int(value)
    except ValueError:
        raise errors.bad_request(f"{name} must be an integer (got {value!r}).") from None
