"""Pinned template versions: the published form versions a month's evaluations reference.

A published form version never changes, so each is fetched once and cached (with its ordinal
inside its form context) for every later month and run. The versions listing that numbers a
form's versions returns the same `EvaluationFormResponse` entities as the single GET, so a
listed version that carries its question groups is pinned from the listing; one without them
(an org whose listing leaves them out) is fetched by id. A version Genesys can no longer serve
is reported, never silently skipped: the month's referential check then blocks the load for the
evaluations that need it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from upath import UPath

from genesys_quality.genesys.errors import NotFoundError
from genesys_quality.storage.location import safe_segment
from genesys_quality.storage.parquet import atomic_open
from genesys_quality.transform.forms import version_ordinals


@dataclass
class FormVersionCache:
    """`<folder>/<form version id>.json` holding `{"form": …, "template_version": n}`."""

    folder: UPath

    def _path(self, form_id: str) -> UPath:
        return self.folder / f"{safe_segment(form_id, 'form version id')}.json"

    def get(self, form_id: str) -> tuple[dict, int] | None:
        path = self._path(form_id)
        if not path.exists():
            return None
        with path.open("r") as handle:
            entry = json.load(handle)
        return entry["form"], entry["template_version"]

    def put(self, form: dict, template_version: int) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with atomic_open(self._path(form["id"]), "w") as handle:
            json.dump({"form": form, "template_version": template_version}, handle)


@dataclass
class PinnedForms:
    forms: list[tuple[dict, int]] = field(default_factory=list)
    from_cache: int = 0
    fetched: int = 0
    missing: dict[str, str] = field(default_factory=dict)
    """form version id -> why it could not be fetched."""


def pin_form_versions(client, references: dict[str, str | None], cache: FormVersionCache) -> PinnedForms:
    """Pin (from the cache, else from its form's versions listing) every form version in `references`
    (version id -> context id): one listing request per uncached form, a GET only for a listed
    version without its question groups."""
    pinned = PinnedForms()
    to_fetch: dict[str, list[str]] = {}
    for form_id, context_id in sorted(references.items()):
        cached = cache.get(form_id)
        if cached is not None:
            pinned.forms.append(cached)
            pinned.from_cache += 1
        else:
            to_fetch.setdefault(context_id or form_id, []).append(form_id)
    for context_id, form_ids in to_fetch.items():
        listed = _versions_of_context(client, [*form_ids, context_id])
        ordinals = version_ordinals(listed)
        complete = {version["id"]: version for version in listed if _is_complete(version)}
        for form_id in form_ids:
            form = complete.get(form_id)
            if form is None:
                try:
                    form = client.get_form_version(form_id)
                except NotFoundError as error:
                    pinned.missing[form_id] = (
                        f"GET /api/v2/quality/forms/evaluations/{form_id} answered 404 ({error.code})"
                    )
                    continue
            ordinal = ordinals.get(form_id)
            if ordinal is None:
                pinned.missing[form_id] = (
                    f"form version {form_id} is not among the published versions of its form "
                    f"(context {form.get('contextId')}), so its version number is unknown"
                )
                continue
            cache.put(form, ordinal)
            pinned.forms.append((form, ordinal))
            pinned.fetched += 1
    return pinned


def _is_complete(version: dict) -> bool:
    """True when a listed version holds what the single GET would add: its question groups and weight
    mode. An empty group list counts as absent: a published form has at least one group, so an empty
    one is a summary, not the form."""
    groups = version.get("questionGroups")
    return isinstance(groups, list) and len(groups) > 0 and "weightMode" in version


def _versions_of_context(client, candidates: list[str]) -> list[dict]:
    """A form's versions, oldest first, listed through the first of `candidates` (version ids, then
    the context id) that Genesys still knows: one deleted version must not leave its siblings unpinned."""
    for candidate in dict.fromkeys(candidates):
        try:
            return client.list_form_versions(candidate)
        except NotFoundError:
            continue
    return []
