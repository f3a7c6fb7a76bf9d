"""Control operations change what the API serves: rescore, dispute, finish, delete, remove_question, forms, drift."""

from __future__ import annotations

import pytest
import requests

from genesys_quality.simulator import Simulator

from .conftest import ANCHOR, QUERY, GenesysSession


def single_get(api: GenesysSession, evaluation: dict) -> requests.Response:
    return api.get(f"/api/v2/quality/conversations/{evaluation['conversation']['id']}/evaluations/{evaluation['id']}")


def finished(sim) -> dict:
    return next(e for e in sim.org.evaluations_in_month(ANCHOR) if e["status"] == "FINISHED" and "answers" in e and e["version"] == 1)


def test_rescore_creates_a_new_version_and_retracts_the_old_one(sim, api):
    old = finished(sim)
    new = sim.org.rescore(old["id"])
    served = {e["id"]: e for e in api.search_month(ANCHOR)}
    assert served[old["id"]]["status"] == "RETRACTED"
    version = served[new["id"]]
    assert version["id"] != old["id"]
    assert version["evaluationContextId"] == old["evaluationContextId"]
    assert version["createdDate"] == old["createdDate"]
    assert version["version"] == old["version"] + 1
    assert version["retractedEvaluation"]["id"] == old["id"]
    assert version["rescore"] is True and version["status"] == "FINISHED"
    assert version["answers"]["totalScore"] != old["answers"]["totalScore"]
    assert version["changedDate"] > old["changedDate"] and version["submittedDate"] > old["submittedDate"]


def test_rescoring_a_retracted_version_is_refused_with_a_clear_error(sim):
    old = finished(sim)
    sim.org.rescore(old["id"])
    with pytest.raises(ValueError, match="RETRACTED"):
        sim.org.rescore(old["id"])


def test_delete_removes_the_evaluation_from_search_query_and_get(sim, api):
    victim = finished(sim)
    assert single_get(api, victim).status_code == 200
    sim.org.delete(victim["id"])
    response = single_get(api, victim)
    assert response.status_code == 404 and response.json()["code"] == "not.found"
    assert victim["id"] not in {e["id"] for e in api.search_month(ANCHOR)}
    entities, _ = api.query_all(evaluatorUserId=victim["evaluator"]["id"], pageSize=100)
    assert victim["id"] not in {e["id"] for e in entities}
    assert victim["id"] in sim.org.deleted_evaluation_ids


def test_dispute_then_resolve_moves_status_and_dispute_count(sim, api):
    target = finished(sim)
    disputed = sim.org.dispute(target["id"])
    assert disputed["status"] == "INREVIEW" and disputed["disputeCount"] == target["disputeCount"] + 1
    assert single_get(api, target).json()["status"] == "INREVIEW"
    resolved = sim.org.resolve_dispute(target["id"])
    assert resolved["status"] == "FINISHED" and resolved["changedDate"] > disputed["changedDate"]


def test_finish_scores_a_pending_evaluation(sim, api):
    pending = sim.org.add_evaluation(ANCHOR, status="PENDING", with_answers=False)
    assert "answers" not in pending
    done = sim.org.finish(pending["id"])
    served = single_get(api, done).json()
    assert served["status"] == "FINISHED" and 0 <= served["answers"]["totalScore"] <= 100
    assert "submittedDate" in served


def test_added_evaluation_appears_in_its_month_and_in_the_oracle(sim, api):
    added = sim.org.add_evaluation(ANCHOR)
    assert added["createdDate"].startswith("2026-11-")
    assert added["id"] in {e["id"] for e in api.search_month(ANCHOR)}
    assert added in sim.org.evaluations_in_month(ANCHOR)


def test_remove_question_resubmits_the_same_evaluation_with_one_answer_fewer(sim, api):
    target = finished(sim)
    changed = sim.org.remove_question(target["id"])
    before = [q["questionId"] for g in target["answers"]["questionGroupScores"] for q in g["questionScores"]]
    after = [q["questionId"] for g in changed["answers"]["questionGroupScores"] for q in g["questionScores"]]
    assert changed["id"] == target["id"] and len(after) == len(before) - 1
    assert before[0] not in after
    assert changed["changedDate"] > target["changedDate"] and changed["submittedDate"] > target["submittedDate"]
    first_group = changed["answers"]["questionGroupScores"][0]
    old_group = target["answers"]["questionGroupScores"][0]
    assert first_group["maxTotalScoreUnweighted"] < old_group["maxTotalScoreUnweighted"]
    assert single_get(api, target).json()["answers"] == changed["answers"]


def test_publishing_a_form_version_lists_it_and_new_evaluations_use_it(sim, api):
    context = sim.org.form_contexts()[0]
    before = api.get("/api/v2/quality/publishedforms/evaluations", pageSize=100).json()["entities"]
    existing = [e for e in sim.org.evaluations_in_month(ANCHOR) if e["evaluationForm"]["contextId"] == context]
    version = sim.org.publish_form_version(context)
    after = api.get("/api/v2/quality/publishedforms/evaluations", pageSize=100).json()["entities"]
    assert len(after) == len(before) + 1 and version["id"] in {f["id"] for f in after}
    assert api.get(f"/api/v2/quality/publishedforms/evaluations/{context}").json()["id"] == version["id"]
    previous = api.get(f"/api/v2/quality/forms/evaluations/{existing[0]['evaluationForm']['id']}").json()
    assert [g["contextId"] for g in version["questionGroups"]] == [g["contextId"] for g in previous["questionGroups"]]
    assert {g["id"] for g in version["questionGroups"]}.isdisjoint({g["id"] for g in previous["questionGroups"]})
    assert [g["weight"] for g in version["questionGroups"]] != [g["weight"] for g in previous["questionGroups"]]
    added = sim.org.add_evaluation(ANCHOR, form_context_id=context)
    assert added["evaluationForm"]["id"] == version["id"]
    unchanged = {e["id"]: e for e in sim.org.evaluations_in_month(ANCHOR)}
    assert all(unchanged[e["id"]]["evaluationForm"]["id"] == e["evaluationForm"]["id"] for e in existing)
    versions = api.get(f"/api/v2/quality/forms/evaluations/{version['id']}/versions", pageSize=100).json()["entities"]
    assert [v["id"] for v in versions][-1] == version["id"]


def test_unpublished_form_leaves_the_published_listing(sim, api):
    context = sim.org.form_contexts()[1]
    sim.org.unpublish_form(context)
    listed = api.get("/api/v2/quality/publishedforms/evaluations", pageSize=100).json()["entities"]
    assert context not in {f["contextId"] for f in listed}
    assert api.get(f"/api/v2/quality/publishedforms/evaluations/{context}").status_code == 404
    with pytest.raises(ValueError, match="unpublished"):
        sim.org.add_evaluation(ANCHOR, form_context_id=context)


def test_deleted_form_version_answers_404_while_evaluations_still_point_at_it(sim, api):
    evaluation = finished(sim)
    form_id = evaluation["evaluationForm"]["id"]
    sim.org.delete_form_version(form_id)
    assert api.get(f"/api/v2/quality/forms/evaluations/{form_id}").status_code == 404
    assert single_get(api, evaluation).json()["evaluationForm"]["id"] == form_id


def test_patched_json_drifts_on_the_wire_but_not_in_filters(sim, api):
    target = finished(sim)
    sim.org.patch_evaluation_json(target["id"], set={"brandNewField": {"x": 1}, "answers.totalScore": "87.5"},
                                  remove=["agentHasRead"])
    served = next(e for e in api.search_month(ANCHOR) if e["id"] == target["id"])
    assert served["brandNewField"] == {"x": 1} and served["answers"]["totalScore"] == "87.5"
    assert "agentHasRead" not in served
    entities, _ = api.query_all(evaluatorUserId=target["evaluator"]["id"], pageSize=100)
    plain = next(e for e in entities if e["id"] == target["id"])
    assert "answers" not in plain and plain["brandNewField"] == {"x": 1}


def test_unknown_evaluation_is_a_lookup_error_naming_the_id(sim):
    with pytest.raises(LookupError, match="no-such-id"):
        sim.org.rescore("no-such-id")


def test_control_api_over_http_calls_the_organisation(sim):
    target = finished(sim)
    response = requests.post(f"{sim.base_url}/__simulator__/control/rescore", json={"evaluation_id": target["id"]}, timeout=10)
    assert response.status_code == 200 and response.json()["retractedEvaluation"]["id"] == target["id"]
    missing = requests.post(f"{sim.base_url}/__simulator__/control/delete", json={"evaluation_id": "nope"}, timeout=10)
    assert missing.status_code == 404 and "nope" in missing.json()["message"]
    bad = requests.post(f"{sim.base_url}/__simulator__/control/rescore", json={"wrong": 1}, timeout=10)
    assert bad.status_code == 400
    faults = requests.post(f"{sim.base_url}/__simulator__/faults/fail_next", json={"n": 1, "kind": "503"}, timeout=10)
    assert faults.status_code == 200 and faults.json()["pending"][0]["kind"] == "503"
    stats = requests.get(f"{sim.base_url}/__simulator__/stats", timeout=10).json()
    assert set(stats) == {"requests", "responses", "tokens_issued", "rate_limited", "resets"}


def test_control_api_paths_are_404_when_disabled(demo_sim):
    for method, path in (("post", "/__simulator__/control/rescore"), ("get", "/__simulator__/stats")):
        response = getattr(requests, method)(demo_sim.base_url + path, json={}, timeout=10)
        assert response.status_code == 404 and response.json()["code"] == "not.found"


def test_control_api_refuses_a_non_loopback_host():
    with pytest.raises(ValueError, match="loopback"):
        Simulator(seed=1, anchor_month=ANCHOR, control_api=True, host="0.0.0.0")


def test_query_reflects_control_changes(sim, api):
    target = finished(sim)
    sim.org.dispute(target["id"])
    listing = api.get(QUERY, evaluatorUserId=target["evaluator"]["id"], pageSize=100, evaluationState="INREVIEW").json()
    assert target["id"] in {e["id"] for e in listing["entities"]}


def test_editing_returned_dicts_never_changes_the_organisation(sim):
    target = finished(sim)
    new = sim.org.rescore(target["id"])
    new["answers"]["totalScore"] = -1
    oracle = next(e for e in sim.org.evaluations_in_month(ANCHOR) if e["id"] == new["id"])
    assert oracle["answers"]["totalScore"] >= 0
    oracle["answers"]["totalScore"] = -2
    assert sim.org.get_evaluation(new["id"])["answers"]["totalScore"] >= 0
