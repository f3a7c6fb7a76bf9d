"""Injected failures, to rehearse what production does to a client.

Kinds: an error status with an ErrorBody (503, 500, ...), `reset` (the socket is closed without a
response), `malformed` (200 with truncated JSON) and 429 with Retry-After. Deterministic ones
(`fail_next`, `throttle`) come first; random ones (`configure`) draw from a seeded generator.
Faults never touch the /__simulator__/ admin paths.
"""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass

from .auth import TokenIssuer

FAIL_KINDS = ("503", "500", "reset", "malformed", "429", "401")


@dataclass(frozen=True)
class Fault:
    kind: str
    """One of: error (an ErrorBody with `status`), reset, malformed, 429, 401 (bad.credentials)."""
    status: int = 0
    retry_after: int = 0


@dataclass
class _Rule:
    remaining: int
    kind: str
    pattern: re.Pattern | None
    method: str | None


class Faults:
    """`sim.faults`: configure random faults, a 429 storm, or the next n failures."""

    def __init__(self, tokens: TokenIssuer | None = None) -> None:
        self._tokens = tokens
        self._lock = threading.Lock()
        self.clear()

    def configure(
        self,
        error_rate: float = 0.0,
        error_status: int = 503,
        reset_rate: float = 0.0,
        latency_seconds: float = 0.0,
        latency_rate: float = 0.0,
        malformed_rate: float = 0.0,
        path_pattern: str | None = None,
        methods: list[str] | None = None,
        seed: int = 0,
    ) -> dict:
        """Random faults on matching requests (regex `path_pattern` searched in the path; `methods` like ["GET"])."""
        for name, rate in (("error_rate", error_rate), ("reset_rate", reset_rate), ("malformed_rate", malformed_rate), ("latency_rate", latency_rate)):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {rate}")
        if error_rate + reset_rate + malformed_rate > 1.0:
            raise ValueError("error_rate + reset_rate + malformed_rate must not exceed 1")
        if not (isinstance(error_status, int) and 400 <= error_status <= 599):
            raise ValueError(f"error_status must be an HTTP error status (400-599), got {error_status!r}")
        if latency_seconds < 0:
            raise ValueError(f"latency_seconds must be >= 0, got {latency_seconds}")
        with self._lock:
            self._random = {
                "error_rate": float(error_rate), "error_status": error_status, "reset_rate": float(reset_rate),
                "malformed_rate": float(malformed_rate), "latency_seconds": float(latency_seconds),
                "latency_rate": float(latency_rate), "pattern": _compile(path_pattern),
                "methods": {m.upper() for m in methods} if methods else None,
            }
            self._rng = random.Random(seed)
        return self.describe()

    def throttle(self, seconds: float, retry_after: tuple[int, int] = (1, 30)) -> dict:
        """A 429 storm: every API call answers 429 + Retry-After (seeded draw from the range) for `seconds`."""
        low, high = (int(value) for value in retry_after)
        if seconds <= 0 or not 1 <= low <= high:
            raise ValueError(f"throttle needs seconds > 0 and 1 <= retry_after[0] <= retry_after[1], got {seconds}, {retry_after}")
        with self._lock:
            self._storm_until = time.monotonic() + seconds
            self._storm_range = (low, high)
            self._storm_rng = random.Random(f"throttle|{low}|{high}")
        return self.describe()

    def fail_next(self, n: int, kind: str = "503", path_pattern: str | None = None, method: str | None = None) -> dict:
        """The next `n` matching requests fail as `kind` (503, 500, reset, malformed, 429, 401), in order.

        401 answers `bad.credentials` as if the token had just expired (the token itself stays valid).
        """
        kind = str(kind)
        if kind not in FAIL_KINDS:
            raise ValueError(f"kind must be one of {list(FAIL_KINDS)}, got {kind!r}")
        if int(n) < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        with self._lock:
            self._rules.append(_Rule(int(n), kind, _compile(path_pattern), method.upper() if method else None))
        return self.describe()

    def clear(self) -> dict:
        with self._lock:
            self._rules: list[_Rule] = []
            self._random: dict | None = None
            self._rng = random.Random(0)
            self._storm_until = 0.0
            self._storm_range = (1, 30)
            self._storm_rng = random.Random(0)
        return self.describe()

    def expire_tokens(self) -> dict:
        """Every issued access token becomes invalid now (next use: 401 bad.credentials)."""
        return {"expired": self._tokens.expire_all() if self._tokens else 0}

    def describe(self) -> dict:
        with self._lock:
            settings = dict(self._random) if self._random else None
            if settings:
                settings["pattern"] = settings["pattern"].pattern if settings["pattern"] else None
                settings["methods"] = sorted(settings["methods"]) if settings["methods"] else None
            return {
                "random": settings,
                "pending": [{"remaining": r.remaining, "kind": r.kind, "path_pattern": r.pattern.pattern if r.pattern else None,
                             "method": r.method} for r in self._rules],
                "throttle_seconds_left": max(0.0, round(self._storm_until - time.monotonic(), 3)),
            }

    def decide(self, method: str, path: str, is_api: bool) -> tuple[Fault | None, float]:
        """(the fault for this request or None, seconds of latency to add first)."""
        with self._lock:
            latency = self._latency(method, path)
            for rule in self._rules:
                if _applies(rule.pattern, {rule.method} if rule.method else None, method, path):
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._rules.remove(rule)
                    return _fault_of(rule.kind), latency
            if is_api and time.monotonic() < self._storm_until:
                return Fault("429", 429, self._storm_rng.randint(*self._storm_range)), latency
            return self._random_fault(method, path), latency

    def _latency(self, method: str, path: str) -> float:
        settings = self._random
        if not settings or not settings["latency_rate"] or not _applies(settings["pattern"], settings["methods"], method, path):
            return 0.0
        return settings["latency_seconds"] if self._rng.random() < settings["latency_rate"] else 0.0

    def _random_fault(self, method: str, path: str) -> Fault | None:
        settings = self._random
        if not settings or not _applies(settings["pattern"], settings["methods"], method, path):
            return None
        draw = self._rng.random()
        if draw < settings["error_rate"]:
            return Fault("error", settings["error_status"])
        draw -= settings["error_rate"]
        if draw < settings["reset_rate"]:
            return Fault("reset")
        draw -= settings["reset_rate"]
        if draw < settings["malformed_rate"]:
            return Fault("malformed", 200)
        return None


def _fault_of(kind: str) -> Fault:
    if kind in ("503", "500"):
        return Fault("error", int(kind))
    if kind == "429":
        return Fault("429", 429, 1)
    if kind == "401":
        return Fault("401", 401)
    return Fault(kind, 200 if kind == "malformed" else 0)


def _applies(pattern: re.Pattern | None, methods: set[str] | None, method: str, path: str) -> bool:
    return (pattern is None or pattern.search(path) is not None) and (methods is None or method in methods)


def _compile(pattern: str | None) -> re.Pattern | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ValueError(f"path_pattern {pattern!r} is not a valid regular expression: {error}") from None
