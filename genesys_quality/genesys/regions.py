"""Genesys Cloud regions and the API / login hosts each one uses (genesys-api.md §5.2).

A region is accepted by its SDK key (``eu_west_1``, also ``eu-west-1``) or by its domain
(``mypurecloud.ie``, ``api.mypurecloud.ie``, ``https://login.mypurecloud.ie``), because users copy
whichever one their admin console shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping
from urllib.parse import urlsplit

from genesys_quality.genesys.errors import GenesysConfigurationError, UnknownRegionError

DEFAULT_REGION = "us_east_1"

REGION_DOMAINS: Mapping[str, str] = MappingProxyType(
    {
        "us_east_1": "mypurecloud.com",
        "us_east_2": "use2.us-gov-pure.cloud",
        "us_west_2": "usw2.pure.cloud",
        "ca_central_1": "cac1.pure.cloud",
        "sa_east_1": "sae1.pure.cloud",
        "mx_central_1": "mxc1.pure.cloud",
        "eu_west_1": "mypurecloud.ie",
        "eu_west_2": "euw2.pure.cloud",
        "eu_central_1": "mypurecloud.de",
        "eu_central_2": "euc2.pure.cloud",
        "eusc_de_east_1": "edee1.eusc-pure.cloud",
        "me_central_1": "mec1.pure.cloud",
        "ap_south_1": "aps1.pure.cloud",
        "ap_southeast_1": "apse1.pure.cloud",
        "ap_southeast_2": "mypurecloud.com.au",
        "ap_northeast_1": "mypurecloud.jp",
        "ap_northeast_2": "apne2.pure.cloud",
        "ap_northeast_3": "apne3.pure.cloud",
    }
)

_KEY_BY_DOMAIN = {domain: key for key, domain in REGION_DOMAINS.items()}


@dataclass(frozen=True)
class Hosts:
    """Base URLs (scheme + host, no trailing slash) of the API and of the OAuth login service."""

    api_base_url: str
    login_base_url: str


def region_key(region: str) -> str:
    """The SDK key (``eu_west_1``) of a region given by key or domain; UnknownRegionError otherwise."""
    text = (region or "").strip().lower()
    as_key = text.replace("-", "_")
    if as_key in REGION_DOMAINS:
        return as_key
    host = urlsplit(text).hostname if "://" in text else text.strip("/")
    for prefix in ("api.", "login."):
        if host and host.startswith(prefix):
            host = host[len(prefix) :]
    if host in _KEY_BY_DOMAIN:
        return _KEY_BY_DOMAIN[host]
    raise UnknownRegionError(region, sorted(REGION_DOMAINS))


def resolve_hosts(
    region: str = DEFAULT_REGION,
    api_base_url: str | None = None,
    login_base_url: str | None = None,
) -> Hosts:
    """API and login base URLs for a region, with optional full-URL overrides.

    Overrides are for proxies, tests and the simulator, so plain ``http`` is allowed. When only the
    API URL is overridden, the login URL is its ``login.`` twin if the host starts with ``api.``,
    otherwise the same URL (the simulator serves both on one port).
    """
    domain = REGION_DOMAINS[region_key(region)]
    api = _normalise_url(api_base_url, "GENESYS_API_BASE_URL") if api_base_url else None
    login = _normalise_url(login_base_url, "GENESYS_LOGIN_BASE_URL") if login_base_url else None
    if api is None:
        api = f"https://api.{domain}"
    if login is None:
        login = _login_twin(api) if api_base_url else f"https://login.{domain}"
    return Hosts(api_base_url=api, login_base_url=login)


def _login_twin(api_base_url: str) -> str:
    parts = urlsplit(api_base_url)
    host = parts.hostname or ""
    if not host.startswith("api."):
        return api_base_url
    netloc = parts.netloc.replace(host, "login." + host[len("api.") :], 1)
    return f"{parts.scheme}://{netloc}"


def _normalise_url(url: str, setting: str) -> str:
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GenesysConfigurationError(
            f"{setting}={url!r} is not a base URL: use the form https://api.mypurecloud.com "
            "(or http://127.0.0.1:PORT for the local simulator)."
        )
    if parts.query or parts.fragment:
        raise GenesysConfigurationError(
            f"{setting}={url!r} must not contain a query string or fragment; give only the base URL."
        )
    return text
