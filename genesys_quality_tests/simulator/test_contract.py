"""Every response's keys and types against the field lists of genesys-api.md (§2, §2.1, §3.2, §5.3).

The field lists are written out here on purpose, from the reference document, not imported from
the simulator: a simulator that invents a field (overallScore, sections, dateModified, ...) fails.
"""

from __future__ import annotations

import re

import pytest
import requests

from .conftest import ANCHOR, QUERY, created_range, month_window

STR, BOOL, INT, FLOAT, DICT, LIST = str, bool, int, float, dict, list
ISO_MILLIS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

# genesys-api.md §2: Evaluation / EvaluationResponse
EVALUATION_FIELDS = {
    "id": STR, "name": STR, "conversation": DICT, "evaluationForm": DICT, "evaluator": DICT, "agent": DICT,
    "calibration": DICT, "status": STR, "answers": DICT, "agentHasRead": BOOL, "assignee": DICT,
    "assigneeApplicable": BOOL, "releaseDate": STR, "assignedDate": STR, "createdDate": STR, "changedDate": STR,
    "submittedDate": STR, "revisionCreatedDate": STR, "queue": DICT, "mediaType": LIST, "divisionIds": LIST,
    "rescore": BOOL, "conversationDate": STR, "conversationEndDate": STR, "neverRelease": BOOL, "assigned": BOOL,
    "dateAssigneeChanged": STR, "resourceId": STR, "resourceType": STR, "redacted": BOOL, "agentTeam": DICT,
    "isScoringIndex": BOOL, "authorizedActions": LIST, "hasAssistanceFailed": BOOL, "evaluationSource": DICT,
    "disputeCount": INT, "version": INT, "versionHistory": DICT, "declinedReview": BOOL, "evaluationContextId": STR,
    "retractedEvaluation": DICT, "aiScoring": DICT, "selfUri": STR,
}
EVALUATION_REQUIRED = {"id", "conversation", "evaluationForm", "agent", "evaluator", "status", "createdDate",
                       "changedDate", "evaluationContextId", "version", "selfUri"}
DATE_FIELDS = {"releaseDate", "assignedDate", "createdDate", "changedDate", "submittedDate", "revisionCreatedDate",
               "conversationDate", "conversationEndDate", "dateAssigneeChanged"}
STATUSES = {"PENDING", "INPROGRESS", "FINISHED", "INREVIEW", "RETRACTED"}
INVENTED = {"overallScore", "sections", "score", "dateModified", "evaluationTemplateId", "users", "nextPage"}

# §2 nested references
USER_REF = {"id": STR, "name": STR, "selfUri": STR}
CONVERSATION_REF = {"id": STR, "selfUri": STR}
QUEUE_REF = {"id": STR, "name": STR, "selfUri": STR}
EVALUATION_SOURCE = {"id": STR, "name": STR, "type": STR, "selfUri": STR}
AI_SCORING = {"failureType": STR, "pending": BOOL, "dateLastChanged": STR}
EVALUATION_REFERENCE = {"id": STR, "selfUri": STR}
VERSION_HISTORY = {"total": INT, "entities": LIST, "selfUri": STR}

# §2.1 scoring model
SCORING_SET = {
    "totalScore": FLOAT, "totalCriticalScore": FLOAT, "totalNonCriticalScore": FLOAT, "maxTotalRawScore": FLOAT,
    "maxTotalRawCriticalScore": FLOAT, "questionGroupScores": LIST, "anyFailedKillQuestions": BOOL,
    "comments": STR, "privateComments": STR, "agentComments": STR, "transcriptTopics": LIST,
}
GROUP_SCORE = {
    "questionGroupId": STR, "totalScore": FLOAT, "maxTotalScore": FLOAT, "markedNA": BOOL, "systemMarkedNA": BOOL,
    "totalCriticalScore": FLOAT, "maxTotalCriticalScore": FLOAT, "totalNonCriticalScore": FLOAT,
    "maxTotalNonCriticalScore": FLOAT, "totalScoreUnweighted": FLOAT, "maxTotalScoreUnweighted": FLOAT,
    "totalCriticalScoreUnweighted": FLOAT, "maxTotalCriticalScoreUnweighted": FLOAT,
    "totalNonCriticalScoreUnweighted": FLOAT, "maxTotalNonCriticalScoreUnweighted": FLOAT, "questionScores": LIST,
}
QUESTION_SCORE = {
    "questionId": STR, "answerId": STR, "score": INT, "markedNA": BOOL, "systemMarkedNA": BOOL,
    "assistedAnswerId": STR, "failedKillQuestion": BOOL, "comments": STR, "aiAnswer": DICT,
    "multipleSelectQuestionOptionScores": LIST,
}

# §3.2 form model; §1.2 EvaluationFormSearchResponse; the EvaluationForm embedded in an Evaluation
FORM = {
    "id": STR, "name": STR, "division": DICT, "modifiedDate": STR, "published": BOOL, "contextId": STR,
    "questionGroups": LIST, "weightMode": STR, "evaluationSettings": DICT, "publishedVersions": DICT,
    "latestVersionFormName": STR, "aiScoring": DICT, "redacted": BOOL, "dialect": STR, "selfUri": STR,
}
SEARCH_FORM = {key: FORM[key] for key in (
    "id", "contextId", "published", "modifiedDate", "weightMode", "evaluationSettings", "questionGroups",
    "publishedVersions", "latestVersionFormName", "aiScoring", "division", "dialect", "selfUri")}
EMBEDDED_FORM = {key: kind for key, kind in FORM.items() if key != "weightMode"}
EVALUATION_SETTINGS = {"revisionsEnabled": BOOL, "disputesEnabled": BOOL, "disputesAllowedPerEvaluation": INT, "disputesAssignees": LIST}
QUESTION_GROUP = {
    "id": STR, "contextId": STR, "name": STR, "type": STR, "defaultAnswersToHighest": BOOL, "defaultAnswersToNA": BOOL,
    "naEnabled": BOOL, "weight": FLOAT, "manualWeight": BOOL, "questions": LIST, "visibilityCondition": DICT,
    "defaultAnswersTo": DICT,
}
QUESTION = {
    "id": STR, "contextId": STR, "text": STR, "helpText": STR, "type": STR, "naEnabled": BOOL, "commentsRequired": BOOL,
    "visibilityCondition": DICT, "answerOptions": LIST, "multipleSelectOptionQuestions": LIST, "defaultAnswer": DICT,
    "automatedScoringFocus": STR, "isKill": BOOL, "isCritical": BOOL,
}
QUESTION_TYPES = {"multipleChoiceQuestion", "multipleSelectQuestion", "freeTextQuestion", "npsQuestion", "readOnlyTextBlockQuestion"}
ANSWER_OPTION = {"id": STR, "contextId": STR, "builtInType": STR, "text": STR, "value": INT, "assistanceConditions": LIST}
VISIBILITY = {"combiningOperation": STR, "predicates": LIST}

# listings, search response, errors, token, users
ENTITY_LISTING = {
    "entities": LIST, "pageSize": INT, "pageNumber": INT, "total": INT, "pageCount": INT, "firstUri": STR,
    "selfUri": STR, "nextUri": STR, "previousUri": STR, "lastUri": STR,
}
SEARCH_RESPONSE = {"pageSize": INT, "pageNumber": INT, "results": LIST, "aggregations": DICT}
ERROR_BODY = {
    "message": STR, "code": STR, "status": INT, "entityId": STR, "entityName": STR, "messageWithParams": STR,
    "messageParams": DICT, "contextId": STR, "details": LIST, "errors": LIST, "limit": INT,
}
TOKEN = {"access_token": STR, "token_type": STR, "expires_in": INT}
OAUTH_ERROR = {"error": STR, "description": STR, "error_description": STR}
USER = {"id": STR, "name": STR, "state": STR, "selfUri": STR}


def assert_shape(value: dict, fields: dict[str, type], where: str, required: set[str] = frozenset()) -> None:
    assert isinstance(value, dict), f"{where}: expected an object, got {type(value).__name__}"
    unknown = set(value) - set(fields)
    assert not unknown, f"{where}: fields not in genesys-api.md: {sorted(unknown)}"
    missing = set(required) - set(value)
    assert not missing, f"{where}: missing {sorted(missing)}"
    for key, item in value.items():
        expected = fields[key]
        ok = isinstance(item, expected) and not (expected is INT and isinstance(item, bool))
        assert ok, f"{where}.{key}: expected {expected.__name__}, got {type(item).__name__} ({item!r})"


def assert_evaluation(evaluation: dict, form_fields: dict, where: str, allowed: dict = EVALUATION_FIELDS) -> None:
    assert_shape(evaluation, allowed, where, EVALUATION_REQUIRED)
    assert not INVENTED & set(evaluation), f"{where}: invented guide fields {INVENTED & set(evaluation)}"
    assert evaluation["status"] in STATUSES
    for key in DATE_FIELDS & set(evaluation):
        assert ISO_MILLIS.match(evaluation[key]), f"{where}.{key}={evaluation[key]!r} is not YYYY-MM-DDTHH:MM:SS.mmmZ"
    assert_shape(evaluation["evaluationForm"], form_fields, f"{where}.evaluationForm", {"id", "contextId"})
    for key in ("agent", "evaluator", "assignee"):
        if key in evaluation:
            assert_shape(evaluation[key], USER_REF, f"{where}.{key}", {"id"})
    assert_shape(evaluation["conversation"], CONVERSATION_REF, f"{where}.conversation", {"id"})
    for key, fields in (("queue", QUEUE_REF), ("evaluationSource", EVALUATION_SOURCE), ("aiScoring", AI_SCORING),
                        ("retractedEvaluation", EVALUATION_REFERENCE), ("versionHistory", VERSION_HISTORY)):
        if key in evaluation:
            assert_shape(evaluation[key], fields, f"{where}.{key}")
    assert not ("releaseDate" in evaluation and evaluation.get("neverRelease")), f"{where}: neverRelease with a releaseDate"
    if "answers" in evaluation:
        assert_scoring_set(evaluation["answers"], f"{where}.answers")


def assert_scoring_set(answers: dict, where: str) -> None:
    assert_shape(answers, SCORING_SET, where, {"totalScore", "questionGroupScores", "anyFailedKillQuestions"})
    assert 0.0 <= answers["totalScore"] <= 100.0
    for g, group in enumerate(answers["questionGroupScores"]):
        assert_shape(group, GROUP_SCORE, f"{where}.questionGroupScores[{g}]", set(GROUP_SCORE))
        for q, question in enumerate(group["questionScores"]):
            here = f"{where}.questionGroupScores[{g}].questionScores[{q}]"
            assert_shape(question, QUESTION_SCORE, here, {"questionId", "score"})
            for s, option in enumerate(question.get("multipleSelectQuestionOptionScores", [])):
                assert_shape(option, QUESTION_SCORE, f"{here}.multipleSelectQuestionOptionScores[{s}]", {"questionId"})


def assert_form_version(form: dict, where: str) -> None:
    assert_shape(form, FORM, where, {"id", "name", "contextId", "weightMode", "questionGroups", "published", "modifiedDate"})
    assert form["weightMode"] in ("SCALED", "OFF")
    assert ISO_MILLIS.match(form["modifiedDate"])
    assert_shape(form["evaluationSettings"], EVALUATION_SETTINGS, f"{where}.evaluationSettings")
    for g, group in enumerate(form["questionGroups"]):
        assert_shape(group, QUESTION_GROUP, f"{where}.questionGroups[{g}]", {"id", "contextId", "name", "weight", "questions"})
        if "visibilityCondition" in group:
            assert_shape(group["visibilityCondition"], VISIBILITY, f"{where}.questionGroups[{g}].visibilityCondition")
        for q, question in enumerate(group["questions"]):
            here = f"{where}.questionGroups[{g}].questions[{q}]"
            assert_question(question, here)
            for s, sub in enumerate(question.get("multipleSelectOptionQuestions", [])):
                assert_question(sub, f"{here}.multipleSelectOptionQuestions[{s}]")
                assert {option["builtInType"] for option in sub["answerOptions"]} == {"Selected", "Unselected"}


def assert_question(question: dict, where: str) -> None:
    assert_shape(question, QUESTION, where, {"id", "contextId", "text", "type", "answerOptions"})
    assert question["type"] in QUESTION_TYPES
    for a, option in enumerate(question["answerOptions"]):
        assert_shape(option, ANSWER_OPTION, f"{where}.answerOptions[{a}]", {"id", "contextId", "text", "value"})
    if question.get("isKill") or question.get("isCritical"):
        assert len(question["answerOptions"]) == 2, f"{where}: critical/kill questions must be yes/no style"


@pytest.fixture(scope="module")
def every_search_result(demo_sim, demo_api) -> list[dict]:
    return [evaluation for month in demo_sim.org.months for evaluation in demo_api.search_month(month)]


def test_search_results_hold_only_documented_fields_with_documented_types(every_search_result):
    assert len(every_search_result) > 600
    allowed = {k: v for k, v in EVALUATION_FIELDS.items() if k != "authorizedActions"}
    for evaluation in every_search_result:
        assert_evaluation(evaluation, SEARCH_FORM, f"search result {evaluation['id']}", allowed)


def test_search_results_embed_the_form_without_a_name(every_search_result):
    for evaluation in every_search_result:
        assert "name" not in evaluation["evaluationForm"]


def test_search_response_has_no_total_or_next_uri(demo_api):
    body = demo_api.search([created_range(*month_window(ANCHOR))], size=5).json()
    assert_shape(body, SEARCH_RESPONSE, "search response", {"pageSize", "pageNumber", "results"})
    assert "total" not in body and "nextUri" not in body


def test_query_listing_and_entities_have_documented_shapes(demo_sim, demo_api):
    evaluator = demo_sim.org.evaluators[0]["id"]
    response = demo_api.get(QUERY, evaluatorUserId=evaluator, pageSize=50, expandAnswerTotalScores="true")
    listing = response.json()
    assert_shape(listing, ENTITY_LISTING, "query listing", {"entities", "pageSize", "pageNumber", "total", "pageCount",
                                                              "firstUri", "selfUri", "lastUri"})
    allowed = {k: v for k, v in EVALUATION_FIELDS.items() if k != "authorizedActions"}
    assert listing["entities"]
    for evaluation in listing["entities"]:
        assert_evaluation(evaluation, EMBEDDED_FORM, f"query entity {evaluation['id']}", allowed)
        assert "name" in evaluation["evaluationForm"] and "weightMode" not in evaluation["evaluationForm"]


def test_single_get_is_an_evaluation_response_with_authorized_actions(demo_api, every_search_result):
    evaluation = every_search_result[0]
    path = f"/api/v2/quality/conversations/{evaluation['conversation']['id']}/evaluations/{evaluation['id']}"
    single = demo_api.get(path).json()
    allowed = {k: v for k, v in EVALUATION_FIELDS.items() if k != "agentTeam"}
    assert_evaluation(single, EMBEDDED_FORM, "single GET", allowed)
    assert set(single["authorizedActions"]) <= {"assign", "edit", "editScore", "editAgentSignoff", "delete", "release", "viewAudit"}
    assert "authorizedActions" not in evaluation


def test_every_form_version_has_the_documented_form_shape(demo_sim, demo_api):
    versions = [demo_api.get(f"/api/v2/quality/forms/evaluations/{form['id']}").json() for form in demo_sim.org.forms]
    assert len(versions) >= 6
    for version in versions:
        assert_form_version(version, f"form {version['id']}")


def test_form_listings_have_documented_shapes(demo_sim, demo_api):
    listing = demo_api.get("/api/v2/quality/forms/evaluations", expand="publishHistory").json()
    assert_shape(listing, ENTITY_LISTING, "forms listing")
    for form in listing["entities"]:
        assert_shape(form, FORM, "forms listing entity", {"id", "name", "contextId"})
        assert form["published"] is False and "questionGroups" not in form
    published = demo_api.get("/api/v2/quality/publishedforms/evaluations", pageSize=100).json()
    assert_shape(published, ENTITY_LISTING, "published forms listing")
    for form in published["entities"]:
        assert_shape(form, FORM, "published form entity", {"id", "name", "contextId"})
        assert form["published"] is True


def test_users_listing_has_id_name_state_and_self_uri(demo_api):
    listing = demo_api.get("/api/v2/users", pageSize=100).json()
    assert_shape(listing, ENTITY_LISTING, "users listing")
    assert len(listing["entities"]) == 16
    for user in listing["entities"]:
        assert_shape(user, USER, "user", set(USER))


def test_errors_are_error_bodies_with_the_correlation_header(demo_sim, demo_api):
    cases = [
        demo_api.get("/api/v2/quality/no/such/path"),
        demo_api.get(QUERY),
        demo_api.get("/api/v2/quality/forms/evaluations/00000000-0000-4000-8000-000000000000"),
        requests.get(demo_sim.base_url + "/api/v2/users", timeout=10),
    ]
    for response in cases:
        body = response.json()
        assert_shape(body, ERROR_BODY, f"{response.status_code} body", {"message", "code", "status", "contextId", "details", "errors"})
        assert body["status"] == response.status_code
        assert body["contextId"] == response.headers["ININ-Correlation-Id"]
    assert [r.status_code for r in cases] == [404, 400, 404, 401]


def test_token_endpoint_answers_token_or_oauth_style_errors(demo_sim):
    url = demo_sim.base_url + "/oauth/token"
    good = requests.post(url, auth=("demo-client", "demo-secret"), data={"grant_type": "client_credentials"}, timeout=10)
    assert_shape(good.json(), TOKEN, "token", set(TOKEN))
    assert good.json()["token_type"] == "bearer" and good.json()["expires_in"] == 86400
    bad_secret = requests.post(url, auth=("demo-client", "wrong"), data={"grant_type": "client_credentials"}, timeout=10)
    assert bad_secret.status_code == 401
    assert_shape(bad_secret.json(), OAUTH_ERROR, "invalid_client", set(OAUTH_ERROR))
    assert bad_secret.json()["error"] == "invalid_client"
    bad_grant = requests.post(url, auth=("demo-client", "demo-secret"), data={"grant_type": "password"}, timeout=10)
    assert bad_grant.status_code == 400 and bad_grant.json()["error"] == "unsupported_grant_type"


def test_scoring_endpoint_returns_an_evaluation_scoring_set(demo_api, every_search_result):
    evaluation = next(e for e in every_search_result if "answers" in e)
    body = {"evaluationForm": {"id": evaluation["evaluationForm"]["id"]}, "answers": evaluation["answers"]}
    scored = demo_api.post("/api/v2/quality/evaluations/scoring", body).json()
    assert_scoring_set(scored, "scoring response")
    assert scored == evaluation["answers"]
