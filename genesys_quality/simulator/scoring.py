"""The evaluation score formula of genesys-api.md §4, used by the generator and `POST /evaluations/scoring`.

Input: a form version and the evaluator's choices (`questionGroupScores[].questionScores[]` with
`answerId` / `markedNA` / `comments`, multiple-select through `multipleSelectQuestionOptionScores`).
Output: a complete `EvaluationScoringSet` with every score field recomputed.

Choices where the reference is silent or UNVERIFIED:
- Critical and non-critical scores are *weighted*: 100·Σ w·pts / Σ w·max over the (non-)critical
  questions; this reproduces the §2.2 example (totalNonCriticalScore 57.142857).
- A zero denominator (everything N/A, or no critical question) gives 0.0.
- A question or group without an entry in the input counts in neither numerator nor denominator.
- A multiple-select question scores through its option sub-questions; its own `score` is their sum.
- A failed kill question zeroes `totalScore` only; the critical scores keep their values.
- `npsQuestion` carries its option value as `score` but does not count towards any total.
- A group or question hidden by its `visibilityCondition` is N/A by the system (`systemMarkedNA`).
"""

from __future__ import annotations

import re

SCORED_TYPES = ("multipleChoiceQuestion", "multipleSelectQuestion")
_ABSOLUTE = re.compile(r"^/form/questionGroup/(\d+)/question/(\d+)/answer/(\d+)$")
_RELATIVE = re.compile(r"^\.\./question/(\d+)/answer/(\d+)$")


class ScoringError(ValueError):
    """The answers do not fit the form version (unknown ids, N/A where N/A is not enabled)."""


class FormIndex:
    """Lookups into one form version, built once and reused for every evaluation that uses it."""

    def __init__(self, form: dict) -> None:
        self.form = form
        self.form_id = form.get("id")
        self.scaled = form.get("weightMode", "SCALED") != "OFF"
        self.groups: list[dict] = list(form.get("questionGroups") or [])
        self.group_ids = {group["id"] for group in self.groups}
        self.option_values: dict[str, dict[str, int]] = {}
        self.max_value: dict[str, int] = {}
        self.ranked_options: dict[str, list[str]] = {}
        self.position: dict[tuple[int, int], dict] = {}
        for gi, group in enumerate(self.groups):
            for qi, question in enumerate(group.get("questions") or []):
                self.position[(gi, qi)] = question
                self._index_options(question)
                for sub in question.get("multipleSelectOptionQuestions") or []:
                    self._index_options(sub)

    def _index_options(self, question: dict) -> None:
        values = {option["id"]: option["value"] for option in question.get("answerOptions") or []}
        self.option_values[question["id"]] = values
        self.max_value[question["id"]] = max(values.values(), default=0)
        ranked = sorted(question.get("answerOptions") or [], key=lambda option: -option["value"])
        self.ranked_options[question["id"]] = [option["id"] for option in ranked]

    def weight(self, group: dict) -> float:
        return float(group.get("weight", 1.0)) if self.scaled else 1.0

    def visible(self, condition: dict | None, chosen: dict[str, str], group_index: int) -> bool:
        if not condition or not condition.get("predicates"):
            return True
        results = [self._predicate(text, chosen, group_index) for text in condition["predicates"]]
        return any(results) if condition.get("combiningOperation") == "OR" else all(results)

    def _predicate(self, text: str, chosen: dict[str, str], group_index: int) -> bool:
        absolute, relative = _ABSOLUTE.match(text), _RELATIVE.match(text)
        if absolute:
            gi, qi, ai = (int(part) for part in absolute.groups())
        elif relative:
            gi, (qi, ai) = group_index, (int(part) for part in relative.groups())
        else:
            raise ScoringError(f"form {self.form_id}: visibility predicate {text!r} is not understood")
        question = self.position.get((gi, qi))
        options = (question or {}).get("answerOptions") or []
        if question is None or ai >= len(options):
            raise ScoringError(f"form {self.form_id}: visibility predicate {text!r} points at no answer option")
        return chosen.get(question["id"]) == options[ai]["id"]


class _Totals:
    __slots__ = ("pts", "max", "crit_pts", "crit_max")

    def __init__(self) -> None:
        self.pts = self.max = self.crit_pts = self.crit_max = 0

    def add(self, pts: int, maximum: int, critical: bool) -> None:
        self.pts += pts
        self.max += maximum
        if critical:
            self.crit_pts += pts
            self.crit_max += maximum


def score_evaluation(form: dict, answers: dict, index: FormIndex | None = None) -> dict:
    """A complete `EvaluationScoringSet` for `answers` scored against form version `form`."""
    index = index or FormIndex(form)
    given = {entry.get("questionGroupId"): entry for entry in answers.get("questionGroupScores") or []}
    unknown = set(given) - index.group_ids
    if unknown:
        raise ScoringError(f"answers name question group(s) {sorted(map(str, unknown))} that form version {index.form_id} does not have")
    chosen = {
        entry["questionId"]: entry.get("answerId")
        for group in given.values()
        for entry in group.get("questionScores") or []
        if not entry.get("markedNA") and "questionId" in entry
    }
    weighted_pts = weighted_max = weighted_crit_pts = weighted_crit_max = 0.0
    raw_max = raw_crit_max = 0
    any_failed_kill = False
    group_scores = []
    for gi, group in enumerate(index.groups):
        entry = given.get(group["id"])
        if entry is None:
            continue
        hidden = not index.visible(group.get("visibilityCondition"), chosen, gi)
        user_na = bool(entry.get("markedNA"))
        if user_na and not group.get("naEnabled"):
            raise ScoringError(f"question group {group['id']} is marked N/A but its naEnabled is false")
        totals = _Totals()
        questions, failed = _score_questions(index, group, gi, entry, chosen, user_na, hidden, totals)
        any_failed_kill = any_failed_kill or failed
        if user_na or hidden:
            totals = _Totals()
        weight = index.weight(group)
        group_scores.append(_group_score(group["id"], weight, totals, user_na, hidden, questions))
        weighted_pts += weight * totals.pts
        weighted_max += weight * totals.max
        weighted_crit_pts += weight * totals.crit_pts
        weighted_crit_max += weight * totals.crit_max
        raw_max += totals.max
        raw_crit_max += totals.crit_max
    result = {
        "totalScore": 0.0 if any_failed_kill else _percent(weighted_pts, weighted_max),
        "totalCriticalScore": _percent(weighted_crit_pts, weighted_crit_max),
        "totalNonCriticalScore": _percent(weighted_pts - weighted_crit_pts, weighted_max - weighted_crit_max),
        "maxTotalRawScore": float(raw_max),
        "maxTotalRawCriticalScore": float(raw_crit_max),
        "anyFailedKillQuestions": any_failed_kill,
    }
    for key in ("comments", "privateComments", "agentComments"):
        if answers.get(key) is not None:
            result[key] = answers[key]
    result["questionGroupScores"] = group_scores
    return result


def _score_questions(index, group, gi, entry, chosen, group_na, hidden, totals) -> tuple[list[dict], bool]:
    entries = {item.get("questionId"): item for item in entry.get("questionScores") or []}
    known = {question["id"] for question in group.get("questions") or []}
    unknown = set(entries) - known
    if unknown:
        raise ScoringError(f"question group {group['id']} has no question(s) {sorted(map(str, unknown))}")
    out, any_failed = [], False
    for question in group.get("questions") or []:
        item = entries.get(question["id"])
        kind = question.get("type")
        if item is None or kind == "readOnlyTextBlockQuestion":
            continue
        question_hidden = hidden or not index.visible(question.get("visibilityCondition"), chosen, gi)
        own_na = bool(item.get("markedNA")) and not group_na
        if own_na and not question.get("naEnabled"):
            raise ScoringError(f"question {question['id']} is marked N/A but its naEnabled is false")
        marked_na = group_na or own_na
        excluded = marked_na or question_hidden
        score = {"questionId": question["id"]}
        if kind == "multipleSelectQuestion":
            score.update(_score_multiple_select(index, question, item, marked_na, question_hidden, totals, excluded))
        elif kind in ("multipleChoiceQuestion", "npsQuestion"):
            failed = _score_choice(index, question, item, excluded, score, totals, counted=kind == "multipleChoiceQuestion")
            score["markedNA"], score["systemMarkedNA"] = marked_na, question_hidden
            if kind == "multipleChoiceQuestion":
                score["failedKillQuestion"] = failed
            any_failed = any_failed or failed
        else:
            score.update({"score": 0, "markedNA": marked_na, "systemMarkedNA": question_hidden})
        if item.get("comments") is not None:
            score["comments"] = item["comments"]
        out.append(score)
    return out, any_failed


def _score_choice(index, question, item, excluded, score, totals, counted) -> bool:
    if excluded:
        score["score"] = 0
        return False
    value = _option_value(index, question, item.get("answerId"))
    score["answerId"] = item["answerId"]
    score["score"] = value
    maximum = index.max_value[question["id"]]
    if counted:
        totals.add(value, maximum, bool(question.get("isCritical")))
    return bool(question.get("isKill")) and value < maximum


def _score_multiple_select(index, question, item, marked_na, hidden, totals, excluded) -> dict:
    given = {sub.get("questionId"): sub for sub in item.get("multipleSelectQuestionOptionScores") or []}
    options, total = [], 0
    for sub in question.get("multipleSelectOptionQuestions") or []:
        sub_item = given.get(sub["id"])
        if sub_item is None:
            continue
        sub_score = {"questionId": sub["id"]}
        if not excluded:
            value = _option_value(index, sub, sub_item.get("answerId"))
            sub_score["answerId"] = sub_item["answerId"]
            totals.add(value, index.max_value[sub["id"]], bool(question.get("isCritical")))
            total += value
        sub_score.update({"score": value if not excluded else 0, "markedNA": marked_na, "systemMarkedNA": hidden})
        options.append(sub_score)
    return {"score": total, "markedNA": marked_na, "systemMarkedNA": hidden, "multipleSelectQuestionOptionScores": options}


def _option_value(index: FormIndex, question: dict, answer_id) -> int:
    values = index.option_values.get(question["id"], {})
    if answer_id not in values:
        raise ScoringError(f"answerId {answer_id!r} is not an answer option of question {question['id']}")
    return values[answer_id]


def _group_score(group_id, weight, totals: _Totals, user_na, hidden, questions) -> dict:
    non_pts, non_max = totals.pts - totals.crit_pts, totals.max - totals.crit_max
    return {
        "questionGroupId": group_id,
        "totalScore": weight * totals.pts,
        "maxTotalScore": weight * totals.max,
        "markedNA": user_na,
        "systemMarkedNA": hidden,
        "totalCriticalScore": weight * totals.crit_pts,
        "maxTotalCriticalScore": weight * totals.crit_max,
        "totalNonCriticalScore": weight * non_pts,
        "maxTotalNonCriticalScore": weight * non_max,
        "totalScoreUnweighted": float(totals.pts),
        "maxTotalScoreUnweighted": float(totals.max),
        "totalCriticalScoreUnweighted": float(totals.crit_pts),
        "maxTotalCriticalScoreUnweighted": float(totals.crit_max),
        "totalNonCriticalScoreUnweighted": float(non_pts),
        "maxTotalNonCriticalScoreUnweighted": float(non_max),
        "questionScores": questions,
    }


def _percent(points: float, maximum: float) -> float:
    return 100.0 * points / maximum if maximum else 0.0
