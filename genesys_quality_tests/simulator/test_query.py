"""GET /evaluations/query: required filters, expandAnswerTotalScores, short pages, approximate totals, sorting."""

from __future__ import annotations

from .conftest import QUERY


def everything(org) -> list[dict]:
    return [e for month in org.months for e in org.evaluations_in_month(month)]


def test_query_without_a_user_or_conversation_filter_is_a_400(demo_api):
    response = demo_api.get(QUERY, pageSize=25)
    assert response.status_code == 400
    assert response.json()["code"] == "bad.request"
    assert "agentUserId" in response.json()["message"]


def test_answers_appear_only_with_expand_answer_total_scores(demo_sim, demo_api):
    evaluator = demo_sim.org.evaluators[1]["id"]
    plain = demo_api.get(QUERY, evaluatorUserId=evaluator, pageSize=50).json()["entities"]
    expanded = demo_api.get(QUERY, evaluatorUserId=evaluator, pageSize=50, expandAnswerTotalScores="true").json()["entities"]
    assert plain and not any("answers" in e for e in plain)
    assert sum("answers" in e for e in expanded) > 0.9 * len(expanded)
    assert [e["id"] for e in plain] == [e["id"] for e in expanded]


def test_paging_by_next_uri_returns_every_evaluation_once_despite_short_pages(demo_sim, demo_api):
    short_with_next = 0
    for evaluator in (user["id"] for user in demo_sim.org.evaluators):
        entities, listings = demo_api.query_all(evaluatorUserId=evaluator, pageSize=10)
        expected = sorted((e for e in everything(demo_sim.org) if e["evaluator"]["id"] == evaluator),
                          key=lambda e: (e["assignedDate"], e["id"]))
        assert [e["id"] for e in entities] == [e["id"] for e in expected]
        assert "nextUri" not in listings[-1]
        assert all("nextUri" in page for page in listings[:-1])
        short_with_next += sum(len(page["entities"]) < 10 and "nextUri" in page for page in listings)
    assert short_with_next, "some page should be short yet still carry nextUri"


def test_total_is_approximate_but_deterministic(demo_sim, demo_api):
    evaluator = demo_sim.org.evaluators[2]["id"]
    entities, listings = demo_api.query_all(evaluatorUserId=evaluator, pageSize=25)
    totals = {page["total"] for page in listings}
    assert len(totals) == 1
    total = totals.pop()
    assert total != len(entities) and abs(total - len(entities)) <= max(1, len(entities) // 10)
    assert listings[0]["pageCount"] == -(-total // 25)


def test_agent_only_query_sorts_by_release_date_and_leaves_out_never_release(demo_sim, demo_api):
    agent = demo_sim.org.agents[3]["id"]
    entities, _ = demo_api.query_all(agentUserId=agent, pageSize=100)
    mine = [e for e in everything(demo_sim.org) if e["agent"]["id"] == agent]
    assert any(e["neverRelease"] for e in mine), "the agent should have a neverRelease evaluation to leave out"
    expected = sorted((e for e in mine if "releaseDate" in e and not e["neverRelease"]), key=lambda e: (e["releaseDate"], e["id"]))
    assert [e["id"] for e in entities] == [e["id"] for e in expected]


def test_agent_with_evaluator_query_keeps_never_release_and_sorts_by_assigned_date(demo_sim, demo_api):
    agent, evaluator = demo_sim.org.agents[3]["id"], demo_sim.org.evaluators[0]["id"]
    entities, _ = demo_api.query_all(agentUserId=agent, evaluatorUserId=evaluator, pageSize=100)
    expected = sorted((e for e in everything(demo_sim.org) if e["agent"]["id"] == agent and e["evaluator"]["id"] == evaluator),
                      key=lambda e: (e["assignedDate"], e["id"]))
    assert [e["id"] for e in entities] == [e["id"] for e in expected]


def test_start_and_end_time_filter_on_the_sort_date(demo_sim, demo_api):
    evaluator = demo_sim.org.evaluators[3]["id"]
    start, end = "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z"
    entities, _ = demo_api.query_all(evaluatorUserId=evaluator, startTime=start, endTime=end, pageSize=100)
    expected = [e["id"] for e in sorted(everything(demo_sim.org), key=lambda e: (e["assignedDate"], e["id"]))
                if e["evaluator"]["id"] == evaluator and start <= e["assignedDate"] < end]
    assert [e["id"] for e in entities] == expected and expected


def test_conversation_query_finds_every_version_of_that_conversation(demo_sim, demo_api):
    rescored = next(e for e in everything(demo_sim.org) if e["status"] == "RETRACTED")
    entities, _ = demo_api.query_all(conversationId=rescored["conversation"]["id"])
    assert {e["status"] for e in entities} == {"RETRACTED", "FINISHED"}
    assert len({e["evaluationContextId"] for e in entities}) == 1


def test_query_page_size_above_one_hundred_is_a_400(demo_sim, demo_api):
    response = demo_api.get(QUERY, agentUserId=demo_sim.org.agents[0]["id"], pageSize=101)
    assert response.status_code == 400 and response.json()["code"] == "bad.request"


def test_bad_start_time_is_a_400_invalid_date(demo_sim, demo_api):
    response = demo_api.get(QUERY, agentUserId=demo_sim.org.agents[0]["id"], startTime="yesterday")
    assert response.status_code == 400 and response.json()["code"] == "invalid.date"


def test_agent_team_filter_matches_nothing_and_does_not_poison_later_queries(demo_sim, demo_api):
    evaluator = demo_sim.org.evaluators[1]["id"]
    teamed = demo_api.get(QUERY, evaluatorUserId=evaluator, agentTeamId="any-team", pageSize=20).json()
    assert teamed["entities"] == [] and teamed["total"] == 0 and "nextUri" not in teamed
    assert demo_api.get(QUERY, evaluatorUserId=evaluator, pageSize=20).json()["entities"]
