"""``check_connection``: can this client run the pipeline, and if not, what exactly to fix.

Each probe is the smallest real call that needs the same setting or permission as the pipeline:
a token, a 1-item search of a 1-day window, a 1-item page of published forms, and (only when
search is refused) the per-user fallback of listing users and querying one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Callable

from genesys_quality.genesys.errors import GenesysError, PermissionDeniedError
from genesys_quality.genesys.paths import PUBLISHED_FORMS_PATH, QUERY_PATH, USERS_PATH

if TYPE_CHECKING:
    from genesys_quality.genesys.client import GenesysClient

SEARCH_PERMISSION = "quality:evaluation:searchAny"
FORMS_PERMISSION = "quality:evaluationForm:view"
QUERY_PERMISSION = "quality:evaluation:view"


@dataclass(frozen=True)
class ConnectionReport:
    """``ok`` is True when the pipeline can run; ``problems`` block it, ``notes`` only slow it."""

    ok: bool
    api_base_url: str
    login_base_url: str
    problems: list[str]
    can_search: bool
    notes: list[str] = field(default_factory=list)


def check_connection(client: "GenesysClient") -> ConnectionReport:
    """Probe token, search, forms (and the per-user fallback); failures become report lines."""
    problems: list[str] = []
    notes: list[str] = []

    def report(can_search: bool) -> ConnectionReport:
        return ConnectionReport(
            ok=not problems, api_base_url=client.hosts.api_base_url,
            login_base_url=client.hosts.login_base_url, problems=problems,
            can_search=can_search, notes=notes,
        )

    try:
        client.authenticate()
    except GenesysError as exc:
        problems.append(f"Could not get an access token: {exc}")
        return report(False)

    can_search = _probe_search(client, problems, notes)
    _probe(
        problems, FORMS_PERMISSION, "read evaluation forms",
        lambda: client.get(PUBLISHED_FORMS_PATH, {"pageSize": 1, "pageNumber": 1}),
    )
    if not can_search and not problems:
        _probe(problems, QUERY_PERMISSION, "query evaluations per user", lambda: _probe_fan_out(client))
    return report(can_search)


def _probe_search(client: "GenesysClient", problems: list[str], notes: list[str]) -> bool:
    end = datetime.now(timezone.utc).replace(microsecond=0)
    try:
        next(iter(client.search_evaluation_pages(end - timedelta(days=1), end, page_size=1)))
    except PermissionDeniedError as exc:
        notes.append(
            f"Search is refused ({exc.code or 'HTTP 403'}): add permission {SEARCH_PERMISSION} to "
            "the OAuth client's role to extract with one search per month; without it the "
            "pipeline must query evaluations user by user (slower, more requests)."
        )
        return False
    except GenesysError as exc:
        problems.append(f"Could not search evaluations: {exc}")
        return False
    return True


def _probe_fan_out(client: "GenesysClient") -> None:
    users = client.get(USERS_PATH, {"pageSize": 1, "pageNumber": 1})
    entities = users.get("entities") if isinstance(users, dict) else None
    if entities:
        params = {"agentUserId": entities[0]["id"], "pageSize": 1, "expandAnswerTotalScores": "true"}
        client.get(QUERY_PATH, params)


def _probe(problems: list[str], permission: str, action: str, call: Callable[[], object]) -> None:
    try:
        call()
    except PermissionDeniedError as exc:
        missing = ", ".join(exc.missing_permissions) or permission
        problems.append(
            f"Cannot {action}: the OAuth client is missing permission {missing}; add it to the "
            f"OAuth client's role in Genesys Cloud Admin. ({exc})"
        )
    except GenesysError as exc:
        problems.append(f"Cannot {action}: {exc}")
