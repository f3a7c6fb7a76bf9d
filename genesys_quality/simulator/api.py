"""The Genesys Cloud endpoints the simulator speaks: routing, authentication, rate limit, permissions.

Transport concerns (sockets, faults, admin paths) live in server.py; this module turns one parsed
request into one response.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from . import errors
from .auth import TokenIssuer
from .config import SimulatorConfig
from .forms import summary
from .organisation import Organisation
from .paging import bool_param, paging_params, simple_listing, str_param
from .query import parse_query, run_query
from .ratelimit import RateLimiter
from .scoring import FormIndex, ScoringError, score_evaluation
from .search import parse_search, run_search
from .stats import SimulatorStats
from .views import response_view

EVALUATION_VIEW = ("quality:evaluation:view",)
USERS_MAX_PAGE_SIZE = 500


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    params: list[tuple[str, str]]
    headers: Any
    body: bytes
    args: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError as error:
            raise errors.bad_request(f"The request body is not valid JSON: {error}.") from None


@dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Callable[["Api", Request], Any]
    permissions: tuple[str, ...] = ()
    any_permission: bool = False
    authenticated: bool = True

    @property
    def pattern(self) -> re.Pattern:
        return re.compile("^" + re.sub(r"\{[^/]+?\}", lambda m: f"(?P<{m.group(0)[1:-1]}>[^/]+)", self.template) + "$")


class Api:
    def __init__(self, config: SimulatorConfig, org: Organisation, tokens: TokenIssuer, stats: SimulatorStats) -> None:
        self.config = config
        self.org = org
        self.tokens = tokens
        self.stats = stats
        self.limiter = RateLimiter(config.rate_limit_per_minute, config.bucket_capacity)
        self._routes = [(route, route.pattern) for route in ROUTES]

    def route(self, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
        for route, pattern in self._routes:
            match = pattern.match(path)
            if match and route.method == method:
                return route, match.groupdict()
        return None, {}

    def handle(self, route: Route | None, request: Request) -> Response:
        try:
            if route is None:
                raise errors.not_found()
            if route.authenticated:
                token = self.tokens.authenticate(request.headers.get("Authorization"))
                retry_after = self.limiter.acquire(token)
                if retry_after:
                    raise errors.too_many_requests(retry_after)
                self._check_permissions(route)
            result = route.handler(self, request)
            return result if isinstance(result, Response) else Response(200, result)
        except errors.ApiError as error:
            return Response(error.status, error, error.headers)
        except errors.OAuthError as error:
            return Response(error.status, error.body())

    def _check_permissions(self, route: Route) -> None:
        granted = self.config.granted()
        if route.any_permission:
            if not granted & set(route.permissions):
                raise errors.missing_any_permissions(list(route.permissions))
        else:
            missing = [p for p in route.permissions if p not in granted]
            if missing:
                raise errors.missing_permissions(missing)


# -- handlers -------------------------------------------------------------------------------------


def _token(api: Api, request: Request) -> Response:
    form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    token = api.tokens.issue(request.headers.get("Authorization"), form)
    api.stats.record_token()
    return Response(200, token)


def _search(api: Api, request: Request) -> dict:
    return run_search(api.org, parse_search(request.json(), api.config.max_page_size))


def _query(api: Api, request: Request) -> dict:
    return run_query(api.org, parse_query(request.query, api.config.max_page_size), request.params)


def _evaluation(api: Api, request: Request) -> dict:
    with api.org.lock:
        doc = api.org.store.get(request.args["evaluationId"])
        if doc is None or doc["conversation"]["id"] != request.args["conversationId"]:
            raise errors.not_found()
        return response_view(doc, api.org.store.patches.get(doc["id"]))


def _forms(api: Api, request: Request) -> dict:
    page_size, page_number = paging_params(request.query, api.config.max_page_size)
    name = (str_param(request.query, "name") or "").lower()
    with_history = "publishHistory" in (request.query.get("expand") or [])
    catalog = api.org.catalog
    entities = []
    with api.org.lock:
        for context_id in catalog.contexts():
            versions = catalog.versions(context_id)
            if not versions or name not in versions[-1]["name"].lower():
                continue
            entity = summary(versions[-1], published=False)
            if with_history:
                entity["publishedVersions"] = {
                    "entities": [summary(v) for v in versions], "pageSize": len(versions), "pageNumber": 1,
                    "total": len(versions), "pageCount": 1,
                }
            entities.append(entity)
    entities.sort(key=lambda entity: entity["name"].lower(), reverse=_descending(request))
    return simple_listing(entities, request.path, request.params, page_number, page_size)


def _form(api: Api, request: Request) -> dict:
    with api.org.lock:
        version = api.org.catalog.version(request.args["formId"])
    if version is None:
        raise errors.not_found()
    return version


def _form_versions(api: Api, request: Request) -> dict:
    page_size, page_number = paging_params(request.query, api.config.max_page_size)
    with api.org.lock:
        context_id = api.org.catalog.context_of(request.args["formId"])
        if context_id is None:
            raise errors.not_found()
        versions = api.org.catalog.versions(context_id)
    if _descending(request):
        versions = versions[::-1]
    return simple_listing(versions, request.path, request.params, page_number, page_size)


def _published_forms(api: Api, request: Request) -> dict:
    page_size, page_number = paging_params(request.query, api.config.max_page_size)
    name = (str_param(request.query, "name") or "").lower()
    latest_only = bool(bool_param(request.query, "onlyLatestPerContext"))
    catalog = api.org.catalog
    with api.org.lock:
        entities = [
            summary(version)
            for context_id in catalog.contexts()
            if catalog.is_published(context_id)
            for version in (catalog.versions(context_id)[-1:] if latest_only else catalog.versions(context_id))
            if name in version["name"].lower()
        ]
    return simple_listing(entities, request.path, request.params, page_number, page_size)


def _published_form(api: Api, request: Request) -> dict:
    catalog = api.org.catalog
    with api.org.lock:
        context_id = catalog.context_of(request.args["formId"])
        latest = catalog.latest(context_id) if context_id and catalog.is_published(context_id) else None
    if latest is None:
        raise errors.not_found()
    return latest


def _scoring(api: Api, request: Request) -> dict:
    body = request.json()
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict) or not isinstance(body.get("evaluationForm"), dict):
        raise errors.bad_request("The body must be an EvaluationFormAndScoringSet: {\"evaluationForm\": {...}, \"answers\": {...}}.")
    form = body["evaluationForm"]
    if "questionGroups" not in form:
        with api.org.lock:
            form = api.org.catalog.version(str(form.get("id")))
        if form is None:
            raise errors.bad_request("evaluationForm must be a full form version (with questionGroups) or the id of a known form version.")
    try:
        return score_evaluation(form, body["answers"], FormIndex(form))
    except ScoringError as error:
        raise errors.bad_request(str(error)) from None
    except (KeyError, TypeError, AttributeError) as error:
        raise errors.bad_request(f"The form or answers are not shaped like the Genesys models: {error!r}.") from None


def _users(api: Api, request: Request) -> dict:
    page_size, page_number = paging_params(request.query, USERS_MAX_PAGE_SIZE)
    return simple_listing(api.org.users, request.path, request.params, page_number, page_size)


def _descending(request: Request) -> bool:
    return (str_param(request.query, "sortOrder") or "asc").lower() == "desc"


FORM_VIEW = ("quality:evaluationForm:view",)
ROUTES = (
    Route("POST", "/oauth/token", _token, authenticated=False),
    Route("POST", "/api/v2/quality/evaluations/search", _search, ("quality:evaluation:searchAny",)),
    Route("GET", "/api/v2/quality/evaluations/query", _query, EVALUATION_VIEW),
    Route("POST", "/api/v2/quality/evaluations/scoring", _scoring),
    Route(
        "GET", "/api/v2/quality/conversations/{conversationId}/evaluations/{evaluationId}", _evaluation,
        ("quality:evaluation:view", "quality:evaluation:assign", "quality:evaluation:release"), any_permission=True,
    ),
    Route("GET", "/api/v2/quality/forms/evaluations", _forms, FORM_VIEW),
    Route("GET", "/api/v2/quality/forms/evaluations/{formId}", _form, FORM_VIEW),
    Route("GET", "/api/v2/quality/forms/evaluations/{formId}/versions", _form_versions, FORM_VIEW),
    Route("GET", "/api/v2/quality/publishedforms/evaluations", _published_forms, FORM_VIEW),
    Route("GET", "/api/v2/quality/publishedforms/evaluations/{formId}", _published_form, FORM_VIEW),
    Route("GET", "/api/v2/users", _users, ("directory:user:view",)),
)
