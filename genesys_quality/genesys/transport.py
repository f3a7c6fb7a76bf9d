"""The one place that sends HTTP to Genesys: timeouts, pacing, retries, 429 waits, 401 replay.

Retry rules (why: a retried write could create a second evaluation; a retried read is harmless):
- 5xx, connection failures/resets, read timeouts and malformed JSON are retried with exponential
  back-off and jitter, but only for idempotent calls: GET, and POSTs the caller marks
  ``retry_safe`` (the read-only search and scoring). Any other POST is never retried.
- DNS failures are not retried: a host that does not exist is a setting to fix, not a blip.
- 429 is retried for every method (Genesys did not process the request) after exactly
  ``Retry-After`` seconds, up to ``max_throttle_wait`` seconds in total per call; the wait also
  pauses the client's other threads through the shared :class:`RequestBudget`.
- 401 on an authenticated call replays it once with a fresh token; a second 401 is final.
"""

from __future__ import annotations

import json as jsonlib
import logging
import random
import socket
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Mapping, Protocol
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from genesys_quality.genesys.errors import (
    AuthenticationError,
    GenesysApiError,
    GenesysConnectionError,
    MalformedResponseError,
    RateLimitedError,
    api_error,
    error_fields,
    scrub,
)
from genesys_quality.genesys.ratelimit import RequestBudget
from genesys_quality.genesys.stats import RequestCounter, RequestStats

logger = logging.getLogger(__name__)

_RETRYABLE_EXCEPTIONS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
_CONNECTION_SETTINGS = (
    "check GENESYS_REGION (or GENESYS_API_BASE_URL / GENESYS_LOGIN_BASE_URL when set) "
    "and the network or proxy between this machine and Genesys"
)


class TokenSource(Protocol):
    """What the transport needs from an authenticator."""

    client_id: str

    def token(self) -> str: ...

    def invalidate(self, token: str) -> None: ...

    def sensitive_values(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class RetryPolicy:
    """How persistent one call is; ``max_retries`` bounds 5xx / connection / malformed retries."""

    max_retries: int = 6
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    max_throttle_wait: float = 900.0

    def __post_init__(self) -> None:
        for name in ("max_retries", "backoff_initial", "backoff_max", "max_throttle_wait"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)!r}")

    def backoff(self, retry_number: int) -> float:
        """Delay before retry ``retry_number`` (1-based): exponential, capped, half of it jittered."""
        ceiling = min(self.backoff_max, self.backoff_initial * 2 ** (retry_number - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class Transport:
    """Sends requests through one ``requests.Session`` and turns failures into typed errors."""

    def __init__(
        self,
        api_base_url: str,
        *,
        budget: RequestBudget,
        retry: RetryPolicy = RetryPolicy(),
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        user_agent: str = "genesys_quality/0.1",
        sleep: Callable[[float], None] = time.sleep,
        pool_size: int = 16,
    ):
        self.api_base_url = api_base_url.rstrip("/")
        self.budget = budget
        self.retry = retry
        self.timeout = (connect_timeout, read_timeout)
        self.counter = RequestCounter()
        self._sleep = sleep
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})

    @property
    def stats(self) -> RequestStats:
        return self.counter.snapshot()

    def close(self) -> None:
        self.session.close()

    def call(
        self,
        method: str,
        target: str,
        *,
        endpoint: str | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        auth: TokenSource | None = None,
        basic_auth: tuple[str, str] | None = None,
        retry_safe: bool = False,
        paced: bool = True,
    ) -> Any:
        """Send one logical call and return its parsed JSON body (None for an empty body).

        ``target`` is an API path (``/api/v2/...``) or an absolute URL; ``endpoint`` names the
        path template for the per-endpoint counts.
        """
        method = method.upper()
        url = target if "://" in target else self.api_base_url + target
        path = urlsplit(url).path
        label = f"{method} {endpoint or path}"
        idempotent = method == "GET" or retry_safe
        secrets = (basic_auth[1],) if basic_auth else ()
        failures = 0
        throttle_waited = 0.0
        replayed = False

        def retry_after_failure(reason: str) -> bool:
            nonlocal failures
            if not idempotent or failures >= self.retry.max_retries:
                return False
            failures += 1
            delay = self.retry.backoff(failures)
            logger.warning(
                "%s %s: %s; retry %d/%d in %.2f s",
                method, path, reason, failures, self.retry.max_retries, delay,
            )
            self.counter.add(retries=1, waited_seconds=delay)
            self._sleep(delay)
            return True

        while True:
            if paced:
                self.counter.add(waited_seconds=self.budget.acquire())
            token = auth.token() if auth is not None else None
            if token is not None:
                secrets = (*auth.sensitive_values(), token)
            try:
                response, content = self._send(
                    method, url, label, token=token, params=params, json=json, data=data,
                    auth=basic_auth,
                )
            except _RETRYABLE_EXCEPTIONS as exc:
                reason = _describe_connection_failure(exc, self.timeout)
                if not _is_dns_failure(exc) and retry_after_failure(reason):
                    continue
                self.counter.add(failures=1)
                raise self._connection_error(method, path, url, reason, failures, idempotent) from exc
            except requests.RequestException as exc:
                self.counter.add(failures=1)
                reason = type(exc).__name__
                raise self._connection_error(method, path, url, reason, failures, idempotent) from exc
            status = response.status_code

            if 200 <= status < 300:
                if not content.strip():
                    return None
                try:
                    return jsonlib.loads(content)
                except ValueError:
                    if retry_after_failure(f"HTTP {status} body is not JSON"):
                        continue
                    self.counter.add(failures=1)
                    raise MalformedResponseError(
                        scrub(_not_json_message(method, path, response, content, failures), secrets),
                        method=method, path=path, status=status,
                    ) from None
            if status == 401 and token is not None and not replayed:
                logger.info("%s %s -> 401; replaying once with a fresh access token", method, path)
                auth.invalidate(token)
                replayed = True
                self.counter.add(retries=1)
                continue
            if status == 429:
                throttle_waited += self._wait_out_throttle(
                    method, path, response, content, throttle_waited, secrets
                )
                continue
            if status >= 500 and retry_after_failure(f"HTTP {status}"):
                continue
            self.counter.add(failures=1)
            error = api_error(
                status, _json_or_none(content), response.headers, method=method, path=path,
                text=_text(content), retries=failures,
            )
            if status == 401 and auth is not None:
                error = _rejected_token_error(error, auth.client_id)
            raise _scrubbed(error, secrets)

    def _send(
        self, method: str, url: str, label: str, *, token: str | None, **request: Any
    ) -> tuple[requests.Response, bytes]:
        """One counted HTTP exchange; requests' exceptions propagate."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.counter.count_request(label)
        started = time.monotonic()
        try:
            response = self.session.request(
                method, url, headers=headers, timeout=self.timeout, **request
            )
            content = response.content
        finally:
            self.counter.add(elapsed_seconds=time.monotonic() - started)
        self.counter.add(bytes_received=len(content))
        logger.debug(
            "%s %s -> %d (%.3f s, %d bytes)", method, urlsplit(url).path, response.status_code,
            time.monotonic() - started, len(content),
        )
        return response, content

    def _wait_out_throttle(
        self,
        method: str,
        path: str,
        response: requests.Response,
        content: bytes,
        waited: float,
        secrets: tuple[str, ...],
    ) -> float:
        """Sleep for the 429's Retry-After (pausing the other threads too); returns the wait."""
        self.counter.add(throttled=1)
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if not wait:
            wait = max(1.0, self.retry.backoff(1))
        if waited + wait > self.retry.max_throttle_wait:
            self.counter.add(failures=1)
            raise self._throttled_error(method, path, response, content, waited, secrets)
        logger.warning("%s %s -> 429; waiting Retry-After %.1f s", method, path, wait)
        self.budget.hold_until(time.monotonic() + wait)
        self._sleep(wait)
        self.counter.add(waited_seconds=wait)
        return wait

    def _connection_error(
        self, method: str, path: str, url: str, reason: str, failures: int, idempotent: bool
    ) -> GenesysConnectionError:
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        attempts = f" after {failures + 1} attempts" if failures else (
            "" if idempotent else " (not retried: the call is not idempotent)"
        )
        return GenesysConnectionError(
            f"Could not reach Genesys at {base} for {method} {path}{attempts}: {reason}. "
            f"To fix: {_CONNECTION_SETTINGS}.",
            method=method, path=path, base_url=base,
        )

    def _throttled_error(
        self,
        method: str,
        path: str,
        response: requests.Response,
        content: bytes,
        waited: float,
        secrets: tuple[str, ...],
    ) -> RateLimitedError:
        fields = error_fields(_json_or_none(content), response.headers)
        message = (
            f"{method} {path} was still rate limited (HTTP 429 {fields['code'] or ''}) after "
            f"waiting {waited:.0f} s in total (max_throttle_wait={self.retry.max_throttle_wait:.0f} s): "
            f"{(fields['api_message'] or 'no message').rstrip(' .')}. Lower GENESYS_REQUESTS_PER_MINUTE, run fewer "
            "pipelines with the same OAuth client, or raise max_throttle_wait."
        )
        return RateLimitedError(
            scrub(message, secrets), waited_seconds=waited, status=429, method=method, path=path,
            **fields,
        )


def _rejected_token_error(error: GenesysApiError, client_id: str) -> AuthenticationError:
    ref = f" Correlation id: {error.correlation_id}." if error.correlation_id else ""
    return AuthenticationError(
        f"{error.method} {error.path} failed with HTTP 401 ({error.code or 'no code'}): "
        f"{(error.api_message or 'no message').rstrip(' .')}. Genesys rejected a freshly issued access token for "
        f"client id {client_id!r} twice in a row: check that this OAuth client is active, uses the "
        f"Client Credentials grant and belongs to the org of GENESYS_REGION.{ref}",
        status=401, method=error.method, path=error.path, code=error.code,
        api_message=error.api_message, correlation_id=error.correlation_id,
    )


def _scrubbed(error: GenesysApiError, secrets: tuple[str, ...]) -> GenesysApiError:
    error.args = (scrub(str(error), secrets),)
    if error.api_message:
        error.api_message = scrub(error.api_message, secrets)
    return error


def _not_json_message(
    method: str, path: str, response: requests.Response, content: bytes, failures: int
) -> str:
    kind = response.headers.get("Content-Type", "no content type")
    tried = f" (tried {failures + 1} times)" if failures else ""
    return (
        f"{method} {path} returned HTTP {response.status_code} with a body that is not JSON "
        f"({kind}, starts {_text(content)[:80]!r}){tried}. Something between this machine and "
        "Genesys (proxy, captive portal, wrong GENESYS_API_BASE_URL) may be answering instead."
    )


def _json_or_none(content: bytes) -> Any:
    try:
        return jsonlib.loads(content)
    except ValueError:
        return None


def _text(content: bytes) -> str:
    return content.decode("utf-8", errors="replace")


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    pending: list[Any] = [exc]
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or any(item is s for s in seen):
            continue
        seen.append(item)
        pending.extend([item.__cause__, item.__context__, getattr(item, "reason", None), *item.args])
    return seen


def _is_dns_failure(exc: BaseException) -> bool:
    return any(
        isinstance(c, socket.gaierror) or type(c).__name__ == "NameResolutionError"
        for c in _causes(exc)
    )


def _describe_connection_failure(exc: BaseException, timeout: tuple[float, float]) -> str:
    causes = _causes(exc)
    if _is_dns_failure(exc):
        return "the host name could not be resolved (DNS)"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"no connection within the connect timeout of {timeout[0]:g} s"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"no response within the read timeout of {timeout[1]:g} s"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if any(isinstance(c, ConnectionResetError) for c in causes) or isinstance(
        exc, requests.exceptions.ChunkedEncodingError
    ):
        return "the connection was reset or closed mid-response"
    return f"connection failed ({type(exc).__name__})"
