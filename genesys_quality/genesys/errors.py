"""Typed errors of the Genesys client.

Each message says what failed (method, endpoint, HTTP status, Genesys error code, correlation id)
and what to do about it. Messages are built only from response bodies and our own settings, and
are scrubbed of the client secret and access tokens before they are raised.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

_PERMISSION = re.compile(r"\b[A-Za-z]+:[A-Za-z*]+:[A-Za-z*]+\b")
REDACTED = "[REDACTED]"


class GenesysError(Exception):
    """Base of every error raised by the Genesys client."""


class GenesysConfigurationError(GenesysError, ValueError):
    """A setting (region, URL, credentials, limits) is missing or invalid."""


class UnknownRegionError(GenesysConfigurationError):
    """The region is neither a known SDK key nor a known Genesys Cloud domain."""

    def __init__(self, region: str, valid_keys: Iterable[str]):
        self.region = region
        self.valid_keys = list(valid_keys)
        super().__init__(
            f"Unknown Genesys Cloud region {region!r}. Set GENESYS_REGION to one of: "
            f"{', '.join(self.valid_keys)} (or to its domain, e.g. 'mypurecloud.ie'), or set "
            "GENESYS_API_BASE_URL and GENESYS_LOGIN_BASE_URL to explicit URLs."
        )


class GenesysConnectionError(GenesysError):
    """Genesys could not be reached (DNS, refused connection, reset, timeout)."""

    def __init__(self, message: str, *, method: str, path: str, base_url: str):
        self.method = method
        self.path = path
        self.base_url = base_url
        super().__init__(message)


class MalformedResponseError(GenesysError):
    """A successful response was not JSON or lacked the fields the endpoint always returns."""

    def __init__(self, message: str, *, method: str, path: str, status: int | None = None):
        self.method = method
        self.path = path
        self.status = status
        super().__init__(message)


class GenesysApiError(GenesysError):
    """Genesys answered with an error status; carries the fields of its ErrorBody."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        path: str,
        code: str | None = None,
        api_message: str | None = None,
        correlation_id: str | None = None,
    ):
        self.status = status
        self.method = method
        self.path = path
        self.code = code
        self.api_message = api_message
        self.correlation_id = correlation_id
        super().__init__(message)


class BadRequestError(GenesysApiError):
    """HTTP 400: Genesys rejected the parameters or body."""


class AuthenticationError(GenesysApiError):
    """The client credentials or the access token were rejected."""


class PermissionDeniedError(GenesysApiError):
    """HTTP 403: the OAuth client's roles lack a permission."""

    def __init__(self, message: str, *, missing_permissions: list[str], **fields: Any):
        self.missing_permissions = missing_permissions
        super().__init__(message, **fields)


class NotFoundError(GenesysApiError):
    """HTTP 404: the object does not exist (wrong id, or deleted)."""


class RateLimitedError(GenesysApiError):
    """HTTP 429 persisted after waiting the allowed total time."""

    def __init__(self, message: str, *, waited_seconds: float, **fields: Any):
        self.waited_seconds = waited_seconds
        super().__init__(message, **fields)


class ServerError(GenesysApiError):
    """HTTP 5xx persisted after the retries allowed for the call."""


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every non-trivial secret value replaced by a marker."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text


def error_fields(body: Any, headers: Mapping[str, str]) -> dict[str, str | None]:
    """``code``, ``message`` and correlation id from an ErrorBody or an OAuth error body."""
    body = body if isinstance(body, dict) else {}
    code = body.get("code") or body.get("error")
    message = body.get("message") or body.get("error_description") or body.get("description")
    correlation = body.get("contextId") or headers.get("ININ-Correlation-Id")
    return {
        "code": str(code) if code else None,
        "api_message": str(message) if message else None,
        "correlation_id": str(correlation) if correlation else None,
    }


def missing_permissions(body: Any) -> list[str]:
    """Permission names (``domain:entity:action``) quoted by a 403 ErrorBody."""
    if not isinstance(body, dict):
        return []
    texts = [str(body.get("message") or ""), str(body.get("messageWithParams") or "")]
    params = body.get("messageParams")
    if isinstance(params, dict):
        texts.extend(str(value) for value in params.values())
    found: list[str] = []
    for text in texts:
        for name in _PERMISSION.findall(text):
            if name not in found:
                found.append(name)
    return found


def api_error(
    status: int,
    body: Any,
    headers: Mapping[str, str],
    *,
    method: str,
    path: str,
    text: str = "",
    retries: int = 0,
) -> GenesysApiError:
    """The typed error for a final error response, with a message that says what to do."""
    fields = error_fields(body, headers)
    what = (fields["api_message"] or text[:200].strip() or "no error message").rstrip(" .")
    where = f"{method} {path} failed with HTTP {status}" + (
        f" ({fields['code']})" if fields["code"] else ""
    )
    ref = f" Correlation id: {fields['correlation_id']}." if fields["correlation_id"] else ""
    common = dict(status=status, method=method, path=path, **fields)
    if status == 400:
        return BadRequestError(
            f"{where}: {what}. Genesys rejected the request parameters; fix the value the message "
            f"names.{ref}",
            **common,
        )
    if status == 401:
        return AuthenticationError(
            f"{where}: {what}. Check GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET and GENESYS_REGION.{ref}",
            **common,
        )
    if status == 403:
        names = missing_permissions(body)
        needed = ", ".join(names) if names else "the permission named above"
        return PermissionDeniedError(
            f"{where}: {what}. The OAuth client is missing permission {needed}: add it to a role "
            "assigned to the OAuth client (Admin > Integrations > OAuth > Roles, with access to the "
            f"divisions holding the evaluations), then retry.{ref}",
            missing_permissions=names,
            **common,
        )
    if status == 404:
        return NotFoundError(
            f"{where}: {what}. The id in the path does not exist or was deleted.{ref}", **common
        )
    if status >= 500:
        tried = f" after {retries} retries" if retries else ""
        return ServerError(
            f"{where}{tried}: {what}. Genesys had a server-side problem; try again later and quote "
            f"the correlation id to Genesys support if it persists.{ref}",
            **common,
        )
    return GenesysApiError(f"{where}: {what}.{ref}", **common)
