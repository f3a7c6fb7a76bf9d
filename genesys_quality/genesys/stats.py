"""Request accounting: what one client spent talking to Genesys, readable while it works."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields, replace


@dataclass(frozen=True)
class RequestStats:
    """A snapshot of a client's traffic (a copy: later traffic does not change it).

    ``later.since(earlier)`` is the traffic in between, e.g. one partition's share.

    ``requests`` counts every HTTP request sent (token requests and retries included);
    ``retries`` counts repeats after 5xx, connection failures, malformed bodies and 401 replays;
    ``throttled`` counts 429 responses; ``failures`` counts calls that ended in an error;
    ``elapsed_seconds`` sums HTTP round-trip time over all threads; ``waited_seconds`` sums time
    spent sleeping (Retry-After, back-off and the request budget).
    """

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    failures: int = 0
    bytes_received: int = 0
    elapsed_seconds: float = 0.0
    waited_seconds: float = 0.0
    tokens_fetched: int = 0
    by_endpoint: dict[str, int] = field(default_factory=dict)

    def since(self, earlier: "RequestStats") -> "RequestStats":
        """The traffic between ``earlier`` and this snapshot."""
        counts = {
            f.name: getattr(self, f.name) - getattr(earlier, f.name)
            for f in fields(self)
            if f.name != "by_endpoint"
        }
        endpoints = {
            name: count - earlier.by_endpoint.get(name, 0)
            for name, count in self.by_endpoint.items()
            if count - earlier.by_endpoint.get(name, 0)
        }
        return replace(self, by_endpoint=endpoints, **counts)


class RequestCounter:
    """The thread-safe, mutable tally behind :class:`RequestStats`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._totals: dict[str, float] = {
            f.name: f.default for f in fields(RequestStats) if f.name != "by_endpoint"
        }
        self._endpoints: dict[str, int] = {}

    def add(self, **amounts: float) -> None:
        with self._lock:
            for name, amount in amounts.items():
                self._totals[name] += amount

    def count_request(self, endpoint: str) -> None:
        with self._lock:
            self._totals["requests"] += 1
            self._endpoints[endpoint] = self._endpoints.get(endpoint, 0) + 1

    def snapshot(self) -> RequestStats:
        with self._lock:
            return RequestStats(by_endpoint=dict(self._endpoints), **self._totals)
