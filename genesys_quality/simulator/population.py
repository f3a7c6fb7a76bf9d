"""The generated evaluations: evaluation i of month m is a pure function of (seed, month, i).

Nothing is stored. A month of N evaluations divides its milliseconds into N equal slots and puts
evaluation i at a seeded instant inside slot i, so createdDate is strictly increasing in i and
"the first evaluation created at or after t" is a binary search over i. Ids encode (month, i)
(see ids.py), so a lookup by evaluation or conversation id is a decode. A million-evaluation
month therefore costs no memory until a page of it is asked for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import dates
from .answers import generate_answers
from .config import SimulatorConfig
from .directory import Directory, user_ref
from .forms import FormCatalog, summary
from .ids import KIND_CONVERSATION, KIND_EVALUATION, KIND_EVALUATION_CONTEXT, IdCodec, derive, key_of, stable_uuid, unit

DATE_LAGS_MS = {
    "createdDate": (0, 0),
    "assignedDate": (0, 0),
    "conversationDate": (-3 * dates.DAY_MS, -45 * dates.MINUTE_MS),
    "submittedDate": (5 * dates.MINUTE_MS, 3 * dates.DAY_MS),
    "releaseDate": (5 * dates.MINUTE_MS, 5 * dates.DAY_MS),
}
"""Bounds of (date field - createdDate) for generated evaluations: a date window maps to a createdDate window."""


@dataclass(frozen=True)
class EvaluationIds:
    evaluation: str
    conversation: str
    context: str
    resource: str
    """Email id (`resourceId`), used only by email evaluations."""


class MonthLayout:
    """createdDate of evaluation i of one month; strictly increasing in i."""

    def __init__(self, seed: int, month: str, size: int) -> None:
        self.month = month
        self.size = size
        self.start = dates.month_start_ms(month)
        self.end = dates.month_start_ms(dates.add_months(month, 1))
        self._span = self.end - self.start
        self._key = key_of(seed, "created", month)

    def created_ms(self, index: int) -> int:
        low = self.start + index * self._span // self.size
        high = self.start + (index + 1) * self._span // self.size
        return low + int(unit(self._key, index) * (high - low))

    def first_index_at_or_after(self, ms: int) -> int:
        """The smallest i whose createdDate is >= ms (size if none)."""
        low, high = 0, self.size
        while low < high:
            middle = (low + high) // 2
            if self.created_ms(middle) < ms:
                low = middle + 1
            else:
                high = middle
        return low


class Population:
    """The seeded evaluations of the configured months, generated on demand."""

    def __init__(self, config: SimulatorConfig, codec: IdCodec, catalog: FormCatalog, directory: Directory) -> None:
        self._seed = config.seed
        self._codec = codec
        self._catalog = catalog
        self._directory = directory
        self._key = key_of(config.seed, "evaluation")
        self._layouts = {month: MonthLayout(config.seed, month, config.evaluations_per_month) for month in config.month_list}
        self._context_for_queue = {catalog.spec(c).queue_key: c for c in catalog.contexts()}

    @property
    def months(self) -> list[str]:
        return list(self._layouts)

    def layout(self, month: str) -> MonthLayout | None:
        layout = self._layouts.get(month)
        return layout if layout is not None and layout.size else None

    def evaluation_id(self, month: str, index: int) -> str:
        return self._codec.encode(KIND_EVALUATION, dates.month_ordinal(month), index)

    def people(self, month: str, index: int) -> tuple[int, int]:
        """(agent index, evaluator index) of a generated evaluation: its first two seeded draws, ~10x
        cheaper than generating it, so per-user queries can skip other people's evaluations."""
        return self._draw_people(random.Random(derive(self._key, dates.month_ordinal(month), index)))

    def _draw_people(self, rng: random.Random) -> tuple[int, int]:
        agent_index = rng.randrange(len(self._directory.agents))
        return agent_index, rng.randrange(len(self._directory.evaluators))

    def people_filter(self, agent_ids: set[str] | None, evaluator_ids: set[str] | None):
        """A cheap (month, index) -> bool pre-check for generated evaluations, or None if nothing to check.

        The evaluator is also the assignee of every generated evaluation.
        """
        if agent_ids is None and evaluator_ids is None:
            return None
        agents = None if agent_ids is None else {k for k, u in enumerate(self._directory.agents) if u["id"] in agent_ids}
        evaluators = None if evaluator_ids is None else {k for k, u in enumerate(self._directory.evaluators) if u["id"] in evaluator_ids}

        def check(month: str, index: int) -> bool:
            agent, evaluator = self.people(month, index)
            return (agents is None or agent in agents) and (evaluators is None or evaluator in evaluators)

        return check

    def locate(self, evaluation_id: str, kind: int = KIND_EVALUATION) -> tuple[str, int] | None:
        """(month, index) of a generated evaluation (or of its conversation, with KIND_CONVERSATION)."""
        decoded = self._codec.decode(evaluation_id)
        if decoded is None or decoded[0] != kind:
            return None
        month = dates.month_from_ordinal(decoded[1])
        layout = self.layout(month)
        if layout is None or decoded[2] >= layout.size:
            return None
        return month, decoded[2]

    def generate(self, month: str, index: int, with_answers: bool = True) -> dict:
        """Evaluation `index` of `month` as the canonical document (answers only if it has them and asked)."""
        ordinal = dates.month_ordinal(month)
        ids = EvaluationIds(
            evaluation=self._codec.encode(KIND_EVALUATION, ordinal, index),
            conversation=self._codec.encode(KIND_CONVERSATION, ordinal, index),
            context=self._codec.encode(KIND_EVALUATION_CONTEXT, ordinal, index),
            resource=stable_uuid(self._seed, "email", month, index),
        )
        rng = random.Random(derive(self._key, ordinal, index))
        answers_rng = random.Random(derive(self._key, ordinal, index, 1)) if with_answers else None
        return self.compose(rng, answers_rng, self._layouts[month].created_ms(index), ids)

    def compose(
        self,
        rng: random.Random,
        answers_rng: random.Random | None,
        created: int,
        ids: EvaluationIds,
        *,
        context_id: str | None = None,
        status: str | None = None,
        has_answers: bool | None = None,
    ) -> dict:
        """Build one evaluation document; overrides (used by `add_evaluation`) pick the form context and status.

        Without overrides the form is the seeded version in force at `created`; with `context_id`
        it is that context's latest published version.
        """
        directory = self._directory
        agent_index, evaluator_index = self._draw_people(rng)
        if context_id is not None:
            wanted = self._catalog.spec(context_id).queue_key
            agent_index = rng.choice([k for k in range(len(directory.agents)) if directory.queue_of_agent(k).key == wanted])
        agent, queue = directory.agents[agent_index], directory.queue_of_agent(agent_index)
        evaluator = directory.evaluators[evaluator_index]
        if context_id is None:
            form = self._catalog.seeded_version_at(self._context_for_queue[queue.key], created)
        else:
            form = self._catalog.latest(context_id)
        drawn_status, drawn_answers = _status(rng.random())
        status = status or drawn_status
        has_answers = drawn_answers if has_answers is None else has_answers
        conversation_ms = created - rng.randint(45 * dates.MINUTE_MS, 3 * dates.DAY_MS)
        conversation_end_ms = conversation_ms + rng.randint(2 * dates.MINUTE_MS, 40 * dates.MINUTE_MS)
        submitted = release = None
        never_release = False
        changed = created + rng.randint(dates.MINUTE_MS, 4 * dates.HOUR_MS)
        if status in ("FINISHED", "INREVIEW"):
            submitted = created + rng.randint(5 * dates.MINUTE_MS, 3 * dates.DAY_MS)
            draw = rng.random()
            never_release = status == "FINISHED" and draw < 0.07
            if status == "INREVIEW" or draw >= 0.12:
                release = submitted + rng.randint(0, 2 * dates.DAY_MS)
            changed = max(submitted, release or 0)
        dispute_count = 0
        if status == "INREVIEW":
            changed = release + rng.randint(dates.HOUR_MS, 2 * dates.DAY_MS)
            dispute_count = 1
        agent_has_read = release is not None and (status == "INREVIEW" or rng.random() < 0.7)
        ai_scoring = None
        if self._catalog.spec(form["contextId"]).ai_scoring and rng.random() < 0.2:
            ai_scoring = {"pending": rng.random() < 0.1, "dateLastChanged": dates.to_iso(created + rng.randint(60_000, 1_800_000))}
        if rng.random() < 0.85:
            source = dict(directory.policies[rng.randrange(len(directory.policies))])
        else:
            source = {"id": evaluator["id"], "name": evaluator["name"], "type": "User"}
        evaluation_id, conversation_id = ids.evaluation, ids.conversation
        doc = {
            "id": evaluation_id,
            "name": "Evaluation",
            "conversation": {"id": conversation_id, "selfUri": f"/api/v2/conversations/{conversation_id}"},
            "evaluationForm": summary(form),
            "evaluator": user_ref(evaluator),
            "agent": user_ref(agent),
            "status": status,
        }
        if has_answers and answers_rng is not None:
            doc["answers"] = generate_answers(self._catalog.index(form["id"]), answers_rng, agent_has_read)
        doc["agentHasRead"] = agent_has_read
        doc["assignee"] = user_ref(evaluator)
        doc["assigneeApplicable"] = True
        if release is not None:
            doc["releaseDate"] = dates.to_iso(release)
        doc["assignedDate"] = doc["createdDate"] = dates.to_iso(created)
        doc["changedDate"] = dates.to_iso(changed)
        if submitted is not None:
            doc["submittedDate"] = dates.to_iso(submitted)
        doc["queue"] = queue.ref()
        doc["mediaType"] = [queue.media_type]
        doc["divisionIds"] = [directory.division_id]
        doc["rescore"] = False
        doc["conversationDate"] = dates.to_iso(conversation_ms)
        doc["conversationEndDate"] = dates.to_iso(conversation_end_ms)
        doc["neverRelease"] = never_release
        doc["assigned"] = True
        if queue.media_type == "EMAIL":
            doc["resourceId"] = ids.resource
            doc["resourceType"] = "EMAIL"
        doc["isScoringIndex"] = False
        doc["evaluationSource"] = source
        doc["disputeCount"] = dispute_count
        doc["version"] = 1
        doc["evaluationContextId"] = ids.context
        if ai_scoring is not None:
            doc["aiScoring"] = ai_scoring
        doc["selfUri"] = f"/api/v2/quality/conversations/{conversation_id}/evaluations/{evaluation_id}"
        return doc


def _status(draw: float) -> tuple[str, bool]:
    """Mostly FINISHED; ~2% without answers (PENDING, some INPROGRESS, a rare FINISHED)."""
    if draw < 0.012:
        return "PENDING", False
    if draw < 0.017:
        return "INPROGRESS", False
    if draw < 0.047:
        return "INPROGRESS", True
    if draw < 0.077:
        return "INREVIEW", True
    if draw < 0.080:
        return "FINISHED", False
    return "FINISHED", True
