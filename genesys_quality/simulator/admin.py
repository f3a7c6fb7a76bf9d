"""Admin HTTP endpoints (only with `control_api=True`, only on loopback), under /__simulator__/.

POST /__simulator__/control/<method>  JSON kwargs -> the Organisation control method's result
POST /__simulator__/faults/<method>   JSON kwargs -> the Faults method's result
GET  /__simulator__/stats             the counters
Errors use the ErrorBody shape: 400 for bad arguments or an impossible change, 404 for unknown ids.
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

from . import errors

ADMIN_PREFIX = "/__simulator__/"
CONTROL_METHODS = frozenset({
    "evaluations_in_month", "get_evaluation", "add_evaluation", "rescore", "dispute", "resolve_dispute", "finish",
    "delete", "remove_question", "publish_form_version", "unpublish_form", "patch_evaluation_json", "form_contexts",
    "delete_form_version",
})
CONTROL_PROPERTIES = frozenset({"forms", "users", "agents", "evaluators", "queues", "months", "deleted_evaluation_ids"})
FAULT_METHODS = frozenset({"configure", "throttle", "fail_next", "clear", "expire_tokens", "describe"})
_PATH = re.compile(r"^/__simulator__/(control|faults)/([A-Za-z_]+)$")


def dispatch(org, faults, stats, method: str, path: str, body: bytes) -> tuple[int, Any]:
    """(status, JSON-ready payload) for one admin request."""
    if path == ADMIN_PREFIX + "stats" and method == "GET":
        return 200, stats.snapshot()
    match = _PATH.match(path)
    if not match or method != "POST":
        raise errors.not_found()
    area, name = match.groups()
    target, allowed = (org, CONTROL_METHODS) if area == "control" else (faults, FAULT_METHODS)
    if area == "control" and name in CONTROL_PROPERTIES:
        return 200, getattr(org, name)
    if name not in allowed:
        raise errors.ApiError(404, "not.found", f"No {area} method {name!r}; available: {', '.join(sorted(allowed))}.")
    kwargs = _kwargs(body)
    function = getattr(target, name)
    try:
        inspect.signature(function).bind(**kwargs)
    except TypeError as error:
        raise errors.bad_request(f"{area}/{name}: {error}.") from None
    try:
        return 200, _jsonable(function(**kwargs))
    except LookupError as error:
        raise errors.ApiError(404, "not.found", str(error).strip("'\"")) from None
    except ValueError as error:
        raise errors.bad_request(str(error)) from None


def _kwargs(body: bytes) -> dict:
    try:
        kwargs = json.loads(body or b"{}")
    except ValueError as error:
        raise errors.bad_request(f"The body must be a JSON object of keyword arguments: {error}.") from None
    if not isinstance(kwargs, dict):
        raise errors.bad_request("The body must be a JSON object of keyword arguments.")
    return kwargs


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value
