"""Paging completeness: search pages until a short page; query follows nextUri whatever total says."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from genesys_quality.genesys import MalformedResponseError
from genesys_quality.genesys.paging import listing_items, with_required_params

from .conftest import ANCHOR_MONTH

SEARCH = "POST /api/v2/quality/evaluations/search"
QUERY = "/api/v2/quality/evaluations/query"
UTC = timezone.utc
SEPTEMBER, OCTOBER, NOVEMBER, DECEMBER = (datetime(2026, m, 1, tzinfo=UTC) for m in (9, 10, 11, 12))


def _ids(evaluations) -> list[str]:
    return [evaluation["id"] for evaluation in evaluations]


def _all_evaluations(simulator) -> list[dict]:
    return [e for month in simulator.org.months for e in simulator.org.evaluations_in_month(month)]


def test_search_pages_until_a_short_page_and_returns_the_whole_month_in_order(sim, make_client):
    client = make_client(sim)
    truth = _ids(sim.org.evaluations_in_month("2026-10-01"))
    before = sim.stats.snapshot()["requests"].get(SEARCH, 0)

    pages = list(client.search_evaluation_pages(OCTOBER, NOVEMBER, page_size=25))

    assert _ids(e for page in pages for e in page.evaluations) == truth
    assert [page.page_number for page in pages] == list(range(1, len(pages) + 1))
    assert [page.is_last for page in pages] == [False] * (len(pages) - 1) + [True]
    assert all(len(page.evaluations) == 25 for page in pages[:-1]) and len(pages[-1].evaluations) < 25
    assert sim.stats.snapshot()["requests"][SEARCH] - before == math.ceil(len(truth) / 25)


def test_search_stops_on_an_empty_page_when_results_fill_whole_pages(start_simulator, make_client):
    simulator = start_simulator(months=1, evaluations_per_month=10)  # < 20: no rescores or deletions
    client = make_client(simulator)
    start = datetime.fromisoformat(ANCHOR_MONTH).replace(tzinfo=UTC)

    pages = list(client.search_evaluation_pages(start, DECEMBER, page_size=5))

    assert [(p.page_number, len(p.evaluations), p.is_last) for p in pages] == [(1, 5, False), (2, 5, False), (3, 0, True)]
    assert _ids(e for p in pages for e in p.evaluations) == _ids(simulator.org.evaluations_in_month(ANCHOR_MONTH))


def test_search_resumes_from_start_page(sim, make_client):
    client = make_client(sim)
    truth = _ids(sim.org.evaluations_in_month("2026-10-01"))

    pages = list(client.search_evaluation_pages(OCTOBER, NOVEMBER, page_size=25, start_page=3))

    assert pages[0].page_number == 3
    assert _ids(e for p in pages for e in p.evaluations) == truth[50:]


def test_three_month_search_equals_its_three_months(sim, make_client):
    client = make_client(sim)
    truth = _ids(_all_evaluations(sim))

    found = _ids(client.search_evaluations(SEPTEMBER, DECEMBER))

    assert found == truth and len(set(found)) == len(found)


def test_search_by_submitted_date_descending_returns_the_same_evaluations(sim, make_client):
    client = make_client(sim)
    ascending = _ids(client.search_evaluations(OCTOBER, NOVEMBER, date_field="submittedDate"))
    descending = _ids(client.search_evaluations(OCTOBER, NOVEMBER, date_field="submittedDate", sort_order="DESC"))
    assert ascending and descending == ascending[::-1]


def test_query_follows_next_uri_through_short_pages_and_wrong_totals(sim, make_client):
    client = make_client(sim)
    everything = _all_evaluations(sim)
    short_pages_with_next = 0
    wrong_totals = 0
    for evaluator in sim.org.evaluators:
        truth = {e["id"] for e in everything if (e.get("evaluator") or {}).get("id") == evaluator["id"]}
        first_page = client.get(QUERY, {"evaluatorUserId": evaluator["id"], "pageSize": 7})
        wrong_totals += first_page["total"] != len(truth)

        pages = list(client.query_evaluation_pages(evaluator_user_id=evaluator["id"], page_size=7))

        found = _ids(e for page in pages for e in page.evaluations)
        assert set(found) == truth and len(found) == len(truth)
        assert [p.is_last for p in pages] == [False] * (len(pages) - 1) + [True]
        short_pages_with_next += sum(1 for p in pages if len(p.evaluations) < 7 and not p.is_last)
    assert short_pages_with_next > 0, "the simulator should serve short pages that still have a nextUri"
    assert wrong_totals > 0, "the simulator should report inaccurate totals"


def test_query_always_asks_for_answers(sim, make_client):
    client = make_client(sim)
    evaluator = sim.org.evaluators[0]["id"]
    truth = {e["id"]: e for e in _all_evaluations(sim) if (e.get("evaluator") or {}).get("id") == evaluator}

    found = list(client.query_evaluations(evaluator_user_id=evaluator, page_size=50))

    with_answers = [e for e in found if truth[e["id"]].get("answers")]
    assert with_answers and all(e["answers"] == truth[e["id"]]["answers"] for e in with_answers)


def test_query_by_conversation_returns_its_evaluations(sim, make_client):
    client = make_client(sim)
    evaluation = sim.org.evaluations_in_month("2026-10-01")[7]
    found = list(client.query_evaluations(conversation_id=evaluation["conversation"]["id"]))
    assert evaluation["id"] in _ids(found)


def test_query_without_a_user_or_conversation_filter_is_refused_before_any_request(sim, make_client):
    client = make_client(sim)
    with pytest.raises(ValueError, match="evaluator_user_id, agent_user_id"):
        client.query_evaluation_pages(start_time=OCTOBER, end_time=NOVEMBER)
    assert client.stats.requests == 0


def test_list_users_follows_next_uri_to_the_last_user(sim, make_client):
    client = make_client(sim)
    users = list(client.list_users(page_size=5))
    assert _ids(users) == _ids(sim.org.users) and len(users) > 5


def test_next_uri_is_rebased_on_our_host_and_keeps_required_params():
    uri = "https://elsewhere.example/api/v2/quality/evaluations/query?pageSize=25&pageNumber=2&agentUserId=a1"
    rebased = with_required_params(uri, {"agentUserId": "a1", "expandAnswerTotalScores": "true", "expand": ["agent", "evaluator"]})
    assert rebased == (
        "/api/v2/quality/evaluations/query?pageSize=25&pageNumber=2&agentUserId=a1"
        "&expandAnswerTotalScores=true&expand=agent&expand=evaluator"
    )


def test_listing_without_its_container_key_names_endpoint_and_key():
    with pytest.raises(MalformedResponseError) as caught:
        listing_items({"entities": []}, "results", method="POST", path="/api/v2/quality/evaluations/search")
    assert "POST /api/v2/quality/evaluations/search" in str(caught.value) and "'results'" in str(caught.value)
    with pytest.raises(MalformedResponseError, match="not a list"):
        listing_items({"entities": {"id": "x"}}, "entities", method="GET", path=QUERY)
