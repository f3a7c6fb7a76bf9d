"""``GenesysClient``: the calls the pipeline makes, in the words of the pipeline.

Callers ask for "evaluations of this window" or "this form version"; authentication, pacing,
retries and paging happen underneath (auth.py, ratelimit.py, transport.py, paging.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterator, Mapping, Sequence
from urllib.parse import quote

from genesys_quality.genesys.auth import ClientCredentialsAuth
from genesys_quality.genesys.diagnostics import ConnectionReport, check_connection
from genesys_quality.genesys.errors import GenesysConfigurationError, MalformedResponseError
from genesys_quality.genesys.paging import NextUriPager, PageNumberPager, listing_items
from genesys_quality.genesys.paths import (
    EVALUATION_PATH,
    FORM_PATH,
    FORM_VERSIONS_PATH,
    PUBLISHED_FORM_PATH,
    PUBLISHED_FORMS_PATH,
    QUERY_PATH,
    SCORING_PATH,
    SEARCH_PATH,
    USERS_PATH,
)
from genesys_quality.genesys.ratelimit import RequestBudget
from genesys_quality.genesys.regions import DEFAULT_REGION, Hosts, resolve_hosts
from genesys_quality.genesys.search import (
    check_page_size,
    check_search_request,
    genesys_timestamp,
    search_body,
)
from genesys_quality.genesys.stats import RequestStats
from genesys_quality.genesys.transport import RetryPolicy, Transport


@dataclass(frozen=True)
class EvaluationPage:
    """One page of evaluations; ``is_last`` marks the final page (it may be empty)."""

    page_number: int
    evaluations: list[dict]
    is_last: bool


class GenesysClient:
    """A Genesys Cloud API client for Quality Management evaluations and forms.

    Thread-safe: share one instance between threads so they share one token and one request
    budget (``requests_per_minute``, bursts of ``requests_burst``; None disables pacing).
    ``sleep`` is what back-off and Retry-After waits call (injectable for embedding).
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        region: str = DEFAULT_REGION,
        api_base_url: str | None = None,
        login_base_url: str | None = None,
        requests_per_minute: float | None = 300,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_retries: int = 6,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        max_throttle_wait: float = 900.0,
        user_agent: str = "genesys_quality/0.1",
        *,
        requests_burst: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not client_id or not str(client_id).strip():
            raise GenesysConfigurationError("client_id is empty: set GENESYS_CLIENT_ID to the OAuth client id.")
        if not client_secret:
            raise GenesysConfigurationError(
                f"client_secret is empty for client id {client_id!r}: set GENESYS_CLIENT_SECRET."
            )
        if connect_timeout <= 0 or read_timeout <= 0:
            raise GenesysConfigurationError(
                f"Timeouts must be positive (connect_timeout={connect_timeout!r}, read_timeout={read_timeout!r})."
            )
        self.client_id = client_id
        self.hosts: Hosts = resolve_hosts(region, api_base_url, login_base_url)
        self._transport = Transport(
            self.hosts.api_base_url,
            budget=RequestBudget(requests_per_minute, requests_burst),
            retry=RetryPolicy(max_retries, backoff_initial, backoff_max, max_throttle_wait),
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            user_agent=user_agent,
            sleep=sleep,
        )
        self._auth = ClientCredentialsAuth(
            self._transport, self.hosts.login_base_url, client_id, client_secret
        )

    def __repr__(self) -> str:
        return f"GenesysClient(client_id={self.client_id!r}, api_base_url={self.hosts.api_base_url!r})"

    # -- evaluations -------------------------------------------------------------------------

    def search_evaluation_pages(
        self,
        start: datetime,
        end: datetime,
        *,
        date_field: str = "createdDate",
        page_size: int = 100,
        start_page: int = 1,
        sort_order: str = "ASC",
        extra_criteria: Sequence[dict[str, Any]] | None = None,
    ) -> Iterator[EvaluationPage]:
        """Pages of evaluations whose ``date_field`` is in [start, end), via POST .../search.

        The window is sent as a DATE_RANGE from ``start`` to ``end``; the project treats it as
        half-open so consecutive months never share an evaluation. Resume an interrupted run
        with ``start_page``. Needs permission ``quality:evaluation:searchAny``. Arguments Genesys
        would refuse (window over 3 calendar months, page over 100, naive datetimes) raise
        ValueError before any request.
        """
        check_search_request(
            start, end, date_field=date_field, page_size=page_size, start_page=start_page,
            sort_order=sort_order,
        )
        criteria = list(extra_criteria or ())

        def fetch_page(number: int) -> list[dict]:
            body = search_body(
                start, end, date_field=date_field, page_size=page_size, page_number=number,
                sort_order=sort_order, extra_criteria=criteria,
            )
            response = self._transport.call(
                "POST", SEARCH_PATH, json=body, auth=self._auth, retry_safe=True
            )
            return listing_items(response, "results", method="POST", path=SEARCH_PATH)

        pages = PageNumberPager(page_size, start_page).pages(fetch_page)
        return (EvaluationPage(p.number, p.items, p.is_last) for p in pages)

    def search_evaluations(
        self,
        start: datetime,
        end: datetime,
        *,
        date_field: str = "createdDate",
        page_size: int = 100,
        sort_order: str = "ASC",
        extra_criteria: Sequence[dict[str, Any]] | None = None,
    ) -> Iterator[dict]:
        """Every evaluation of :meth:`search_evaluation_pages`, one by one."""
        pages = self.search_evaluation_pages(
            start, end, date_field=date_field, page_size=page_size, sort_order=sort_order,
            extra_criteria=extra_criteria,
        )
        return (evaluation for page in pages for evaluation in page.evaluations)

    def query_evaluation_pages(
        self,
        *,
        evaluator_user_id: str | None = None,
        agent_user_id: str | None = None,
        assignee_user_id: str | None = None,
        conversation_id: str | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        page_size: int = 100,
        expand: Sequence[str] | None = None,
        form_context_id: str | None = None,
    ) -> Iterator[EvaluationPage]:
        """Pages of GET .../evaluations/query, always with answers (``expandAnswerTotalScores``).

        Genesys requires one of the four user/conversation filters. Agent-only queries leave out
        evaluations set to never release (genesys-api.md §1.1).
        """
        filters = {
            "evaluatorUserId": evaluator_user_id,
            "agentUserId": agent_user_id,
            "assigneeUserId": assignee_user_id,
            "conversationId": conversation_id,
        }
        if not any(filters.values()):
            raise ValueError(
                "query_evaluation_pages needs one of evaluator_user_id, agent_user_id, "
                "assignee_user_id or conversation_id: Genesys has no org-wide listing here (use "
                "search_evaluation_pages, or list_users and query per user)."
            )
        check_page_size(page_size)
        if isinstance(expand, str):
            expand = [expand]
        params: dict[str, Any] = {
            **{name: value for name, value in filters.items() if value},
            "pageSize": page_size,
            "pageNumber": 1,
            "expandAnswerTotalScores": "true",
            "startTime": genesys_timestamp(start_time, name="start_time") if start_time else None,
            "endTime": genesys_timestamp(end_time, name="end_time") if end_time else None,
            "formContextId": form_context_id,
            "expand": list(expand) if expand else None,
        }
        params = {name: value for name, value in params.items() if value is not None}
        pages = NextUriPager("entities").pages(self._fetch_listing(QUERY_PATH), QUERY_PATH, params)
        return (EvaluationPage(p.number, p.items, p.is_last) for p in pages)

    def query_evaluations(self, **filters: Any) -> Iterator[dict]:
        """Every evaluation of :meth:`query_evaluation_pages` (same keyword arguments), one by one."""
        pages = self.query_evaluation_pages(**filters)
        return (evaluation for page in pages for evaluation in page.evaluations)

    def get_evaluation(
        self, conversation_id: str, evaluation_id: str, expand: str | None = None
    ) -> dict:
        """One evaluation (any version) by conversation and evaluation id."""
        path = EVALUATION_PATH.format(
            conversationId=_segment(conversation_id, "conversation_id"),
            evaluationId=_segment(evaluation_id, "evaluation_id"),
        )
        params = {"expand": expand} if expand else None
        return self._get_object(path, EVALUATION_PATH, params)

    def score_evaluation(self, form: Mapping[str, Any], answers: Mapping[str, Any]) -> dict:
        """Genesys's own score for ``answers`` on ``form`` (stateless; nothing is saved)."""
        body = self._transport.call(
            "POST", SCORING_PATH, json={"evaluationForm": form, "answers": answers},
            auth=self._auth, retry_safe=True,
        )
        return _object(body, "POST", SCORING_PATH, required=())

    # -- forms and users ---------------------------------------------------------------------

    def get_form_version(self, form_id: str) -> dict:
        """One evaluation form version, with its question groups (immutable once published)."""
        path = FORM_PATH.format(formId=_segment(form_id, "form_id"))
        return self._get_object(path, FORM_PATH)

    def list_form_versions(self, form_id: str) -> list[dict]:
        """Every version of a form, oldest first (all pages of 100).

        The entities are ``EvaluationFormResponse``s, the type the single GET returns; whether
        they carry ``questionGroups`` is up to Genesys, so callers check before relying on them.
        """
        path = FORM_VERSIONS_PATH.format(formId=_segment(form_id, "form_id"))
        params = {"pageSize": 100, "pageNumber": 1, "sortOrder": "asc"}
        return self._collect(path, FORM_VERSIONS_PATH, params)

    def list_published_forms(self, latest_per_context: bool = True) -> list[dict]:
        """Published form versions (only the latest of each form by default)."""
        params = {
            "pageSize": 100,
            "pageNumber": 1,
            "onlyLatestPerContext": "true" if latest_per_context else "false",
        }
        return self._collect(PUBLISHED_FORMS_PATH, PUBLISHED_FORMS_PATH, params)

    def get_published_form(self, form_id: str) -> dict:
        """The most recent published version of a form."""
        path = PUBLISHED_FORM_PATH.format(formId=_segment(form_id, "form_id"))
        return self._get_object(path, PUBLISHED_FORM_PATH)

    def list_users(self, page_size: int = 100, state: str | None = None) -> Iterator[dict]:
        """Users of the org, for the per-user query fan-out when search is not permitted.

        ``state`` (``active``, ``inactive``, ``deleted``, ``any``) is sent only when given.
        """
        check_page_size(page_size)
        params: dict[str, Any] = {"pageSize": page_size, "pageNumber": 1}
        if state:
            params["state"] = state
        pages = NextUriPager("entities").pages(self._fetch_listing(USERS_PATH), USERS_PATH, params)
        return (user for page in pages for user in page.items)

    # -- plumbing ----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        retry_safe: bool = False,
        endpoint: str | None = None,
    ) -> Any:
        """Any authenticated call under the API base URL, with the client's pacing and retries.

        GETs are retried on transient failures; a POST/PUT/DELETE only if ``retry_safe`` says
        repeating it cannot change anything (a read-only search, say).
        """
        if not path.startswith("/"):
            raise ValueError(f"path={path!r} must start with '/' (e.g. /api/v2/users).")
        return self._transport.call(
            method, path, params=params, json=json, auth=self._auth, retry_safe=retry_safe,
            endpoint=endpoint,
        )

    def get(self, path: str, params: Mapping[str, Any] | None = None, *, endpoint: str | None = None) -> Any:
        """Any authenticated GET under the API base URL."""
        return self.request("GET", path, params=params, endpoint=endpoint)

    def authenticate(self) -> None:
        """Fetch (or reuse) an access token now, so bad credentials fail before real work starts."""
        self._auth.token()

    def check_connection(self) -> ConnectionReport:
        """Credentials, hosts and permissions, each problem saying what to fix; never raises for them."""
        return check_connection(self)

    @property
    def requests_per_minute(self) -> float | None:
        """The client's request budget (None: not paced)."""
        return self._transport.budget.requests_per_minute

    @property
    def stats(self) -> RequestStats:
        """A snapshot of the traffic so far (subtract an earlier snapshot with ``since``)."""
        return self._transport.stats

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> "GenesysClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _fetch_listing(self, endpoint: str) -> Callable[[str, Mapping[str, Any] | None], Any]:
        def fetch(target: str, params: Mapping[str, Any] | None) -> Any:
            return self._transport.call("GET", target, params=params, auth=self._auth, endpoint=endpoint)

        return fetch

    def _collect(self, path: str, endpoint: str, params: Mapping[str, Any]) -> list[dict]:
        pager = NextUriPager("entities")
        return [item for page in pager.pages(self._fetch_listing(endpoint), path, params) for item in page.items]

    def _get_object(self, path: str, endpoint: str, params: Mapping[str, Any] | None = None) -> dict:
        body = self._transport.call("GET", path, params=params, auth=self._auth, endpoint=endpoint)
        return _object(body, "GET", path, required=("id",))


def _segment(value: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}={value!r} must be a non-empty id string.")
    return quote(value, safe="")


def _object(body: Any, method: str, path: str, *, required: Sequence[str]) -> dict:
    if not isinstance(body, dict) or any(key not in body for key in required):
        got = f"keys {sorted(body)}" if isinstance(body, dict) else type(body).__name__
        raise MalformedResponseError(
            f"{method} {path} answered with {got} instead of an object with {list(required) or 'fields'}.",
            method=method, path=path, status=200,
        )
    return body
