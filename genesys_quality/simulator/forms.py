"""Evaluation form versions: built from the demo specs, published, unpublished and deleted.

Every published version has its own `id` and shares the form's `contextId`; its groups, questions
and answer options get new ids but keep their `contextId`s (genesys-api.md §3.3). Versions are
immutable once built. Generated evaluations use the *seeded* versions (the one in force at their
createdDate), so publishing later never rewrites history; evaluations added afterwards use the
latest published version.
"""

from __future__ import annotations

from . import dates
from .demo_forms import DEMO_FORMS, FormSpec, GroupSpec, QuestionSpec
from .ids import stable_uuid
from .scoring import FormIndex

FORMS_PATH = "/api/v2/quality/forms/evaluations"


def summary(version: dict, published: bool = True) -> dict:
    """A version as listings and evaluations embed it (`EvaluationForm` without questionGroups)."""
    return {
        "id": version["id"],
        "name": version["name"],
        "modifiedDate": version["modifiedDate"],
        "published": published,
        "contextId": version["contextId"],
        "selfUri": version["selfUri"],
    }


class FormCatalog:
    """All form versions of the organisation, with the seeded history and later changes."""

    def __init__(self, seed: int, months: list[str]) -> None:
        self._seed = seed
        self._versions: dict[str, list[dict]] = {}
        self._by_id: dict[str, dict] = {}
        self._index: dict[str, FormIndex] = {}
        self._specs: dict[str, FormSpec] = {}
        self._seeded: dict[str, list[tuple[int, dict]]] = {}
        self._unpublished: set[str] = set()
        self._deleted: set[str] = set()
        start = dates.month_start_ms(months[0])
        end = dates.month_start_ms(dates.add_months(months[-1], 1))
        for position, spec in enumerate(DEMO_FORMS):
            context_id = stable_uuid(seed, "form-context", spec.key)
            self._specs[context_id] = spec
            self._versions[context_id] = []
            first_at = start - (20 + 3 * position) * dates.DAY_MS + 9 * dates.HOUR_MS
            second_at = start + int((end - start) * spec.second_version_at) // dates.HOUR_MS * dates.HOUR_MS
            first = self._add(context_id, [group.weights[0] for group in spec.groups], first_at)
            second = self._add(context_id, [group.weights[1] for group in spec.groups], second_at)
            self._seeded[context_id] = [(first_at, first), (second_at, second)]

    def contexts(self) -> list[str]:
        return list(self._versions)

    def spec(self, context_id: str) -> FormSpec:
        return self._specs[self._require_context(context_id)]

    def version(self, form_id: str, include_deleted: bool = False) -> dict | None:
        version = self._by_id.get(form_id)
        if version is None or (form_id in self._deleted and not include_deleted):
            return None
        return version

    def index(self, form_id: str) -> FormIndex:
        return self._index[form_id]

    def versions(self, context_id: str) -> list[dict]:
        """Fetchable versions of a context, oldest first."""
        return [v for v in self._versions.get(context_id, []) if v["id"] not in self._deleted]

    def all_versions(self) -> list[dict]:
        return [v for context_id in self._versions for v in self.versions(context_id)]

    def latest(self, context_id: str) -> dict | None:
        versions = self.versions(context_id)
        return versions[-1] if versions else None

    def is_published(self, context_id: str) -> bool:
        return context_id in self._versions and context_id not in self._unpublished

    def context_of(self, form_id_or_context: str) -> str | None:
        if form_id_or_context in self._versions:
            return form_id_or_context
        version = self.version(form_id_or_context)
        return version["contextId"] if version else None

    def seeded_version_at(self, context_id: str, at_ms: int) -> dict:
        """The seeded version in force at `at_ms` (the first one before it was superseded)."""
        chosen = self._seeded[context_id][0][1]
        for published_at, version in self._seeded[context_id]:
            if published_at <= at_ms:
                chosen = version
        return chosen

    def publish(self, context_id: str, weights, at_ms: int) -> dict:
        self._require_context(context_id)
        previous = self._versions[context_id][-1]
        groups = previous["questionGroups"]
        new_weights = _resolve_weights(groups, weights, len(self._versions[context_id]) + 1)
        at_ms = max(at_ms, dates.parse_iso(previous["modifiedDate"]) + 1000)
        self._unpublished.discard(context_id)
        return self._add(context_id, new_weights, at_ms)

    def unpublish(self, context_id: str) -> dict:
        self._unpublished.add(self._require_context(context_id))
        return summary(self._versions[context_id][-1], published=False)

    def delete_version(self, form_id: str) -> dict:
        version = self.version(form_id)
        if version is None:
            raise LookupError(f"no form version with id {form_id!r} (unknown or already deleted)")
        self._deleted.add(form_id)
        return version

    def _require_context(self, context_id: str) -> str:
        if context_id not in self._versions:
            raise LookupError(f"no evaluation form context {context_id!r}; known contexts: {self.contexts()}")
        return context_id

    def _add(self, context_id: str, weights: list[float], modified_ms: int) -> dict:
        spec = self._specs[context_id]
        number = len(self._versions[context_id]) + 1
        version = _build_version(self._seed, spec, context_id, number, weights, modified_ms)
        self._versions[context_id].append(version)
        self._by_id[version["id"]] = version
        self._index[version["id"]] = FormIndex(version)
        return version


def _resolve_weights(groups: list[dict], weights, number: int) -> list[float]:
    if weights is None:
        return [max(1.0, round(g["weight"] * (1.25 if (i + number) % 2 else 0.8) * 2) / 2) for i, g in enumerate(groups)]
    if isinstance(weights, dict):
        by_key = {}
        for group in groups:
            by_key[group["contextId"]] = by_key[group["name"]] = group
        unknown = set(weights) - set(by_key)
        if unknown:
            raise ValueError(f"weights name unknown question groups {sorted(unknown)}; use group names or contextIds")
        return [float(weights.get(g["contextId"], weights.get(g["name"], g["weight"]))) for g in groups]
    weights = [float(w) for w in weights]
    if len(weights) != len(groups):
        raise ValueError(f"weights has {len(weights)} values but the form has {len(groups)} question groups")
    return weights


def _build_version(seed: int, spec: FormSpec, context_id: str, number: int, weights: list[float], modified_ms: int) -> dict:
    form_id = stable_uuid(seed, "form", spec.key, number)
    groups = [
        _build_group(seed, spec, number, gi, group, weights[gi]) for gi, group in enumerate(spec.groups)
    ]
    return {
        "id": form_id,
        "name": spec.name,
        "modifiedDate": dates.to_iso(modified_ms),
        "published": True,
        "contextId": context_id,
        "weightMode": spec.weight_mode,
        "evaluationSettings": {"revisionsEnabled": True, "disputesEnabled": True, "disputesAllowedPerEvaluation": 2},
        "questionGroups": groups,
        "selfUri": f"{FORMS_PATH}/{form_id}",
    }


def _build_group(seed: int, spec: FormSpec, number: int, gi: int, group: GroupSpec, weight: float) -> dict:
    built = {
        "id": stable_uuid(seed, "group", spec.key, number, gi),
        "contextId": stable_uuid(seed, "group-context", spec.key, gi),
        "name": group.name,
        "defaultAnswersToHighest": False,
        "defaultAnswersToNA": False,
        "naEnabled": group.na_enabled,
        "weight": float(weight),
        "manualWeight": spec.weight_mode == "SCALED",
        "questions": [_build_question(seed, spec.key, number, (gi, qi), q) for qi, q in enumerate(group.questions)],
    }
    if group.visible_when:
        built["visibilityCondition"] = {"combiningOperation": "AND", "predicates": list(group.visible_when)}
    return built


def _build_question(seed: int, key: str, number: int, path: tuple, question: QuestionSpec) -> dict:
    built = {
        "id": stable_uuid(seed, "question", key, number, *path),
        "contextId": stable_uuid(seed, "question-context", key, *path),
        "text": question.text,
        "helpText": question.help_text,
        "type": question.type,
        "naEnabled": question.na_enabled,
        "commentsRequired": question.comments_required,
        "isKill": question.kill,
        "isCritical": question.critical,
        "answerOptions": [
            _option(seed, key, number, (*path, ai), text, value) for ai, (text, value) in enumerate(question.options)
        ],
    }
    if question.type == "multipleSelectQuestion":
        built["multipleSelectOptionQuestions"] = [
            _select_option_question(seed, key, number, (*path, "option", si), text, value)
            for si, (text, value) in enumerate(question.select_options)
        ]
    return built


def _select_option_question(seed: int, key: str, number: int, path: tuple, text: str, value: int) -> dict:
    return {
        "id": stable_uuid(seed, "question", key, number, *path),
        "contextId": stable_uuid(seed, "question-context", key, *path),
        "text": text,
        "helpText": "",
        "type": "multipleChoiceQuestion",
        "naEnabled": False,
        "commentsRequired": False,
        "isKill": False,
        "isCritical": False,
        "answerOptions": [
            _option(seed, key, number, (*path, 0), "Selected", value, built_in="Selected"),
            _option(seed, key, number, (*path, 1), "Unselected", 0, built_in="Unselected"),
        ],
    }


def _option(seed: int, key: str, number: int, path: tuple, text: str, value: int, built_in: str | None = None) -> dict:
    option = {
        "id": stable_uuid(seed, "answer", key, number, *path),
        "contextId": stable_uuid(seed, "answer-context", key, *path),
        "text": text,
        "value": value,
    }
    if built_in:
        option["builtInType"] = built_in
    return option
