"""The demo organisation has the variety the pipeline must handle (forms, statuses, revisions, releases)."""

from __future__ import annotations

from collections import Counter

import pytest


@pytest.fixture(scope="module")
def evaluations(demo_sim) -> list[dict]:
    return [e for month in demo_sim.org.months for e in demo_sim.org.evaluations_in_month(month)]


def test_people_and_places(demo_sim):
    assert len(demo_sim.org.agents) == 12 and len(demo_sim.org.evaluators) == 4 and len(demo_sim.org.queues) == 3


def test_forms_have_realistic_shapes_and_at_least_two_versions_each(demo_sim):
    forms = demo_sim.org.forms
    by_context = Counter(form["contextId"] for form in forms)
    assert len(by_context) >= 3 and min(by_context.values()) >= 2
    assert {form["weightMode"] for form in forms} == {"SCALED", "OFF"}
    for form in forms:
        groups = form["questionGroups"]
        questions = [q for g in groups for q in g["questions"]]
        assert 3 <= len(groups) <= 5 and 15 <= len(questions) <= 25
        types = {q["type"] for q in questions}
        assert {"multipleChoiceQuestion", "freeTextQuestion", "multipleSelectQuestion"} <= types
        assert any(q["isKill"] for q in questions) and any(q["isCritical"] for q in questions)
        assert any(g["naEnabled"] for g in groups)
    for context in by_context:
        weights = [[g["weight"] for g in f["questionGroups"]] for f in forms if f["contextId"] == context]
        assert weights[0] != weights[1]


def test_statuses_answers_and_releases_vary_like_a_real_organisation(evaluations):
    statuses = Counter(e["status"] for e in evaluations)
    assert statuses["FINISHED"] > 0.8 * len(evaluations)
    assert {"PENDING", "INPROGRESS", "INREVIEW", "RETRACTED"} <= set(statuses)
    without_answers = [e for e in evaluations if "answers" not in e]
    assert 0.005 * len(evaluations) <= len(without_answers) <= 0.04 * len(evaluations)
    assert any(e["neverRelease"] for e in evaluations) and any("releaseDate" in e for e in evaluations)
    pending_ai = Counter(e["aiScoring"]["pending"] for e in evaluations if "aiScoring" in e)
    assert pending_ai[True] >= 1 and pending_ai[False] > pending_ai[True]


def test_rescored_evaluations_form_revision_chains(evaluations):
    by_id = {e["id"]: e for e in evaluations}
    rescored = [e for e in evaluations if e["rescore"]]
    assert rescored
    for version in rescored:
        old = by_id[version["retractedEvaluation"]["id"]]
        assert old["status"] == "RETRACTED" and old["evaluationContextId"] == version["evaluationContextId"]
        assert old["createdDate"] == version["createdDate"] and version["version"] == old["version"] + 1


def test_evaluations_use_the_form_version_in_force_when_created(demo_sim, evaluations):
    for context in demo_sim.org.form_contexts():
        versions = [f for f in demo_sim.org.forms if f["contextId"] == context]
        used = [e for e in evaluations if e["evaluationForm"]["contextId"] == context]
        assert {e["evaluationForm"]["id"] for e in used} == {v["id"] for v in versions}
        second_published = versions[1]["modifiedDate"]
        for evaluation in used:
            expected = versions[1]["id"] if evaluation["createdDate"] >= second_published else versions[0]["id"]
            assert evaluation["evaluationForm"]["id"] == expected


def test_created_dates_spread_over_each_month(demo_sim):
    for month in demo_sim.org.months:
        created = sorted(e["createdDate"] for e in demo_sim.org.evaluations_in_month(month))
        assert created[0][:10] <= f"{month[:8]}02" and created[-1][8:10] >= "27"
