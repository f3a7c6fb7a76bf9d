"""How a simulated Genesys Cloud organisation and its API behave (one frozen value, validated once)."""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, field

from . import dates

ALL_PERMISSIONS = frozenset(
    {
        "quality:evaluation:view",
        "quality:evaluation:assign",
        "quality:evaluation:release",
        "quality:evaluation:searchAny",
        "quality:evaluationForm:view",
        "directory:user:view",
    }
)
"""What a client with `permissions=None` holds: every permission an endpoint here checks."""

MAX_EVALUATIONS_PER_MONTH = 2_000_000_000
"""Generated createdDates are strictly increasing at millisecond resolution, so a month holds at most this many."""


@dataclass(frozen=True)
class SimulatorConfig:
    """Settings of one simulated organisation; see genesys_quality/simulator/README.md for each knob."""

    seed: int = 42
    anchor_month: str | None = None
    months: int = 6
    evaluations_per_month: int = 120
    client_id: str = "demo-client"
    client_secret: str = field(default="demo-secret", repr=False)
    token_lifetime_seconds: float = 86400
    rate_limit_per_minute: float | None = 300
    rate_limit_burst: int | None = None
    max_page_size: int = 100
    permissions: frozenset[str] | None = None
    control_api: bool = False
    host: str = "127.0.0.1"
    port: int = 0

    def __post_init__(self) -> None:
        month = dates.current_month() if self.anchor_month is None else dates.parse_month(self.anchor_month)
        object.__setattr__(self, "anchor_month", month)
        if self.permissions is not None:
            object.__setattr__(self, "permissions", frozenset(self.permissions))
        _require(isinstance(self.seed, int), f"seed must be an int, got {self.seed!r}")
        _require(self.months >= 1, f"months must be >= 1, got {self.months}")
        _require(
            0 <= self.evaluations_per_month <= MAX_EVALUATIONS_PER_MONTH,
            f"evaluations_per_month must be between 0 and {MAX_EVALUATIONS_PER_MONTH}, got {self.evaluations_per_month}",
        )
        _require(self.token_lifetime_seconds > 0, f"token_lifetime_seconds must be > 0, got {self.token_lifetime_seconds}")
        _require(
            self.rate_limit_per_minute is None or self.rate_limit_per_minute > 0,
            f"rate_limit_per_minute must be > 0 or None (unlimited), got {self.rate_limit_per_minute}",
        )
        _require(
            self.rate_limit_burst is None or self.rate_limit_burst >= 1,
            f"rate_limit_burst must be >= 1 or None, got {self.rate_limit_burst}",
        )
        _require(self.max_page_size >= 1, f"max_page_size must be >= 1, got {self.max_page_size}")
        _require(bool(self.client_id) and bool(self.client_secret), "client_id and client_secret must not be empty")
        if self.control_api:
            _require(
                _is_loopback(self.host),
                f"control_api=True serves unauthenticated admin endpoints, so host must be a loopback "
                f"address (127.0.0.1 or localhost), got {self.host!r}",
            )

    @property
    def bucket_capacity(self) -> int:
        """Token-bucket size: `rate_limit_burst`, or 10% of the per-minute rate (at least 5)."""
        if self.rate_limit_burst is not None:
            return self.rate_limit_burst
        return max(5, math.ceil((self.rate_limit_per_minute or 0) * 0.1))

    @property
    def month_list(self) -> list[str]:
        """The generated months, oldest first, ending with the anchor month."""
        return [dates.add_months(self.anchor_month, offset) for offset in range(1 - self.months, 1)]

    def granted(self) -> frozenset[str]:
        return ALL_PERMISSIONS if self.permissions is None else self.permissions


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(f"SimulatorConfig: {message}")
