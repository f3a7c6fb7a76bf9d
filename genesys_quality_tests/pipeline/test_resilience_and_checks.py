"""Resumable extraction, malformed payloads and blocking checks, through real materializations."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from genesys_quality.extraction import MonthExtractor
from genesys_quality.genesys import GenesysClient
from genesys_quality_tests.pipeline.conftest import MONTH_B, check_results, materialization_metadata

SMALL_PAGES = {"ops": {"raw_evaluations": {"config": {"page_size": 5, "pages_per_part": 1}}}}


class Crash(Exception):
    """Stands in for the process dying right after a part and its checkpoint were saved."""


def _client(sim) -> GenesysClient:
    return GenesysClient(sim.config.client_id, sim.config.client_secret, api_base_url=sim.base_url,
                         login_base_url=sim.base_url, requests_per_minute=None)


def test_run_killed_after_page_k_resumes_with_the_remaining_pages_only(pipeline, simulator, tmp_path):
    storage = pipeline.resources()["storage"]
    work_dir = storage.work_dir("raw_evaluations", MONTH_B)
    crash_after = 3

    def crash(checkpoint):
        if checkpoint.pages_done >= crash_after:
            raise Crash()

    with _client(simulator) as client, pytest.raises(Crash):
        MonthExtractor(client, MONTH_B, work_dir, page_size=5, pages_per_part=1, on_part=crash).run()
    resumed = pipeline.materialize(MONTH_B, run_config=SMALL_PAGES)
    meta = materialization_metadata(resumed, "raw_evaluations")
    assert meta["resumed_from_checkpoint"] is True
    assert meta["pages_fetched_this_run"] == meta["pages"] - crash_after

    resumed_table = pipeline.table(MONTH_B).drop(columns=["created_at", "updated_at"])
    # An uninterrupted run of the same month into a fresh home gives the same rows.
    uninterrupted_ids = {e["id"] for e in simulator.org.evaluations_in_month(MONTH_B)}
    raw = pq.read_table(str(storage.asset_path("raw_evaluations", MONTH_B)))
    assert set(raw.column("evaluation_id").to_pylist()) == uninterrupted_ids
    assert raw.num_rows == len(uninterrupted_ids)
    assert not resumed_table.duplicated(["evaluation_id", "question_id"]).any()
    assert not work_dir.exists()


def test_unknown_fields_are_kept_in_the_raw_payload(pipeline, simulator):
    target = simulator.org.evaluations_in_month(MONTH_B)[0]
    simulator.org.patch_evaluation_json(target["id"], set={"brandNewField": {"nested": [1, 2]}})
    pipeline.materialize(MONTH_B)
    raw = pq.read_table(str(pipeline.resources()["storage"].asset_path("raw_evaluations", MONTH_B)))
    payloads = dict(zip(raw.column("evaluation_id").to_pylist(), raw.column("payload").to_pylist()))
    assert json.loads(payloads[target["id"]])["brandNewField"] == {"nested": [1, 2]}


def test_wrong_type_in_payload_fails_naming_the_evaluation_and_writes_nothing(pipeline, simulator):
    pipeline.materialize(MONTH_B)
    before = pipeline.table(MONTH_B)
    target = simulator.org.evaluations_in_month(MONTH_B)[1]
    simulator.org.patch_evaluation_json(target["id"], set={"answers.totalScore": "ninety"})
    result = pipeline.materialize(MONTH_B, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert target["id"] in str(failure.step_failure_data.error)
    assert "totalScore" in str(failure.step_failure_data.error)
    after = pipeline.table(MONTH_B)
    assert after.equals(before)


def test_score_drift_fails_the_blocking_check_and_prevents_the_merge(pipeline, simulator):
    pipeline.materialize(MONTH_B)
    before = pipeline.table(MONTH_B)
    target = next(e for e in simulator.org.evaluations_in_month(MONTH_B)
                  if e["status"] == "FINISHED" and (e.get("answers") or {}).get("questionGroupScores")
                  and not e["answers"].get("anyFailedKillQuestions"))
    wrong = round(min(target["answers"]["totalScore"] + 7.5, 100.0) if target["answers"]["totalScore"] < 90 else 3.0, 2)
    simulator.org.patch_evaluation_json(target["id"], set={"answers.totalScore": wrong})
    result = pipeline.materialize(MONTH_B, raise_on_error=False)
    checks = check_results(result)
    score_check = checks["normalized_items_score_recomputation"]
    assert not score_check.passed
    assert target["id"] in json.dumps({k: str(v) for k, v in score_check.metadata.items()})
    assert "quality_evaluations" not in {
        e.event_specific_data.materialization.asset_key.to_user_string()
        for e in result.get_asset_materialization_events()
    }
    after = pipeline.table(MONTH_B)
    assert after.equals(before)

    # A later run that loads the month alone (as from the UI) must not slip past the failed check.
    alone = pipeline.materialize(MONTH_B, raise_on_error=False, selection=["quality_evaluations"])
    assert not alone.success
    failure = next(e for e in alone.all_events if e.is_step_failure).step_failure_data.error
    assert "normalized_items_score_recomputation" in failure.message and "nothing was loaded" in failure.message
    assert pipeline.table(MONTH_B).equals(before)


def test_a_month_whose_checks_passed_can_be_loaded_alone_in_a_later_run(pipeline):
    pipeline.materialize(MONTH_B)
    before = pipeline.table(MONTH_B)
    alone = pipeline.materialize(MONTH_B, selection=["quality_evaluations"])
    assert alone.success
    written = materialization_metadata(alone, "quality_evaluations")
    assert written["inserted"] == written["updated"] == written["soft_deleted"] == 0
    assert pipeline.table(MONTH_B).equals(before)


def test_reconciliation_detects_an_evaluation_rescored_after_the_load(pipeline, simulator):
    first = pipeline.materialize(MONTH_B)
    assert check_results(first)["quality_evaluations_reconciliation"].passed
    target = next(e for e in simulator.org.evaluations_in_month(MONTH_B) if e["status"] == "FINISHED")
    new_version = simulator.org.rescore(target["id"])
    result = pipeline.materialize(
        MONTH_B, selection=["quality_evaluations"], raise_on_error=False
    )
    recon = check_results(result)["quality_evaluations_reconciliation"]
    assert not recon.passed
    shown = json.dumps({k: str(v) for k, v in recon.metadata.items()})
    assert target["id"] in shown or new_version["id"] in shown
    assert recon.metadata["request_cost"].value >= 1
