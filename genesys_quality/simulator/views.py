"""How one stored evaluation is shown by each endpoint, plus payload-drift patches.

The store keeps one canonical document per evaluation version (the `Evaluation` model with its
`answers`). Endpoints differ (genesys-api.md §1.2, §2): search results embed an
`EvaluationFormSearchResponse` (no `name`); the query listing shows `answers` only with
`expandAnswerTotalScores=true`; the single GET adds `authorizedActions`.
"""

from __future__ import annotations

import copy

EVALUATION_KEY_ORDER = (
    "id", "name", "conversation", "evaluationForm", "evaluator", "agent", "calibration", "status", "answers",
    "agentHasRead", "assignee", "assigneeApplicable", "releaseDate", "assignedDate", "createdDate", "changedDate",
    "submittedDate", "revisionCreatedDate", "queue", "mediaType", "divisionIds", "rescore", "conversationDate",
    "conversationEndDate", "neverRelease", "assigned", "dateAssigneeChanged", "resourceId", "resourceType",
    "redacted", "agentTeam", "isScoringIndex", "authorizedActions", "hasAssistanceFailed", "evaluationSource", "disputeCount",
    "version", "versionHistory", "declinedReview", "evaluationContextId", "retractedEvaluation", "aiScoring",
    "selfUri",
)
"""Every `Evaluation` / `EvaluationResponse` field of genesys-api.md §2, in the order documents are written."""

SEARCH_FORM_KEYS = ("id", "contextId", "published", "modifiedDate", "selfUri")
AUTHORIZED_ACTIONS = ["assign", "edit", "editScore", "editAgentSignoff", "delete", "release", "viewAudit"]
_ORDER = {key: position for position, key in enumerate(EVALUATION_KEY_ORDER)}


def ordered(doc: dict) -> dict:
    """The document with its keys in canonical order (after a mutation added or removed some)."""
    return dict(sorted(doc.items(), key=lambda item: _ORDER.get(item[0], len(_ORDER))))


def search_view(doc: dict, patches: list | None = None) -> dict:
    view = dict(doc)
    form = doc["evaluationForm"]
    view["evaluationForm"] = {key: form[key] for key in SEARCH_FORM_KEYS if key in form}
    return apply_patches(view, patches, omitted=())


def entity_view(doc: dict, with_answers: bool, patches: list | None = None) -> dict:
    view = dict(doc)
    omitted = ()
    if not with_answers:
        view.pop("answers", None)
        omitted = ("answers",)
    return apply_patches(view, patches, omitted)


def response_view(doc: dict, patches: list | None = None) -> dict:
    view = dict(doc)
    view["authorizedActions"] = list(AUTHORIZED_ACTIONS)
    return apply_patches(ordered(view), patches, omitted=())


def apply_patches(view: dict, patches: list | None, omitted: tuple[str, ...], strict: bool = False) -> dict:
    """Apply ("set", path, value) / ("remove", path) edits; paths are dotted, list positions are numbers.

    Edits under a top-level key the view deliberately left out (answers without
    expandAnswerTotalScores) are skipped, so drift never makes `answers` appear. When serving
    (`strict=False`) an edit that no longer fits (a list got shorter) is skipped rather than failing.
    """
    if not patches:
        return view
    view = copy.deepcopy(view)
    for operation, path, value in patches:
        parts = path.split(".")
        if parts[0] in omitted:
            continue
        try:
            if operation == "set":
                _set(view, parts, value)
            else:
                _remove(view, parts)
        except ValueError:
            if strict:
                raise
    return view


def validate_path(path: str) -> None:
    if not isinstance(path, str) or not path or any(part == "" for part in path.split(".")):
        raise ValueError(f"patch path {path!r} is not a dotted path like 'answers.totalScore' or 'brandNewField'")


def _set(node, parts: list[str], value) -> None:
    for part in parts[:-1]:
        child = _child(node, part)
        if child is None:
            child = {}
            _assign(node, part, child)
        node = child
    _assign(node, parts[-1], copy.deepcopy(value))


def _remove(node, parts: list[str]) -> None:
    for part in parts[:-1]:
        node = _child(node, part)
        if node is None:
            return
    if isinstance(node, dict):
        node.pop(parts[-1], None)
    elif isinstance(node, list) and parts[-1].isdigit() and int(parts[-1]) < len(node):
        node.pop(int(parts[-1]))


def _child(node, part: str):
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return None


def _assign(node, part: str, value) -> None:
    if isinstance(node, list):
        if not part.isdigit() or int(part) >= len(node):
            raise ValueError(f"cannot set list position {part!r} (the list has {len(node)} items)")
        node[int(part)] = value
    elif isinstance(node, dict):
        node[part] = value
    else:
        raise ValueError(f"cannot set {part!r} inside a {type(node).__name__} value")
