"""What an evaluator answers: seeded choices per question, then scored with the documented formula."""

from __future__ import annotations

import random

from .scoring import FormIndex, score_evaluation

OVERALL_COMMENTS = [
    "Good verification; resolution could be more complete.",
    "Clear call flow and a friendly tone throughout.",
    "Missed the hold etiquette; otherwise solid.",
    "Strong product knowledge, closing needs work.",
    "Customer left satisfied; remember to summarise next steps.",
    "Please review the compliance checklist before the next shift.",
]
AGENT_COMMENTS = ["Thanks, will follow up next time.", "Agreed, noted for next week.", "I disagree with the hold score."]
QUESTION_COMMENTS = ["Done well.", "Only partly covered.", "Customer had to ask twice.", "See the timestamp at 03:10."]
FREE_TEXT = [
    "Customer asked about a refund timeline.",
    "Router keeps dropping the connection after the firmware update.",
    "Interested in the premium plan for a team of 12.",
    "Complaint about a late delivery; replacement offered.",
    "Wants to change the billing address.",
]


def choose_answers(index: FormIndex, rng: random.Random) -> dict:
    """The evaluator's raw choices for every question of a form version (input to the scorer)."""
    groups = []
    for group in index.groups:
        group_na = bool(group.get("naEnabled")) and rng.random() < 0.12
        entries = []
        for question in group.get("questions") or []:
            kind = question["type"]
            if kind == "readOnlyTextBlockQuestion":
                continue
            entry: dict = {"questionId": question["id"]}
            if group_na:
                pass
            elif question.get("naEnabled") and rng.random() < 0.08:
                entry["markedNA"] = True
            elif kind == "multipleChoiceQuestion":
                entry["answerId"] = _pick(index.ranked_options[question["id"]], bool(question.get("isKill")), rng)
                if rng.random() < 0.1:
                    entry["comments"] = rng.choice(QUESTION_COMMENTS)
            elif kind == "multipleSelectQuestion":
                entry["multipleSelectQuestionOptionScores"] = [
                    {"questionId": sub["id"], "answerId": sub["answerOptions"][0 if rng.random() < 0.6 else 1]["id"]}
                    for sub in question["multipleSelectOptionQuestions"]
                ]
            elif kind == "freeTextQuestion":
                entry["comments"] = rng.choice(FREE_TEXT)
            entries.append(entry)
        groups.append({"questionGroupId": group["id"], "markedNA": group_na, "questionScores": entries})
    return {"questionGroupScores": groups}


def generate_answers(index: FormIndex, rng: random.Random, agent_has_read: bool) -> dict:
    """A complete, scored `EvaluationScoringSet` with evaluator (and sometimes agent) comments."""
    choices = choose_answers(index, rng)
    if rng.random() < 0.7:
        choices["comments"] = rng.choice(OVERALL_COMMENTS)
    if agent_has_read and rng.random() < 0.3:
        choices["agentComments"] = rng.choice(AGENT_COMMENTS)
    return score_evaluation(index.form, choices, index)


def _pick(ranked: list[str], kill: bool, rng: random.Random) -> str:
    """An answer option id, best options most likely; kill questions fail rarely (3%)."""
    if kill:
        return ranked[0] if rng.random() < 0.97 else ranked[-1]
    if len(ranked) == 2:
        return ranked[0] if rng.random() < 0.86 else ranked[1]
    draw = rng.random()
    for option_id, cumulative in zip(ranked, (0.55, 0.85, 0.95, 0.99)):
        if draw < cumulative:
            return option_id
    return ranked[-1]
