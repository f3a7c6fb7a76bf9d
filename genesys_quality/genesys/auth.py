"""OAuth client-credentials tokens (genesys-api.md §5.1), cached and refreshed once for all threads."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from genesys_quality.genesys.errors import (
    AuthenticationError,
    GenesysApiError,
    MalformedResponseError,
    scrub,
)
from genesys_quality.genesys.transport import Transport

logger = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/token"
REFRESH_MARGIN_SECONDS = 60.0
DEFAULT_LIFETIME_SECONDS = 300.0


def refresh_after_seconds(expires_in: float) -> float:
    """How long to use a token: ``expires_in`` minus a minute, but at least half its lifetime."""
    return max(expires_in - REFRESH_MARGIN_SECONDS, expires_in / 2)


class ClientCredentialsAuth:
    """Fetches a bearer token with HTTP Basic credentials and reuses it until shortly before expiry.

    Many threads asking at once for an expired token cause one token request: the first takes the
    lock and fetches, the others wait and reuse its result.
    """

    def __init__(
        self,
        transport: Transport,
        login_base_url: str,
        client_id: str,
        client_secret: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.client_id = client_id
        self._secret = client_secret
        self._transport = transport
        self.token_url = login_base_url.rstrip("/") + TOKEN_PATH
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[str, float] | None = None  # (token, refresh at), swapped atomically

    def token(self) -> str:
        """A valid access token, fetching a new one when none is cached or it is about to expire."""
        cached = self._cached
        if cached is not None and self._clock() < cached[1]:
            return cached[0]
        with self._lock:
            cached = self._cached
            if cached is None or self._clock() >= cached[1]:
                cached = self._cached = self._fetch()
            return cached[0]

    def invalidate(self, token: str) -> None:
        """Forget ``token`` after Genesys rejected it (a no-op if another thread already replaced it)."""
        with self._lock:
            if self._cached is not None and self._cached[0] == token:
                self._cached = None

    def sensitive_values(self) -> tuple[str, ...]:
        cached = self._cached
        return (self._secret, cached[0]) if cached else (self._secret,)

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth(client_id={self.client_id!r}, token_url={self.token_url!r})"

    def _fetch(self) -> tuple[str, float]:
        try:
            body = self._transport.call(
                "POST", self.token_url, endpoint=TOKEN_PATH, data={"grant_type": "client_credentials"},
                basic_auth=(self.client_id, self._secret), retry_safe=True, paced=False,
            )
        except GenesysApiError as exc:
            if exc.status >= 500:
                raise
            raise self._rejected(exc) from None
        token, expires_in = self._parse(body)
        self._transport.counter.add(tokens_fetched=1)
        lifetime = refresh_after_seconds(expires_in)
        logger.info(
            "Fetched an access token for client id %r (expires in %.0f s; refreshing after %.0f s)",
            self.client_id, expires_in, lifetime,
        )
        return token, self._clock() + lifetime

    def _parse(self, body: Any) -> tuple[str, float]:
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            keys = sorted(body) if isinstance(body, dict) else type(body).__name__
            raise MalformedResponseError(
                f"POST {TOKEN_PATH} at {self.token_url} answered without an 'access_token' "
                f"(got {keys}). Check GENESYS_LOGIN_BASE_URL / GENESYS_REGION point at a Genesys "
                "Cloud login service.",
                method="POST", path=TOKEN_PATH, status=200,
            )
        expires_in = body.get("expires_in")
        if not isinstance(expires_in, (int, float)) or isinstance(expires_in, bool) or expires_in <= 0:
            expires_in = DEFAULT_LIFETIME_SECONDS
        return token, float(expires_in)

    def _rejected(self, exc: GenesysApiError) -> AuthenticationError:
        reason = ": ".join(part for part in (exc.code, exc.api_message) if part) or "no reason given"
        message = (
            f"Genesys refused the client credentials of OAuth client id {self.client_id!r} at "
            f"{self.token_url} (HTTP {exc.status}, {reason}). Check GENESYS_CLIENT_ID and "
            "GENESYS_CLIENT_SECRET, that the OAuth client uses the Client Credentials grant, and "
            "that GENESYS_REGION is the region of its org."
        )
        return AuthenticationError(
            scrub(message, (self._secret,)), status=exc.status, method="POST", path=TOKEN_PATH,
            code=exc.code, api_message=exc.api_message, correlation_id=exc.correlation_id,
        )
