"""Building a client from environment variables (DESIGN.md §5).

No ``GENESYS_CLIENT_ID`` means "no real Genesys" (the caller then uses the embedded simulator);
an id without a secret is a mistake to report, never a reason to fall back silently.
"""

from __future__ import annotations

import math
import os
from typing import Mapping

from genesys_quality.genesys.client import GenesysClient
from genesys_quality.genesys.errors import GenesysConfigurationError
from genesys_quality.genesys.regions import DEFAULT_REGION

_NO_PACING = {"none", "off", "unlimited"}


def from_env(environ: Mapping[str, str] | None = None) -> GenesysClient | None:
    """A client configured from ``GENESYS_*`` variables, or None when GENESYS_CLIENT_ID is unset."""
    env = os.environ if environ is None else environ

    def value(name: str) -> str | None:
        text = env.get(name)
        return text.strip() if text and text.strip() else None

    client_id = value("GENESYS_CLIENT_ID")
    if client_id is None:
        return None
    secret = env.get("GENESYS_CLIENT_SECRET")
    if not secret or not secret.strip():
        raise GenesysConfigurationError(
            f"GENESYS_CLIENT_ID is set ({client_id!r}) but GENESYS_CLIENT_SECRET is not: set the "
            "OAuth client's secret, or unset GENESYS_CLIENT_ID to use the local simulator."
        )
    return GenesysClient(
        client_id,
        secret.strip(),
        region=value("GENESYS_REGION") or DEFAULT_REGION,
        api_base_url=value("GENESYS_API_BASE_URL"),
        login_base_url=value("GENESYS_LOGIN_BASE_URL"),
        requests_per_minute=_requests_per_minute(value("GENESYS_REQUESTS_PER_MINUTE")),
    )


def _requests_per_minute(text: str | None) -> float | None:
    if text is None:
        return 300
    if text.lower() in _NO_PACING:
        return None
    try:
        rate = float(text)
    except ValueError:
        rate = 0.0
    if not math.isfinite(rate) or rate <= 0:
        raise GenesysConfigurationError(
            f"GENESYS_REQUESTS_PER_MINUTE={text!r} is not a positive number; use e.g. 300 "
            "(Genesys's default per-token limit) or 'none' to disable pacing."
        )
    return rate
