"""Counters of what the simulator served, for tests and benchmarks (`sim.stats`, GET /__simulator__/stats)."""

from __future__ import annotations

import threading
from collections import Counter


class SimulatorStats:
    """requests by (method, path template), responses by status, tokens issued, 429s sent, resets."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str]] = Counter()
        self.responses: Counter[int] = Counter()
        self.tokens_issued = 0
        self.rate_limited = 0
        """429 responses sent, whatever the cause (bucket, throttle storm, injected)."""
        self.resets = 0

    def record_request(self, method: str, template: str) -> None:
        with self._lock:
            self.requests[(method, template)] += 1

    def record_response(self, status: int) -> None:
        with self._lock:
            self.responses[status] += 1
            if status == 429:
                self.rate_limited += 1

    def record_token(self) -> None:
        with self._lock:
            self.tokens_issued += 1

    def record_reset(self) -> None:
        with self._lock:
            self.resets += 1

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self.responses.clear()
            self.tokens_issued = self.rate_limited = self.resets = 0

    def snapshot(self) -> dict:
        """A JSON-ready copy: {"requests": {"GET /path": n}, "responses": {"200": n}, ...}."""
        with self._lock:
            return {
                "requests": {f"{method} {template}": n for (method, template), n in sorted(self.requests.items())},
                "responses": {str(status): n for status, n in sorted(self.responses.items())},
                "tokens_issued": self.tokens_issued,
                "rate_limited": self.rate_limited,
                "resets": self.resets,
            }
