"""A million evaluations in one month are served lazily: deep pages are cheap and memory stays small."""

from __future__ import annotations

import json
import time
import types

import psutil
import pytest

from genesys_quality.simulator import Organisation, Simulator, generate_month_jsonl

from .conftest import ANCHOR, GenesysSession, created_range, month_window

MILLION = 1_000_000


@pytest.fixture(scope="module")
def rss_before_million():
    """RSS of this process before the simulator starts: the suite may already hold other imports."""
    return psutil.Process().memory_info().rss / 1e6


@pytest.fixture(scope="module")
def million(rss_before_million):
    with Simulator(seed=3, anchor_month=ANCHOR, months=1, evaluations_per_month=MILLION, rate_limit_per_minute=None) as sim:
        yield sim


def test_page_5000_of_a_million_evaluation_month_is_served_without_materialising_it(
    million, rss_before_million, record_property
):
    api = GenesysSession(million.base_url)
    window = [created_range(*month_window(ANCHOR))]
    started = time.perf_counter()
    page = api.search(window, page=5000, size=100).json()["results"]
    record_property("page_5000_seconds", round(time.perf_counter() - started, 3))
    following = api.search(window, page=5001, size=100).json()["results"]
    assert len(page) == 100 and len(following) == 100
    keys = [(e["createdDate"], e["id"]) for e in page + following]
    assert keys == sorted(keys) and len(set(keys)) == 200
    assert "2026-11-14" <= page[0]["createdDate"][:10] <= "2026-11-17", "page 5000 of 10000 sits mid-month"
    found = api.get(f"/api/v2/quality/conversations/{page[7]['conversation']['id']}/evaluations/{page[7]['id']}")
    assert found.status_code == 200 and found.json()["id"] == page[7]["id"]
    grown_mb = psutil.Process().memory_info().rss / 1e6 - rss_before_million
    record_property("rss_growth_mb", round(grown_mb))
    assert grown_mb < 200, "serving a 1M month must not materialise it (a full month is several GB)"


def test_the_last_page_of_a_million_month_ends_the_month(million):
    api = GenesysSession(million.base_url)
    window = [created_range(*month_window(ANCHOR))]
    served_count = MILLION + 50 - 50  # seeded history: 50 rescored versions added, 50 evaluations deleted
    last = api.search(window, page=served_count // 100, size=100).json()["results"]
    beyond = api.search(window, page=served_count // 100 + 1, size=100).json()["results"]
    assert len(last) == 100 and beyond == []
    assert last[-1]["createdDate"].startswith("2026-11-30")


def test_iterating_a_million_month_is_lazy(million):
    stream = million.org.iter_month_evaluations(ANCHOR)
    assert isinstance(stream, types.GeneratorType)
    first = [next(stream) for _ in range(3)]
    assert first[0]["createdDate"] < first[1]["createdDate"] < first[2]["createdDate"]


def test_generate_month_jsonl_streams_the_month_exactly_as_search_returns_it(tmp_path):
    target = tmp_path / "month.jsonl"
    count = generate_month_jsonl(target, ANCHOR, 2_000, seed=9)
    lines = target.read_text().splitlines()
    expected = Organisation(seed=9, anchor_month=ANCHOR, months=1, evaluations_per_month=2_000).evaluations_in_month(ANCHOR)
    assert count == len(lines) == len(expected) == 2_000 - 20 + 50
    assert [json.loads(line) for line in lines] == expected
    assert not list(tmp_path.glob("*.partial"))
