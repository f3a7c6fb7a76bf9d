"""Payload drift: Genesys sends fields, types or values the pipeline was not written for.

Nothing may be dropped silently. Unknown fields are kept in the raw payload and change no row;
missing optional fields become NULLs in the evaluation's rows, which all stay; a changed type or an
unknown status fails the month naming and counting every affected evaluation (run metadata), and
once fixed the month loads whole; a form version Genesys cannot serve (404) is counted with its
evaluations and blocks the month's load through the referential check.
"""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from genesys_quality.simulator import Simulator
from genesys_quality_tests.faults.conftest import world_config
from genesys_quality_tests.faults.harness import MONTH, compare, snapshot

pytestmark = pytest.mark.slow


@pytest.fixture
def drift(world, tmp_path):
    """A simulator of the world's seed (unchanged organisation) and a home holding the pristine warehouse."""
    with Simulator(world_config()) as sim:
        yield sim, world.home_from_prior(tmp_path / "home")


def _scored(sim, n: int) -> list[dict]:
    evaluations = [
        e for e in sim.org.evaluations_in_month(MONTH)
        if e["status"] == "FINISHED" and (e.get("answers") or {}).get("questionGroupScores")
    ]
    return evaluations[:n]


def _env(world, sim, home) -> dict:
    return {**world.env(home), "GENESYS_API_BASE_URL": sim.base_url, "GENESYS_LOGIN_BASE_URL": sim.base_url}


def _raw_failure(outcome) -> dict:
    failures = [f for f in (outcome.summary or {}).get("failures", []) if f["step"] == "raw_evaluations"]
    assert failures, f"raw_evaluations did not fail: {outcome.failure_text()}"
    return failures[0]


def test_unknown_new_fields_are_kept_in_the_raw_payload_and_change_no_row(drift, world, runs, record):
    sim, home = drift
    target = _scored(sim, 1)[0]["id"]
    sim.org.patch_evaluation_json(target, set={
        "brandNewField": {"nested": [1, 2]},
        "agent.newAttribute": 5,
        "answers.questionGroupScores.0.questionScores.0.newScoreDetail": "calibrated",
    })
    outcome = runs.run(_env(world, sim, home))
    raw = pq.read_table(home / "parquet" / "raw_evaluations" / f"{MONTH}.parquet")
    payload = json.loads(dict(zip(raw.column("evaluation_id").to_pylist(), raw.column("payload").to_pylist()))[target])
    result = compare(snapshot(home), world.pristine, prior=world.pristine)
    record("drift: unknown new fields", result, outcome.success, note="kept in the raw payload")
    assert outcome.success, outcome.failure_text()
    assert payload["brandNewField"] == {"nested": [1, 2]} and payload["agent"]["newAttribute"] == 5
    assert payload["answers"]["questionGroupScores"][0]["questionScores"][0]["newScoreDetail"] == "calibrated"
    assert result.identical, str(result)


def test_missing_optional_fields_become_nulls_and_no_row_is_dropped(drift, world, runs, record):
    sim, home = drift
    target = _scored(sim, 1)[0]
    first_question = target["answers"]["questionGroupScores"][0]["questionScores"][0]["questionId"]
    sim.org.patch_evaluation_json(target["id"], remove=[
        "queue", "releaseDate", "conversationDate", "answers.questionGroupScores.0.questionScores.0.comments",
    ])
    outcome = runs.run(_env(world, sim, home))
    table = snapshot(home).table
    rows = table[table["evaluation_id"] == target["id"]]
    expected = {(target["id"], q, column) for q in rows["question_id"]
                for column in ("queue_id", "date_released", "conversation_date", "updated_at")}
    expected.add((target["id"], first_question, "comments"))
    result = compare(snapshot(home), world.pristine, prior=world.pristine, expected_diffs=expected)
    record("drift: missing optional fields", result, outcome.success, note="NULLs, every row kept")
    assert outcome.success, outcome.failure_text()
    assert len(rows) == (world.pristine.table["evaluation_id"] == target["id"]).sum()
    assert rows[["queue_id", "date_released", "conversation_date"]].isna().all().all()
    assert result.identical, str(result)


def _fails_counting_then_loads_whole_once_fixed(sim, home, world, runs, broken: dict[str, dict], fixes: dict[str, dict]):
    for evaluation_id, edits in broken.items():
        sim.org.patch_evaluation_json(evaluation_id, set=edits)
    failed = runs.run(_env(world, sim, home))
    failure = _raw_failure(failed)
    untouched = compare(snapshot(home), world.pristine, prior=world.pristine)
    resumable = (home / "parquet" / "_work" / "raw_evaluations" / MONTH).exists()
    for evaluation_id, edits in fixes.items():
        sim.org.patch_evaluation_json(evaluation_id, set=edits)
    fixed = runs.run(_env(world, sim, home))
    return failure, untouched, resumable, fixed


def test_a_changed_field_type_fails_the_month_naming_and_counting_each_evaluation(drift, world, runs, record):
    sim, home = drift
    top, nested = _scored(sim, 2)
    question = "answers.questionGroupScores.0.questionScores.0.score"
    original_score = nested["answers"]["questionGroupScores"][0]["questionScores"][0]["score"]
    failure, untouched, resumable, fixed = _fails_counting_then_loads_whole_once_fixed(
        sim, home, world, runs,
        broken={top["id"]: {"answers.totalScore": "ninety"}, nested["id"]: {question: "five"}},
        fixes={top["id"]: {"answers.totalScore": top["answers"]["totalScore"]}, nested["id"]: {question: original_score}},
    )
    result = compare(snapshot(home), world.pristine, prior=world.pristine)
    record("drift: changed field type", result, untouched.identical and fixed.success,
           note="month failed naming 2 evaluations; loaded whole once fixed")
    assert failure["metadata"]["malformed_evaluations"] == 2
    assert top["id"] in failure["message"] and nested["id"] in failure["message"]
    assert "totalScore" in failure["message"]
    assert untouched.identical and not resumable, "a malformed month must leave nothing half-done"
    assert fixed.success, fixed.failure_text()
    assert result.identical, str(result)


def test_an_unknown_status_fails_the_month_naming_it_and_an_uninterpreted_enum_is_kept(drift, world, runs, record):
    sim, home = drift
    archived, holographic = _scored(sim, 2)
    sim.org.patch_evaluation_json(holographic["id"], set={"mediaType": "HOLOGRAM"})
    failure, untouched, resumable, fixed = _fails_counting_then_loads_whole_once_fixed(
        sim, home, world, runs,
        broken={archived["id"]: {"status": "ARCHIVED"}},
        fixes={archived["id"]: {"status": archived["status"]}},
    )
    result = compare(snapshot(home), world.pristine, prior=world.pristine)
    record("drift: unknown enum value", result, untouched.identical and fixed.success,
           note="unknown status fails the month, counted; unknown mediaType kept in payload")
    assert failure["metadata"]["malformed_evaluations"] == 1
    assert archived["id"] in failure["message"] and "'ARCHIVED'" in failure["message"]
    assert holographic["id"] not in failure["message"]
    assert untouched.identical and not resumable
    assert fixed.success, fixed.failure_text()
    assert result.identical, str(result)


def test_a_form_version_answering_404_is_counted_with_its_evaluations_and_blocks_the_load(drift, world, runs, record):
    sim, home = drift
    in_month = sim.org.evaluations_in_month(MONTH)
    form_id = in_month[0]["evaluationForm"]["id"]
    using_it = sum(1 for e in in_month if e["evaluationForm"]["id"] == form_id)
    sim.org.delete_form_version(form_id)
    outcome = runs.run(_env(world, sim, home))
    versions = outcome.metadata("template_versions")
    referential = outcome.summary["checks"]["normalized_items_referential"]
    result = compare(snapshot(home), world.pristine, prior=world.pristine)
    record("drift: form version 404", result, not outcome.success and not referential["passed"],
           note=f"{using_it} evaluations counted, load blocked")
    assert versions["missing_form_versions"][form_id]["evaluations"] == using_it
    assert "404" in versions["missing_form_versions"][form_id]["reason"]
    assert versions["evaluations_without_form_version"] == using_it
    assert not referential["passed"] and referential["metadata"]["evaluations_failing"] == using_it
    assert "quality_evaluations" not in outcome.summary["metadata"]
    assert result.identical, str(result)
