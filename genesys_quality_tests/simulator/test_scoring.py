"""Scores: every served evaluation recomputed here, independently, from its form version (genesys-api.md §4)."""

from __future__ import annotations

import copy

import pytest

SCORING = "/api/v2/quality/evaluations/scoring"


def recompute(form: dict, answers: dict) -> dict:
    """A deliberately small, separate implementation of §4: weighted groups, N/A out, kill -> 0."""
    scaled = form["weightMode"] != "OFF"
    questions = {}
    for group in form["questionGroups"]:
        for question in group["questions"]:
            questions[question["id"]] = question
            for sub in question.get("multipleSelectOptionQuestions", []):
                questions[sub["id"]] = dict(sub, isCritical=question["isCritical"])
    weights = {g["id"]: (g["weight"] if scaled else 1.0) for g in form["questionGroups"]}
    points = maximum = critical_points = critical_maximum = 0.0
    failed_kill = False
    groups = {}
    for group in answers["questionGroupScores"]:
        weight = weights[group["questionGroupId"]]
        earned = possible = 0
        if not (group["markedNA"] or group["systemMarkedNA"]):
            for score in group["questionScores"]:
                question = questions[score["questionId"]]
                if score.get("markedNA") or score.get("systemMarkedNA"):
                    continue
                scored = [score] if question["type"] == "multipleChoiceQuestion" else score.get("multipleSelectQuestionOptionScores", [])
                for item in scored:
                    options = {o["id"]: o["value"] for o in questions[item["questionId"]]["answerOptions"]}
                    value, top = options[item["answerId"]], max(options.values())
                    earned, possible = earned + value, possible + top
                    if question["isCritical"]:
                        critical_points += weight * value
                        critical_maximum += weight * top
                    failed_kill = failed_kill or (question["isKill"] and value < top)
        groups[group["questionGroupId"]] = (weight * earned, weight * possible, earned, possible)
        points += weight * earned
        maximum += weight * possible
    return {
        "totalScore": 0.0 if failed_kill else (100 * points / maximum if maximum else 0.0),
        "totalCriticalScore": 100 * critical_points / critical_maximum if critical_maximum else 0.0,
        "anyFailedKillQuestions": failed_kill,
        "groups": groups,
    }


@pytest.fixture(scope="module")
def scored(demo_sim, demo_api) -> list[tuple[dict, dict]]:
    forms: dict[str, dict] = {}
    pairs = []
    for month in demo_sim.org.months:
        for evaluation in demo_api.search_month(month):
            if "answers" not in evaluation:
                continue
            form_id = evaluation["evaluationForm"]["id"]
            if form_id not in forms:
                forms[form_id] = demo_api.get(f"/api/v2/quality/forms/evaluations/{form_id}").json()
            pairs.append((evaluation, forms[form_id]))
    return pairs


def test_every_served_total_score_matches_an_independent_recomputation(scored):
    assert len(scored) > 600
    for evaluation, form in scored:
        expected = recompute(form, evaluation["answers"])
        answers = evaluation["answers"]
        assert abs(answers["totalScore"] - expected["totalScore"]) <= 0.01, evaluation["id"]
        assert abs(answers["totalCriticalScore"] - expected["totalCriticalScore"]) <= 0.01, evaluation["id"]
        assert answers["anyFailedKillQuestions"] == expected["anyFailedKillQuestions"], evaluation["id"]


def test_group_fields_are_weight_times_points_and_weight_times_max(scored):
    for evaluation, form in scored:
        expected = recompute(form, evaluation["answers"])["groups"]
        for group in evaluation["answers"]["questionGroupScores"]:
            total, maximum, earned, possible = expected[group["questionGroupId"]]
            assert abs(group["totalScore"] - total) <= 0.01
            assert abs(group["maxTotalScore"] - maximum) <= 0.01
            assert group["totalScoreUnweighted"] == earned and group["maxTotalScoreUnweighted"] == possible
        raw = sum(g["maxTotalScoreUnweighted"] for g in evaluation["answers"]["questionGroupScores"])
        assert evaluation["answers"]["maxTotalRawScore"] == raw


def test_failed_kill_question_zeroes_total_but_keeps_critical_score(scored):
    killed = [(e, f) for e, f in scored if e["answers"]["anyFailedKillQuestions"]]
    assert killed, "the demo organisation should contain failed kill questions"
    assert all(e["answers"]["totalScore"] == 0.0 for e, _ in killed)
    assert any(e["answers"]["totalCriticalScore"] > 0.0 for e, _ in killed)


def test_free_text_answers_live_in_comments_and_score_nothing(scored):
    free_text = 0
    for evaluation, form in scored:
        kinds = {q["id"]: q["type"] for g in form["questionGroups"] for q in g["questions"]}
        for group in evaluation["answers"]["questionGroupScores"]:
            for score in group["questionScores"]:
                if kinds[score["questionId"]] == "freeTextQuestion" and not (score["markedNA"] or score["systemMarkedNA"]):
                    assert score["score"] == 0 and "answerId" not in score and score["comments"]
                    free_text += 1
    assert free_text > 100


def test_multiple_select_scores_are_the_sum_of_their_option_sub_questions(scored):
    seen = 0
    for evaluation, _ in scored:
        for group in evaluation["answers"]["questionGroupScores"]:
            for score in group["questionScores"]:
                options = score.get("multipleSelectQuestionOptionScores")
                if options:
                    assert score["score"] == sum(option["score"] for option in options)
                    seen += 1
    assert seen > 100


def test_hidden_group_is_system_marked_na_when_its_visibility_answer_is_not_given(scored):
    hidden = visible = 0
    for evaluation, form in scored:
        chosen = {q["questionId"]: q.get("answerId") for g in evaluation["answers"]["questionGroupScores"] for q in g["questionScores"]}
        by_id = {g["questionGroupId"]: g for g in evaluation["answers"]["questionGroupScores"]}
        for group in form["questionGroups"]:
            condition = group.get("visibilityCondition")
            if not condition:
                continue
            gi, qi, ai = (int(part) for part in condition["predicates"][0].split("/")[3::2])
            trigger = form["questionGroups"][gi]["questions"][qi]
            shown = chosen.get(trigger["id"]) == trigger["answerOptions"][ai]["id"]
            assert by_id[group["id"]]["systemMarkedNA"] is (not shown)
            hidden, visible = hidden + (not shown), visible + shown
    assert hidden and visible


# -- the reference example (genesys-api.md §2.2 and §3.3) through POST /evaluations/scoring -----------------

EXAMPLE_FORM = {
    "id": "9a7d4c3e-1111-4b2a-8f00-aa55bb66cc77", "name": "Inbound Support QA", "published": True,
    "contextId": "c0c0c0c0-2222-4d3e-9abc-0123456789ab", "weightMode": "SCALED",
    "questionGroups": [
        {"id": "g1", "contextId": "gc1", "name": "Greeting & Verification", "naEnabled": False, "weight": 40.0, "questions": [
            {"id": "q1", "contextId": "qc1", "text": "greeting?", "type": "multipleChoiceQuestion", "naEnabled": False,
             "isKill": False, "isCritical": False, "answerOptions": [
                 {"id": "a1-yes", "contextId": "ac1", "text": "Yes", "value": 1}, {"id": "a1-no", "contextId": "ac2", "text": "No", "value": 0}]},
            {"id": "q2", "contextId": "qc2", "text": "identity?", "type": "multipleChoiceQuestion", "naEnabled": False,
             "isKill": True, "isCritical": True, "answerOptions": [
                 {"id": "a2-yes", "contextId": "ac3", "text": "Yes", "value": 1}, {"id": "a2-no", "contextId": "ac4", "text": "No", "value": 0}]},
        ]},
        {"id": "g2", "contextId": "gc2", "name": "Resolution", "naEnabled": True, "weight": 60.0, "questions": [
            {"id": "q3", "contextId": "qc3", "text": "resolved?", "type": "multipleChoiceQuestion", "naEnabled": True,
             "isKill": False, "isCritical": False, "answerOptions": [
                 {"id": "a3-exc", "contextId": "ac5", "text": "Excellent", "value": 4},
                 {"id": "a3-good", "contextId": "ac6", "text": "Good", "value": 2},
                 {"id": "a3-poor", "contextId": "ac7", "text": "Poor", "value": 0}]},
            {"id": "q4", "contextId": "qc4", "text": "notes", "type": "freeTextQuestion", "naEnabled": False,
             "isKill": False, "isCritical": False, "answerOptions": []},
        ]},
    ],
}
EXAMPLE_ANSWERS = {"questionGroupScores": [
    {"questionGroupId": "g1", "questionScores": [{"questionId": "q1", "answerId": "a1-yes"}, {"questionId": "q2", "answerId": "a2-yes"}]},
    {"questionGroupId": "g2", "questionScores": [{"questionId": "q3", "answerId": "a3-good"},
                                                 {"questionId": "q4", "comments": "Customer asked about a refund timeline."}]},
]}


def score(api, answers: dict):
    return api.post(SCORING, {"evaluationForm": EXAMPLE_FORM, "answers": answers})


def test_scoring_endpoint_reproduces_the_reference_example(demo_api):
    result = score(demo_api, EXAMPLE_ANSWERS).json()
    assert result["totalScore"] == pytest.approx(62.5)
    assert result["totalCriticalScore"] == pytest.approx(100.0)
    assert result["totalNonCriticalScore"] == pytest.approx(57.142857, abs=1e-5)
    assert (result["maxTotalRawScore"], result["maxTotalRawCriticalScore"]) == (6.0, 1.0)
    first, second = result["questionGroupScores"]
    assert (first["totalScore"], first["maxTotalScore"]) == (80.0, 80.0)
    assert (second["totalScore"], second["maxTotalScore"]) == (120.0, 240.0)
    assert second["questionScores"][1] == {"questionId": "q4", "score": 0, "markedNA": False, "systemMarkedNA": False,
                                           "comments": "Customer asked about a refund timeline."}


def test_na_group_counts_in_neither_numerator_nor_denominator(demo_api):
    answers = copy.deepcopy(EXAMPLE_ANSWERS)
    answers["questionGroupScores"][1]["markedNA"] = True
    result = score(demo_api, answers).json()
    assert result["totalScore"] == pytest.approx(100.0)
    assert result["questionGroupScores"][1]["maxTotalScore"] == 0.0


def test_failed_kill_answer_gives_total_zero(demo_api):
    answers = copy.deepcopy(EXAMPLE_ANSWERS)
    answers["questionGroupScores"][0]["questionScores"][1]["answerId"] = "a2-no"
    result = score(demo_api, answers).json()
    assert result["totalScore"] == 0.0 and result["anyFailedKillQuestions"] is True
    assert result["questionGroupScores"][0]["questionScores"][1]["failedKillQuestion"] is True


def test_unknown_answer_option_is_a_400_naming_it(demo_api):
    answers = copy.deepcopy(EXAMPLE_ANSWERS)
    answers["questionGroupScores"][0]["questionScores"][0]["answerId"] = "no-such-option"
    response = score(demo_api, answers)
    assert response.status_code == 400 and "no-such-option" in response.json()["message"]


def test_na_on_a_question_without_na_enabled_is_a_400(demo_api):
    answers = copy.deepcopy(EXAMPLE_ANSWERS)
    answers["questionGroupScores"][0]["questionScores"][0] = {"questionId": "q1", "markedNA": True}
    response = score(demo_api, answers)
    assert response.status_code == 400 and "q1" in response.json()["message"]
