"""Hand-built Genesys JSON around the genesys-api.md examples, with scores worked out by hand.

Form versions (one context): v1 = the §3.3 example; v2 adds an "Offers" group with a multiple-
select question and a read-only block; v3 = v1 with `weightMode` OFF and the same question ids.
"""

from __future__ import annotations

import copy

import pyarrow

from genesys_quality.transform.forms import template_versions_table
from genesys_quality.transform.raw import evaluations_to_raw
from genesys_quality_tests.transform.doc_examples import doc_evaluation, doc_form

MONTH = "2025-03-01"
FORM_V1 = "9a7d4c3e-1111-4b2a-8f00-aa55bb66cc77"
FORM_V2 = "form-v2-0000-0000-0000-000000000002"
FORM_V3 = "form-v3-0000-0000-0000-000000000003"
G1, G2, G3 = "g1-5555-4c4c-8d8d-000000000001", "g2-5555-4c4c-8d8d-000000000002", "g3-offers"
Q1, Q2, Q3, Q4 = (f"q{n}-6666-4d4d-8e8e-00000000000{n}" for n in range(1, 5))
Q5, Q6 = "q5-offers-multi", "q6-reminder-readonly"
S1, S2, S3 = "s1-callback", "s2-survey", "s3-faq"
YES1, NO1 = "a1-yes-0000-0000-000000000001", "a1-no--0000-0000-000000000002"
YES2, NO2 = "a2-yes-0000-0000-000000000003", "a2-no--0000-0000-000000000004"
EXCELLENT, GOOD = "a3-exc--0000-0000-000000000005", "a3-good-000-0000-000000000006"


def form_v1() -> dict:
    return doc_form()


def form_v2() -> dict:
    form = doc_form()
    form.update(id=FORM_V2, name="Inbound Support QA (offers)", modifiedDate="2025-02-20T09:00:00.000Z")

    def option_question(qid: str, text: str, points: int) -> dict:
        return {
            "id": qid, "contextId": f"{qid}-ctx", "text": text, "type": "multipleChoiceQuestion",
            "answerOptions": [
                {"id": f"{qid}-sel", "contextId": f"{qid}-sel-ctx", "builtInType": "Selected", "value": points},
                {"id": f"{qid}-unsel", "contextId": f"{qid}-unsel-ctx", "builtInType": "Unselected", "value": 0},
            ],
        }

    form["questionGroups"].append(
        {
            "id": G3, "contextId": "gc3", "name": "Offers", "naEnabled": True, "weight": 20.0, "manualWeight": True,
            "questions": [
                {
                    "id": Q5, "contextId": "qc5", "text": "Which offers did the agent make?",
                    "type": "multipleSelectQuestion", "naEnabled": True, "isKill": False, "isCritical": False,
                    "answerOptions": [],
                    "multipleSelectOptionQuestions": [
                        option_question(S1, "Offered a callback", 1),
                        option_question(S2, "Offered the satisfaction survey", 2),
                        option_question(S3, "Mentioned the FAQ page", 1),
                    ],
                },
                {"id": Q6, "contextId": "qc6", "text": "Remember to log the call.", "type": "readOnlyTextBlockQuestion"},
            ],
        }
    )
    return form


def form_v3_weight_off() -> dict:
    form = doc_form()
    form.update(id=FORM_V3, weightMode="OFF", modifiedDate="2025-02-25T09:00:00.000Z")
    return form


def all_forms() -> list[tuple[dict, int]]:
    return [(form_v1(), 1), (form_v2(), 2), (form_v3_weight_off(), 3)]


def templates() -> pyarrow.Table:
    return template_versions_table(all_forms())


def question(qid: str, answer_id: str | None, score: int, **extra) -> dict:
    return {"questionId": qid, "answerId": answer_id, "score": score, "markedNA": False, "systemMarkedNA": False,
            "failedKillQuestion": False, **extra}


def option(qid: str, selected: bool, points: int) -> dict:
    return {"questionId": qid, "answerId": f"{qid}-{'sel' if selected else 'unsel'}", "score": points if selected else 0,
            "markedNA": False, "systemMarkedNA": False}


def group(gid: str, weight: float, points: float, maximum: float, questions: list[dict], na: bool = False,
          critical: tuple[float, float] = (0.0, 0.0)) -> dict:
    return {
        "questionGroupId": gid, "totalScore": weight * points, "maxTotalScore": weight * maximum,
        "totalScoreUnweighted": points, "maxTotalScoreUnweighted": maximum,
        "totalCriticalScore": weight * critical[0], "maxTotalCriticalScore": weight * critical[1],
        "totalCriticalScoreUnweighted": critical[0], "maxTotalCriticalScoreUnweighted": critical[1],
        "markedNA": na, "systemMarkedNA": False, "questionScores": questions,
    }


def evaluation(evaluation_id: str, form_id: str, groups: list[dict] | None, total: float | None = None,
               critical: float | None = None, kill: bool = False, **fields) -> dict:
    ev = doc_evaluation()
    ev.update(id=evaluation_id, evaluationContextId=f"ctx-{evaluation_id}", **fields)
    ev["evaluationForm"] = {**ev["evaluationForm"], "id": form_id}
    if groups is None:
        del ev["answers"]
    else:
        ev["answers"] = {"totalScore": total, "totalCriticalScore": critical, "anyFailedKillQuestions": kill,
                         "questionGroupScores": groups}
    return ev


def multiple_select_evaluation() -> dict:
    """v2: 2/2 (w40) + 4/4 (w60) + offers 2/4 (w20) → 360/400 = 90."""
    return evaluation("ev-multi", FORM_V2, [
        group(G1, 40, 2, 2, [question(Q1, YES1, 1), question(Q2, YES2, 1)], critical=(1, 1)),
        group(G2, 60, 4, 4, [question(Q3, EXCELLENT, 4), question(Q4, None, 0, comments="Customer wanted a refund.")]),
        group(G3, 20, 2, 4, [
            question(Q5, None, 2, multipleSelectQuestionOptionScores=[option(S3, True, 1), option(S2, False, 2), option(S1, True, 1)]),
            question(Q6, None, 0),
        ]),
    ], total=90.0, critical=100.0)


def na_group_evaluation() -> dict:
    """v2: 1/2 (w40) + resolution group N/A + offers 4/4 (w20) → 120/160 = 75."""
    return evaluation("ev-na-group", FORM_V2, [
        group(G1, 40, 1, 2, [question(Q1, NO1, 0), question(Q2, YES2, 1)], critical=(1, 1)),
        group(G2, 60, 0, 0, [question(Q3, None, 0)], na=True),
        group(G3, 20, 4, 4, [question(Q5, None, 4, multipleSelectQuestionOptionScores=[
            option(S1, True, 1), option(S2, True, 2), option(S3, True, 1)])]),
    ], total=75.0, critical=100.0)


def kill_evaluation() -> dict:
    """v1: the fatal identity question answered No → 280/320 computed, reported 0."""
    return evaluation("ev-kill", FORM_V1, [
        group(G1, 40, 1, 2, [question(Q1, YES1, 1), question(Q2, NO2, 0, failedKillQuestion=True)], critical=(0, 1)),
        group(G2, 60, 4, 4, [question(Q3, EXCELLENT, 4), question(Q4, None, 0, comments="Refund asked.")]),
    ], total=0.0, critical=0.0, kill=True)


def question_na_evaluation() -> dict:
    """v1: resolution question marked N/A → 80/80 = 100."""
    return evaluation("ev-question-na", FORM_V1, [
        group(G1, 40, 2, 2, [question(Q1, YES1, 1), question(Q2, YES2, 1)], critical=(1, 1)),
        group(G2, 60, 0, 0, [question(Q3, None, 0, markedNA=True), question(Q4, None, 0, comments="n/a")]),
    ], total=100.0, critical=100.0)


def weight_off_evaluation() -> dict:
    """v3 (weightMode OFF): the doc answers unweighted → 4/6 = 66.67."""
    ev = doc_evaluation()
    groups = ev["answers"]["questionGroupScores"]
    for g in groups:
        g["totalScore"], g["maxTotalScore"] = g["totalScoreUnweighted"], g["maxTotalScoreUnweighted"]
    return evaluation("ev-weight-off", FORM_V3, groups, total=400 / 6, critical=100.0)


def no_answers_evaluation() -> dict:
    return evaluation("ev-no-answers", FORM_V1, None, status="PENDING")


def empty_answers_evaluation() -> dict:
    return evaluation("ev-empty-answers", FORM_V1, [], total=None, critical=None, status="INPROGRESS")


def month_evaluations() -> list[dict]:
    """A good month: every case above, each consistent with the §4 formula."""
    doc = doc_evaluation()
    doc["brandNewField"] = {"addedBy": "Genesys", "nested": [1, 2]}
    return [doc, multiple_select_evaluation(), na_group_evaluation(), kill_evaluation(), question_na_evaluation(),
            weight_off_evaluation(), no_answers_evaluation(), empty_answers_evaluation()]


def month_raw() -> pyarrow.Table:
    return evaluations_to_raw(month_evaluations(), MONTH)


def replace_in(evaluations: list[dict], evaluation_id: str, change) -> list[dict]:
    """A deep copy of `evaluations` with `change(ev)` applied to one of them."""
    changed = copy.deepcopy(evaluations)
    change(next(ev for ev in changed if ev["id"] == evaluation_id))
    return changed
