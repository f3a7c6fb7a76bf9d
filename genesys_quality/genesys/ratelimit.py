"""A request budget shared by every thread of one client.

Genesys allows 300 requests per minute per client-credentials token (genesys-api.md §5.4); pacing
ourselves below that keeps a concurrent pipeline from provoking 429s in the first place. The
budget is a token bucket in its reservation form (GCRA): each caller reserves the next free slot
under a lock and sleeps outside it, so threads are served in arrival order without busy-waiting.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Callable


class RequestBudget:
    """At most ``requests_per_minute`` requests, with bursts of up to ``burst`` back to back.

    ``requests_per_minute=None`` disables pacing; :meth:`hold_until` (used after a 429) still
    applies, so one thread's Retry-After pauses all threads of the client.
    """

    def __init__(
        self,
        requests_per_minute: float | None = 300,
        burst: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if requests_per_minute is not None and requests_per_minute <= 0:
            raise ValueError(
                f"requests_per_minute must be positive or None (no pacing), got {requests_per_minute!r}"
            )
        if burst is not None and burst < 1:
            raise ValueError(f"burst must be at least 1 request, got {burst!r}")
        self.requests_per_minute = requests_per_minute
        self.burst = burst or (max(1, math.ceil(requests_per_minute / 60)) if requests_per_minute else 1)
        self._interval = 60.0 / requests_per_minute if requests_per_minute else 0.0
        self._tolerance = (self.burst - 1) * self._interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._theoretical_arrival = clock()
        self._hold_until = 0.0

    def acquire(self) -> float:
        """Wait for the next request slot; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            allowed_at = max(now, self._hold_until)
            if self._interval:
                allowed_at = max(allowed_at, self._theoretical_arrival - self._tolerance)
                self._theoretical_arrival = max(allowed_at, self._theoretical_arrival) + self._interval
        wait = allowed_at - now
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)

    def hold_until(self, deadline: float) -> None:
        """Send nothing before ``deadline`` (a ``clock()`` value), e.g. the end of a Retry-After."""
        with self._lock:
            self._hold_until = max(self._hold_until, deadline)

    def __repr__(self) -> str:
        return f"RequestBudget(requests_per_minute={self.requests_per_minute!r}, burst={self.burst})"
