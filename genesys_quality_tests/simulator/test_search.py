"""POST /evaluations/search: the 3-month window, required time range, page caps, order and filters."""

from __future__ import annotations

from collections import Counter

from .conftest import ANCHOR, created_range, month_window


def error_of(response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


def test_paging_a_month_returns_exactly_the_organisation_state_in_created_order(demo_sim, demo_api):
    served = demo_api.search_month(ANCHOR, size=37)
    oracle = demo_sim.org.evaluations_in_month(ANCHOR)
    assert served == oracle
    keys = [(e["createdDate"], e["id"]) for e in served]
    assert keys == sorted(keys)


def test_adjacent_month_windows_share_nothing_and_cover_every_evaluation(demo_sim, demo_api):
    months = demo_sim.org.months
    start, _ = month_window(months[-3])
    _, end = month_window(months[-1])
    whole = {e["id"] for e in demo_api.search_all([created_range(start, end)])}
    per_month = [{e["id"] for e in demo_api.search_month(month)} for month in months[-3:]]
    assert sum(map(len, per_month)) == len(whole)
    assert set().union(*per_month) == whole


def test_descending_order_is_the_reverse_of_ascending(demo_api):
    window = [created_range(*month_window(ANCHOR))]
    ascending = demo_api.search_all(window)
    descending = demo_api.search_all(window, sortOrder="DESC")
    assert [e["id"] for e in descending] == [e["id"] for e in reversed(ascending)]


def test_page_size_above_the_cap_is_a_400(demo_api):
    response = demo_api.search([created_range(*month_window(ANCHOR))], size=101)
    assert error_of(response) == (400, "bad.request")
    assert "pageSize" in response.json()["message"]


def test_window_longer_than_three_months_is_a_400(demo_api):
    response = demo_api.search([created_range("2026-08-01T00:00:00.000Z", "2026-11-01T00:00:00.001Z")])
    assert error_of(response) == (400, "bad.request")
    assert "3 months" in response.json()["message"]
    assert demo_api.search([created_range("2026-08-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z")]).status_code == 200


def test_search_without_a_time_range_is_a_400(demo_sim, demo_api):
    agent = demo_sim.org.agents[0]["id"]
    response = demo_api.search([{"type": "EXACT", "field": "agentId", "value": agent}])
    assert error_of(response) == (400, "bad.request")
    assert "time range is required" in response.json()["message"]


def test_unparseable_date_is_a_400_invalid_date(demo_api):
    response = demo_api.search([created_range("last tuesday", "2026-12-01T00:00:00.000Z")])
    assert error_of(response) == (400, "invalid.date")
    assert "last tuesday" in response.json()["message"]


def test_unsupported_criterion_is_a_400_naming_it(demo_api):
    response = demo_api.search([created_range(*month_window(ANCHOR)), {"type": "RANGE", "field": "totalScore"}])
    assert error_of(response) == (400, "bad.request")
    assert "RANGE" in response.json()["message"]


def test_exact_criteria_filter_and_or_their_values(demo_sim, demo_api):
    agents = [a["id"] for a in demo_sim.org.agents[:2]]
    window = created_range(*month_window(ANCHOR))
    served = demo_api.search_all([window, {"type": "EXACT", "field": "agentId", "values": agents},
                                  {"type": "EXACT", "field": "evaluationStatus", "value": "FINISHED"}])
    oracle = [e for e in demo_sim.org.evaluations_in_month(ANCHOR) if e["agent"]["id"] in agents and e["status"] == "FINISHED"]
    assert [e["id"] for e in served] == [e["id"] for e in oracle]
    assert served


def test_submitted_date_window_finds_what_the_organisation_says(demo_sim, demo_api):
    start, end = month_window(ANCHOR)
    served = demo_api.search_all([created_range(start, end, field="submittedDate")], sortBy="submittedDate")
    everything = [e for month in demo_sim.org.months for e in demo_sim.org.evaluations_in_month(month)]
    expected = sorted((e for e in everything if start <= e.get("submittedDate", "") < end), key=lambda e: (e["submittedDate"], e["id"]))
    assert [e["id"] for e in served] == [e["id"] for e in expected]
    assert any(e["createdDate"] < start for e in served), "evaluations created last month and submitted this month count"


def test_results_always_include_answers_when_the_evaluation_has_them(demo_api):
    results = demo_api.search_month(ANCHOR)
    assert sum("answers" in e for e in results) > 0.9 * len(results)
    assert all("answers" not in e for e in results if e["status"] == "PENDING")


def test_date_range_is_half_open_so_an_evaluation_on_the_boundary_belongs_to_the_later_window(demo_sim, demo_api):
    month = demo_sim.org.evaluations_in_month(ANCHOR)
    created = Counter(e["createdDate"] for e in month)
    evaluation = next(e for e in month[40:] if created[e["createdDate"]] == 1 and "submittedDate" in e)
    for field, moment, start, end in (
        ("createdDate", evaluation["createdDate"], "2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"),
        ("submittedDate", evaluation["submittedDate"], "2026-10-20T00:00:00.000Z", "2026-12-05T00:00:00.000Z"),
    ):
        before = demo_api.search_all([created_range(start, moment, field)], sortBy=field)
        after = demo_api.search_all([created_range(moment, end, field)], sortBy=field)
        assert evaluation["id"] not in {e["id"] for e in before}
        assert evaluation["id"] in {e["id"] for e in after}


def test_not_evaluation_id_leaves_out_exactly_those_evaluations_and_pages_the_rest(sim, api):
    """The createdDate walk with exclusions (a window restart) must equal the generic filtered scan."""
    month = sim.org.evaluations_in_month(ANCHOR)
    rescored = sim.org.rescore(next(e for e in month[20:] if e["status"] == "FINISHED")["id"])
    month = sim.org.evaluations_in_month(ANCHOR)
    start = next(e for e in month if e["id"] == rescored["id"])["createdDate"]
    _, end = month_window(ANCHOR)
    window = [e for e in month if e["createdDate"] >= start]
    left_out = {rescored["id"], window[-1]["id"], window[len(window) // 2]["id"], month[0]["id"], "not-an-id"}
    exclusion = {"type": "EXACT", "field": "evaluationId", "values": sorted(left_out), "operator": "NOT"}
    expected = [e["id"] for e in window if e["id"] not in left_out]
    walked = api.search_all([created_range(start, end), exclusion], size=7)
    scanned = api.search_all([created_range(start, end), exclusion,
                              {"type": "EXACT", "field": "released", "values": ["true", "false"]}], size=7)
    assert [e["id"] for e in walked] == expected
    assert [e["id"] for e in scanned] == expected
    assert len(expected) == len(window) - 3
