"""Genesys Cloud API client for Quality Management evaluations (no Dagster here).

Start with :class:`GenesysClient` (or :func:`from_env`); every failure is a :class:`GenesysError`.
"""

from genesys_quality.genesys.client import EvaluationPage, GenesysClient
from genesys_quality.genesys.diagnostics import ConnectionReport
from genesys_quality.genesys.errors import (
    AuthenticationError,
    BadRequestError,
    GenesysApiError,
    GenesysConfigurationError,
    GenesysConnectionError,
    GenesysError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UnknownRegionError,
)
from genesys_quality.genesys.ratelimit import RequestBudget
from genesys_quality.genesys.regions import REGION_DOMAINS, Hosts, region_key, resolve_hosts
from genesys_quality.genesys.settings import from_env
from genesys_quality.genesys.stats import RequestStats

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConnectionReport",
    "EvaluationPage",
    "GenesysApiError",
    "GenesysClient",
    "GenesysConfigurationError",
    "GenesysConnectionError",
    "GenesysError",
    "Hosts",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "REGION_DOMAINS",
    "RateLimitedError",
    "RequestBudget",
    "RequestStats",
    "ServerError",
    "UnknownRegionError",
    "from_env",
    "region_key",
    "resolve_hosts",
]
