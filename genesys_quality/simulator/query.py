"""`GET /api/v2/quality/evaluations/query`: the per-user/conversation listing of genesys-api.md §1.1.

Behaviour reproduced: one of conversationId/evaluatorUserId/agentUserId/assigneeUserId is
required (400 otherwise); `answers` only with `expandAnswerTotalScores=true`; agentUserId alone
sorts by releaseDate and leaves out neverRelease (and not-yet-released) evaluations, otherwise
by assignedDate; `total`/`pageCount` are approximate (deterministically off); some pages are
short yet still carry `nextUri`; `nextUri` is absent on the last page.

UNVERIFIED choice: `startTime`/`endTime` filter on the sort date ([startTime, endTime)).
Short pages never lose evaluations: page boundaries are the running sum of the page lengths.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from . import dates, errors
from .ids import derive, key_of, unit
from .paging import bool_param, entity_listing, int_param, paging_params, str_param
from .population import DATE_LAGS_MS
from .store import unpack
from .views import entity_view

PATH = "/api/v2/quality/evaluations/query"
USER_FILTERS = ("conversationId", "evaluatorUserId", "agentUserId", "assigneeUserId")
STATES = {"PENDING": "PENDING", "INPROGRESS": "INPROGRESS", "FINISHED": "FINISHED", "INREVIEW": "INREVIEW", "RETRACTED": "RETRACTED"}
SHORT_PAGE_RATE = 0.15


@dataclass(frozen=True)
class QueryPlan:
    filters: tuple[tuple[str, str], ...]
    states: frozenset[str]
    is_released: bool | None
    agent_has_read: bool | None
    window: tuple[int | None, int | None]
    sort_field: str
    descending: bool
    with_answers: bool
    page_size: int
    page_number: int
    maximum: int | None
    agent_team_id: str | None

    def matches(self, doc: dict) -> bool:
        for name, value in self.filters:
            if _FILTER_VALUES[name](doc) != value:
                return False
        if self.agent_team_id is not None:
            return False
        if self.states and doc["status"] not in self.states:
            return False
        if self.is_released is not None and ("releaseDate" in doc) != self.is_released:
            return False
        if self.agent_has_read is not None and bool(doc.get("agentHasRead")) != self.agent_has_read:
            return False
        if self.sort_field == "releaseDate" and (doc.get("neverRelease") or "releaseDate" not in doc):
            return False
        low, high = self.window
        if low is not None or high is not None:
            value = doc.get(self.sort_field)
            if value is None:
                return False
            moment = dates.parse_iso(value)
            if (low is not None and moment < low) or (high is not None and moment >= high):
                return False
        return True

    def people(self) -> tuple[set[str] | None, set[str] | None]:
        """(agent ids, evaluator ids) a generated match must have (its assignee is its evaluator)."""
        filters = dict(self.filters)
        agent = filters.get("agentUserId")
        evaluators = {filters[k] for k in ("evaluatorUserId", "assigneeUserId") if k in filters}
        if len(evaluators) > 1:
            return ({agent} if agent else None), set()
        return ({agent} if agent else None), (evaluators or None)

    def created_window(self) -> tuple[int, int]:
        lag_low, lag_high = DATE_LAGS_MS[self.sort_field]
        low, high = self.window
        return (-(1 << 62) if low is None else low - lag_high, (1 << 62) if high is None else high - lag_low)


_FILTER_VALUES = {
    "conversationId": lambda doc: doc["conversation"]["id"],
    "agentUserId": lambda doc: (doc.get("agent") or {}).get("id"),
    "evaluatorUserId": lambda doc: (doc.get("evaluator") or {}).get("id"),
    "assigneeUserId": lambda doc: (doc.get("assignee") or {}).get("id"),
    "queueId": lambda doc: (doc.get("queue") or {}).get("id"),
    "formContextId": lambda doc: doc["evaluationForm"]["contextId"],
}


def parse_query(query: dict[str, list[str]], max_page_size: int) -> QueryPlan:
    page_size, page_number = paging_params(query, max_page_size)
    filters = tuple((name, str_param(query, name)) for name in _FILTER_VALUES if str_param(query, name))
    names = {name for name, _ in filters}
    if not names & set(USER_FILTERS):
        raise errors.bad_request(
            "One of conversationId, evaluatorUserId, agentUserId or assigneeUserId is required; "
            "to list the whole organisation use POST /api/v2/quality/evaluations/search."
        )
    release_sorted = "agentUserId" in names and not names & {"conversationId", "evaluatorUserId"}
    sort_order = (str_param(query, "sortOrder") or "asc").lower()
    if sort_order not in ("asc", "desc"):
        raise errors.bad_request(f"sortOrder must be asc or desc (got {sort_order!r}).")
    maximum = int_param(query, "maximum", 0) or None
    return QueryPlan(
        filters=filters,
        states=_states(query),
        is_released=bool_param(query, "isReleased"),
        agent_has_read=bool_param(query, "agentHasRead"),
        window=(_time(query, "startTime"), _time(query, "endTime")),
        sort_field="releaseDate" if release_sorted else "assignedDate",
        descending=sort_order == "desc" and "conversationId" not in names,
        with_answers=bool(bool_param(query, "expandAnswerTotalScores")),
        page_size=page_size,
        page_number=page_number,
        maximum=maximum,
        agent_team_id=str_param(query, "agentTeamId"),
    )


def run_query(org, plan: QueryPlan, params: list[tuple[str, str]]) -> dict:
    """An `EvaluationEntityListing` page."""
    with org.lock:
        store = org.store
        conversation = dict(plan.filters).get("conversationId")
        if conversation is not None:
            matched = [(store.doc(ref, False), ref) for ref in store.by_conversation(conversation)]
            matched = [(doc, ref) for doc, ref in matched if plan.matches(doc)]
            matched.sort(key=lambda item: (item[0].get(plan.sort_field) or "~", item[0]["id"]))
            refs = [ref for _, ref in matched]
        else:
            key = ("query", dataclasses.replace(plan, page_size=0, page_number=0, with_answers=False, maximum=None))
            prefilter = store.population.people_filter(*plan.people())
            packed = store.find_sorted(plan.matches, plan.sort_field, plan.created_window(), plan.descending, key, prefilter)
            refs = [unpack(p) for p in packed]
        truth = len(refs) if plan.maximum is None else min(len(refs), plan.maximum)
        page_key = key_of(org.config.seed, "query-pages", sorted((k, v) for k, v in params if k != "pageNumber"))
        start, length = _page_bounds(page_key, plan.page_number, plan.page_size, truth)
        entities = []
        for ref in refs[start : start + length]:
            doc = store.resolve(ref, with_answers=plan.with_answers)
            if doc is not None:
                entities.append(entity_view(doc, plan.with_answers, store.patches.get(doc["id"])))
    return entity_listing(
        entities,
        path=PATH,
        params=params,
        page_number=plan.page_number,
        page_size=plan.page_size,
        total=_approximate(page_key, truth),
        has_next=start + length < truth,
    )


def _page_bounds(page_key: int, page_number: int, page_size: int, truth: int) -> tuple[int, int]:
    """(offset, length) of a page when some pages are seeded to come back short."""
    start = 0
    for page in range(1, page_number + 1):
        length = page_size
        if page_size >= 2 and unit(page_key, page) < SHORT_PAGE_RATE:
            length = page_size - 1 - derive(page_key, page, 1) % (page_size // 2)
        if page == page_number or start >= truth:
            return min(start, truth), max(0, min(length, truth - start))
        start += length
    return truth, 0


def _approximate(page_key: int, truth: int) -> int:
    """A total that is deterministically off from the truth by 1..10% (never for an empty result)."""
    if truth == 0:
        return 0
    off = 1 + derive(page_key, 7) % max(1, truth // 10)
    if derive(page_key, 8) % 2 and truth - off >= 1:
        return truth - off
    return truth + off


def _states(query: dict[str, list[str]]) -> frozenset[str]:
    states = set()
    for value in query.get("evaluationState") or []:
        for part in filter(None, value.split(",")):
            state = STATES.get(part.strip().upper())
            if state is None:
                raise errors.bad_request(f"evaluationState {part!r} is not one of {', '.join(STATES)}.")
            states.add(state)
    return frozenset(states)


def _time(query: dict[str, list[str]], name: str) -> int | None:
    value = str_param(query, name)
    if value is None:
        return None
    try:
        return dates.parse_iso(value)
    except ValueError:
        raise errors.invalid_date(
            f"Dates must be specified as ISO-8601 strings like yyyy-MM-ddTHH:mm:ss.SSSZ; {name} {value!r} is not."
        ) from None
