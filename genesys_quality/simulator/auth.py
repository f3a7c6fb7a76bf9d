"""Client-credentials tokens (genesys-api.md §5.1): issued at POST /oauth/token, checked on every API call.

Tokens are random, opaque and kept only in memory; they are never logged or shown in a repr.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
import time

from . import errors


class TokenIssuer:
    def __init__(self, client_id: str, client_secret: str, lifetime_seconds: float) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._lifetime = lifetime_seconds
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()
        self.issued = 0

    def __repr__(self) -> str:
        return f"TokenIssuer(client_id={self._client_id!r}, live_tokens={len(self._expiry)})"

    def issue(self, authorization: str | None, form: dict[str, list[str]]) -> dict:
        """The token response, or OAuthError (401 invalid_client, 400 unsupported_grant_type)."""
        client_id, client_secret = _basic_credentials(authorization)
        valid_id = hmac.compare_digest(client_id.encode(), self._client_id.encode())
        valid_secret = hmac.compare_digest(client_secret.encode(), self._client_secret.encode())
        if not (valid_id and valid_secret):
            raise errors.OAuthError(401, "invalid_client", "Client authentication failed: unknown client id or wrong secret.")
        grant = (form.get("grant_type") or [""])[-1]
        if grant != "client_credentials":
            raise errors.OAuthError(400, "unsupported_grant_type", f"Grant type {grant!r} is not supported; use client_credentials.")
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            self._expiry = {t: e for t, e in self._expiry.items() if e > now}
            self._expiry[token] = now + self._lifetime
            self.issued += 1
        return {"access_token": token, "token_type": "bearer", "expires_in": int(self._lifetime)}

    def authenticate(self, authorization: str | None) -> str:
        """The bearer token of a valid request; ApiError 401 authentication.required / bad.credentials."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise errors.authentication_required()
        token = authorization[7:].strip()
        if not token:
            raise errors.authentication_required()
        with self._lock:
            expiry = self._expiry.get(token)
        if expiry is None or expiry <= time.monotonic():
            raise errors.bad_credentials()
        return token

    def expire_all(self) -> int:
        """Invalidate every issued token (their next use answers 401 bad.credentials); returns how many."""
        with self._lock:
            count = len(self._expiry)
            self._expiry.clear()
        return count


def _basic_credentials(authorization: str | None) -> tuple[str, str]:
    if not authorization or not authorization.lower().startswith("basic "):
        raise errors.OAuthError(401, "invalid_client", "Client authentication is required: send HTTP Basic client_id:client_secret.")
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise errors.OAuthError(401, "invalid_client", "The Basic authorization header is not valid base64 client_id:client_secret.") from None
    client_id, separator, client_secret = decoded.partition(":")
    if not separator:
        raise errors.OAuthError(401, "invalid_client", "The Basic authorization header must hold client_id:client_secret.")
    return client_id, client_secret
