"""The simulated organisation: what it holds, and control methods that change it the way people do.

Every control method returns the affected evaluation as search returns it (answers included,
`evaluationForm` without `name`) or the affected form version. Mutation timestamps are "now", but
never earlier than one second after the evaluation's latest date, so `changedDate` always moves
forward. The seeded history (a few rescored and deleted evaluations per month of at least 20) uses
seeded timestamps, so the same seed gives the identical organisation.
"""

from __future__ import annotations

import copy
import dataclasses
import random
import threading
from collections.abc import Iterator
from typing import Any

from . import dates
from .answers import generate_answers
from .config import SimulatorConfig
from .directory import Directory
from .forms import FormCatalog
from .ids import IdCodec, random_uuid
from .population import EvaluationIds, Population
from .scoring import score_evaluation
from .store import EvaluationStore, iterate_segments
from .views import apply_patches, ordered, response_view, search_view, validate_path

EDITABLE_STATUSES = ("PENDING", "INPROGRESS", "FINISHED", "INREVIEW")
HISTORY_MIN_MONTH_SIZE = 20
"""Months with fewer generated evaluations get no seeded rescores/deletions (keeps tiny test orgs exact)."""


class Organisation:
    """State of one simulated Genesys Cloud organisation (thread-safe; `lock` guards everything)."""

    def __init__(self, config: SimulatorConfig | None = None, **overrides: Any) -> None:
        config = dataclasses.replace(config, **overrides) if config else SimulatorConfig(**overrides)
        self.config = config
        self.lock = threading.RLock()
        self.catalog = FormCatalog(config.seed, config.month_list)
        self.directory = Directory(config.seed)
        self.population = Population(config, IdCodec(config.seed), self.catalog, self.directory)
        self.store = EvaluationStore(self.population)
        self._rng = random.Random(f"{config.seed}|control")
        self._seed_history()

    # -- what the organisation holds ---------------------------------------------------------

    @property
    def months(self) -> list[str]:
        return self.config.month_list

    @property
    def forms(self) -> list[dict]:
        """Every fetchable form version (full JSON with questionGroups), oldest first per context."""
        with self.lock:
            return copy.deepcopy(self.catalog.all_versions())

    @property
    def users(self) -> list[dict]:
        return copy.deepcopy(self.directory.users)

    @property
    def agents(self) -> list[dict]:
        return copy.deepcopy(self.directory.agents)

    @property
    def evaluators(self) -> list[dict]:
        return copy.deepcopy(self.directory.evaluators)

    @property
    def queues(self) -> list[dict]:
        return [queue.ref() for queue in self.directory.queues]

    @property
    def deleted_evaluation_ids(self) -> list[str]:
        with self.lock:
            return sorted(self.store.deleted_ids)

    def form_contexts(self) -> list[str]:
        return self.catalog.contexts()

    def get_evaluation(self, evaluation_id: str) -> dict:
        """The evaluation as `GET /conversations/{cid}/evaluations/{eid}` shows it."""
        with self.lock:
            return copy.deepcopy(response_view(self._require(evaluation_id), self.store.patches.get(evaluation_id)))

    def evaluations_in_month(self, month: str) -> list[dict]:
        """Current state of every evaluation created in `month`, exactly as search returns them."""
        return list(self.iter_month_evaluations(month))

    def iter_month_evaluations(self, month: str) -> Iterator[dict]:
        """Like `evaluations_in_month`, one at a time, in (createdDate, id) order; memory stays flat."""
        month = dates.parse_month(month)
        start, end = dates.month_start_ms(month), dates.month_start_ms(dates.add_months(month, 1))
        with self.lock:
            segments = self.store.sequence(start, end)
        for ref in iterate_segments(segments):
            with self.lock:
                doc = self.store.resolve(ref)
                if doc is None:
                    continue
                view = search_view(doc, self.store.patches.get(doc["id"]))
                if self.store.is_stored(ref):
                    view = copy.deepcopy(view)
            yield view

    # -- control: evaluations ----------------------------------------------------------------

    def add_evaluation(
        self, month: str, status: str = "FINISHED", with_answers: bool = True, form_context_id: str | None = None,
        created_date: str | None = None,
    ) -> dict:
        """A new evaluation created at a random moment of `month` (or at `created_date`, an ISO instant
        inside it: month boundaries and createdDate ties), on the latest published form version."""
        month = dates.parse_month(month)
        status = str(status).upper()
        if status not in EDITABLE_STATUSES:
            raise ValueError(f"status {status!r} cannot be added; use one of {list(EDITABLE_STATUSES)}")
        start, end = dates.month_start_ms(month), dates.month_start_ms(dates.add_months(month, 1))
        if created_date is not None and not start <= dates.parse_iso(created_date) < end:
            raise ValueError(f"created_date {created_date!r} is not inside the month {month}")
        with self.lock:
            context_id = self._published_context(form_context_id)
            rng = self._rng
            created = start + rng.randrange(end - start)
            if created_date is not None:
                created = dates.parse_iso(created_date)
            ids = EvaluationIds(random_uuid(rng), random_uuid(rng), random_uuid(rng), random_uuid(rng))
            doc = self.population.compose(
                random.Random(rng.getrandbits(64)),
                random.Random(rng.getrandbits(64)) if with_answers else None,
                created,
                ids,
                context_id=context_id,
                status=status,
                has_answers=with_answers,
            )
            self.store.add(doc)
            return self._view(doc)

    def rescore(self, evaluation_id: str) -> dict:
        """A new version (new id, same evaluationContextId and createdDate, version+1); the old one is RETRACTED."""
        with self.lock:
            old = self._require(evaluation_id)
            return self._view(self._rescore(old, self._moment(old), self._rng))

    def dispute(self, evaluation_id: str) -> dict:
        with self.lock:
            doc = self._require(evaluation_id, allowed=("FINISHED",), action="dispute")
            return self._save(doc, status="INREVIEW", disputeCount=doc.get("disputeCount", 0) + 1,
                              changedDate=dates.to_iso(self._moment(doc)))

    def resolve_dispute(self, evaluation_id: str) -> dict:
        with self.lock:
            doc = self._require(evaluation_id, allowed=("INREVIEW",), action="resolve the dispute of")
            stamp = dates.to_iso(self._moment(doc))
            return self._save(doc, status="FINISHED", changedDate=stamp, submittedDate=stamp)

    def finish(self, evaluation_id: str) -> dict:
        """PENDING/INPROGRESS -> FINISHED with answers and scores, submitted and released now."""
        with self.lock:
            doc = self._require(evaluation_id, allowed=("PENDING", "INPROGRESS"), action="finish")
            stamp = dates.to_iso(self._moment(doc))
            changes: dict[str, Any] = {"status": "FINISHED", "changedDate": stamp, "submittedDate": stamp}
            if "answers" not in doc:
                index = self.catalog.index(doc["evaluationForm"]["id"])
                changes["answers"] = generate_answers(index, random.Random(self._rng.getrandbits(64)), False)
            if not doc.get("neverRelease"):
                changes["releaseDate"] = stamp
            return self._save(doc, **changes)

    def delete(self, evaluation_id: str) -> dict:
        """The evaluation disappears from search, query and GET (404); returns its last state."""
        with self.lock:
            view = self._view(self._require(evaluation_id))
            self.store.delete(evaluation_id)
            return view

    def remove_question(self, evaluation_id: str, question_id: str | None = None) -> dict:
        """Resubmit the evaluation without one answered question (the first scored one by default)."""
        with self.lock:
            doc = self._require(evaluation_id)
            answers = doc.get("answers")
            if not answers:
                raise ValueError(f"evaluation {evaluation_id} has no answers, so no question can be removed")
            question_id = question_id or _first_answered_question(answers)
            groups, removed = [], False
            for group in answers["questionGroupScores"]:
                kept = [q for q in group["questionScores"] if q["questionId"] != question_id]
                removed = removed or len(kept) != len(group["questionScores"])
                groups.append(dict(group, questionScores=kept))
            if not removed:
                raise LookupError(f"evaluation {evaluation_id} has no answer to question {question_id!r}")
            index = self.catalog.index(doc["evaluationForm"]["id"])
            choices = {key: value for key, value in answers.items() if key in ("comments", "privateComments", "agentComments")}
            choices["questionGroupScores"] = groups
            rescored = score_evaluation(index.form, choices, index)
            stamp = dates.to_iso(self._moment(doc))
            return self._save(doc, answers=rescored, changedDate=stamp, submittedDate=stamp)

    def patch_evaluation_json(
        self, evaluation_id: str, set: dict[str, Any] | None = None, remove: list[str] | None = None
    ) -> dict:
        """Payload drift: edit the served JSON (dotted paths; unknown fields, wrong types, missing fields)."""
        edits = [("set", path, value) for path, value in (set or {}).items()]
        edits += [("remove", path, None) for path in remove or []]
        for _, path, _ in edits:
            validate_path(path)
        with self.lock:
            doc = self._require(evaluation_id)
            patches = self.store.patches.get(evaluation_id, []) + edits
            apply_patches(response_view(doc), patches, omitted=(), strict=True)
            self.store.patches[evaluation_id] = patches
            return self._view(doc)

    # -- control: forms ------------------------------------------------------------------------

    def publish_form_version(self, context_id: str, weights: list[float] | dict[str, float] | None = None) -> dict:
        """A new published version of a form (new ids, same contextIds, changed weights by default)."""
        with self.lock:
            version = self.catalog.publish(context_id, weights, dates.now_ms())
            return copy.deepcopy(version)

    def unpublish_form(self, context_id: str) -> dict:
        with self.lock:
            return self.catalog.unpublish(context_id)

    def delete_form_version(self, form_id: str) -> dict:
        """GET of this version answers 404 from now on; evaluations that used it keep pointing at it."""
        with self.lock:
            return copy.deepcopy(self.catalog.delete_version(form_id))

    # -- internals -----------------------------------------------------------------------------

    def _require(self, evaluation_id: str, allowed: tuple[str, ...] | None = None, action: str = "") -> dict:
        doc = self.store.get(str(evaluation_id))
        if doc is None:
            raise LookupError(f"no evaluation {evaluation_id!r}: it was deleted or never existed")
        if allowed and doc["status"] not in allowed:
            raise ValueError(
                f"cannot {action} evaluation {evaluation_id}: its status is {doc['status']}, expected {' or '.join(allowed)}"
            )
        return doc

    def _published_context(self, context_id: str | None) -> str:
        if context_id is None:
            published = [c for c in self.catalog.contexts() if self.catalog.is_published(c)]
            if not published:
                raise ValueError("no published evaluation form: publish one with publish_form_version first")
            return self._rng.choice(published)
        self.catalog.spec(context_id)
        if not self.catalog.is_published(context_id):
            raise ValueError(f"form context {context_id} is unpublished; publish_form_version({context_id!r}) first")
        return context_id

    def _view(self, doc: dict) -> dict:
        """A caller-owned copy (stored documents are shared and must never be edited in place)."""
        return copy.deepcopy(search_view(doc, self.store.patches.get(doc["id"])))

    def _save(self, doc: dict, **changes: Any) -> dict:
        updated = ordered({**doc, **changes})
        self.store.put(updated)
        return self._view(updated)

    def _moment(self, doc: dict) -> int:
        return max(dates.now_ms(), _latest_ms(doc) + 1000)

    def _rescore(self, old: dict, at_ms: int, rng: random.Random) -> dict:
        if old["status"] not in ("FINISHED", "INREVIEW"):
            raise ValueError(f"cannot rescore evaluation {old['id']}: its status is {old['status']}, expected FINISHED or INREVIEW")
        index = self.catalog.index(old["evaluationForm"]["id"])
        previous = (old.get("answers") or {}).get("totalScore")
        for _ in range(8):
            answers = generate_answers(index, rng, bool(old.get("agentHasRead")))
            if answers["totalScore"] != previous:
                break
        new_id, stamp = random_uuid(rng), dates.to_iso(at_ms)
        conversation_id = old["conversation"]["id"]
        history = (old.get("versionHistory") or {}).get("entities") or [{"id": old["id"], "selfUri": old["selfUri"]}]
        self_uri = f"/api/v2/quality/conversations/{conversation_id}/evaluations/{new_id}"
        new = {
            **old,
            "id": new_id,
            "status": "FINISHED",
            "answers": answers,
            "changedDate": stamp,
            "submittedDate": stamp,
            "revisionCreatedDate": stamp,
            "rescore": True,
            "disputeCount": 0,
            "version": old.get("version", 1) + 1,
            "versionHistory": {"total": len(history) + 1, "entities": [*history, {"id": new_id, "selfUri": self_uri}]},
            "retractedEvaluation": {"id": old["id"], "selfUri": old["selfUri"]},
            "selfUri": self_uri,
        }
        if "releaseDate" in old:
            new["releaseDate"] = stamp
        self.store.put(ordered({**old, "status": "RETRACTED", "changedDate": stamp}))
        new = ordered(new)
        self.store.add(new)
        return new

    def _seed_history(self) -> None:
        """A few rescored (revision chains) and deleted evaluations per month, from the seed."""
        size = self.config.evaluations_per_month
        if size < HISTORY_MIN_MONTH_SIZE:
            return
        rescores, deletions = min(50, round(size * 0.03)), min(50, max(1, round(size * 0.01)))
        for month in self.population.months:
            rng = random.Random(f"{self.config.seed}|history|{month}")
            to_rescore, to_delete = rescores, deletions
            for index in rng.sample(range(size), min(size, 4 * (rescores + deletions))):
                doc = self.store.get(self.population.evaluation_id(month, index))
                if to_rescore and doc["status"] == "FINISHED" and "answers" in doc:
                    self._rescore(doc, _latest_ms(doc) + rng.randint(dates.HOUR_MS, 5 * dates.DAY_MS), rng)
                    to_rescore -= 1
                elif to_delete:
                    self.store.delete(doc["id"])
                    to_delete -= 1


def _latest_ms(doc: dict) -> int:
    keys = ("createdDate", "changedDate", "submittedDate", "releaseDate")
    return max(dates.parse_iso(doc[key]) for key in keys if key in doc)


def _first_answered_question(answers: dict) -> str:
    for group in answers.get("questionGroupScores") or []:
        for question in group.get("questionScores") or []:
            if question.get("answerId") and "multipleSelectQuestionOptionScores" not in question:
                return question["questionId"]
    raise ValueError("the evaluation has no answered multiple-choice question to remove")

