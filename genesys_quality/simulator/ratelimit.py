"""A token bucket per access token (genesys-api.md §5.4: the limit is per client-credentials token).

The bucket holds `capacity` requests and refills continuously at rate/60 per second. An empty
bucket answers 429 with Retry-After = whole seconds until one request is available (at least 1).
"""

from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    def __init__(self, per_minute: float | None, capacity: int) -> None:
        self._rate = None if per_minute is None else per_minute / 60.0
        self._capacity = float(capacity)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> int:
        """0 if the request may proceed, else the Retry-After seconds."""
        if self._rate is None:
            return 0
        now = time.monotonic()
        with self._lock:
            tokens, updated = self._buckets.get(key, (self._capacity, now))
            tokens = min(self._capacity, tokens + (now - updated) * self._rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self._rate))

    def __repr__(self) -> str:
        return f"RateLimiter(per_second={self._rate}, capacity={self._capacity}, buckets={len(self._buckets)})"
