"""Simulators on loopback and a tiny real-HTTP client for the simulator tests."""

from __future__ import annotations

import pytest
import requests

from genesys_quality.simulator import Simulator

ANCHOR = "2026-11-01"
SEARCH = "/api/v2/quality/evaluations/search"
QUERY = "/api/v2/quality/evaluations/query"


def month_window(month: str) -> tuple[str, str]:
    year, number = int(month[:4]), int(month[5:7])
    following = f"{year + number // 12:04d}-{number % 12 + 1:02d}-01"
    return f"{month}T00:00:00.000Z", f"{following}T00:00:00.000Z"


def created_range(start: str, end: str, field: str = "createdDate") -> dict:
    return {"type": "DATE_RANGE", "field": field, "startValue": start, "endValue": end}


class GenesysSession:
    """Logs in with client credentials and calls the simulator over real HTTP."""

    def __init__(self, base_url: str, client_id: str = "demo-client", client_secret: str = "demo-secret") -> None:
        self.base_url = base_url
        self.http = requests.Session()
        response = requests.post(
            f"{base_url}/oauth/token", auth=(client_id, client_secret), data={"grant_type": "client_credentials"}, timeout=10
        )
        response.raise_for_status()
        self.token = response.json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"

    def get(self, path: str, **params) -> requests.Response:
        return self.http.get(self.base_url + path, params=params, timeout=30)

    def post(self, path: str, body) -> requests.Response:
        return self.http.post(self.base_url + path, json=body, timeout=30)

    def search(self, query: list[dict], page: int = 1, size: int = 100, **extra) -> requests.Response:
        return self.post(SEARCH, {"query": query, "pageSize": size, "pageNumber": page, **extra})

    def search_all(self, query: list[dict], size: int = 100, **extra) -> list[dict]:
        """Every result, paging until a short page (the documented rule for search)."""
        results, page = [], 1
        while True:
            response = self.search(query, page, size, **extra)
            assert response.status_code == 200, response.text
            batch = response.json()["results"]
            results += batch
            if len(batch) < size:
                return results
            page += 1

    def search_month(self, month: str, **extra) -> list[dict]:
        return self.search_all([created_range(*month_window(month))], **extra)

    def query_all(self, **params) -> tuple[list[dict], list[dict]]:
        """(entities, listings) of every page, following nextUri."""
        entities, listings, page = [], [], 1
        while True:
            response = self.get(QUERY, pageNumber=page, **params)
            assert response.status_code == 200, response.text
            listing = response.json()
            listings.append(listing)
            entities += listing["entities"]
            if "nextUri" not in listing:
                return entities, listings
            page += 1


@pytest.fixture(scope="session")
def demo_sim():
    """The demo organisation (6 months x 120), read-only: tests must not change it."""
    with Simulator(seed=42, anchor_month=ANCHOR, rate_limit_per_minute=None) as sim:
        yield sim


@pytest.fixture(scope="session")
def demo_api(demo_sim) -> GenesysSession:
    return GenesysSession(demo_sim.base_url)


@pytest.fixture
def sim():
    """A fresh two-month organisation with the control API, for tests that change it."""
    with Simulator(seed=42, anchor_month=ANCHOR, months=2, rate_limit_per_minute=None, control_api=True) as sim:
        yield sim


@pytest.fixture
def api(sim) -> GenesysSession:
    return GenesysSession(sim.base_url)
