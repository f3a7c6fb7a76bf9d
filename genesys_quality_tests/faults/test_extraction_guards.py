"""The two guards the fault suite relies on, on their own: the month extraction lock and malformed-page sorting."""

from __future__ import annotations

import multiprocessing
import signal

import pytest
from upath import UPath

from genesys_quality.extraction.lock import MonthBusyError, extraction_lock
from genesys_quality.extraction.malformed import MalformedMonthError, raw_rows
from genesys_quality.simulator import Organisation, SimulatorConfig
from genesys_quality_tests.faults.harness import MONTH


def _hold_forever(work_dir: str, ready) -> None:
    with extraction_lock(UPath(work_dir), MONTH):
        ready.set()
        signal.pause()


def test_a_second_extraction_of_a_month_is_refused_naming_the_holder(tmp_path):
    work_dir = UPath(tmp_path / "_work" / "raw_evaluations" / MONTH)
    with extraction_lock(work_dir, MONTH):
        with pytest.raises(MonthBusyError, match=rf"Month {MONTH} is already being extracted .* by process \d+"):
            with extraction_lock(work_dir, MONTH):
                pass
    with extraction_lock(work_dir, MONTH):  # released on exit
        pass


def test_the_extraction_lock_of_a_killed_process_is_free_at_once(tmp_path):
    work_dir = str(tmp_path / "_work" / "raw_evaluations" / MONTH)
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=_hold_forever, args=(work_dir, ready), daemon=True)
    holder.start()
    try:
        assert ready.wait(60)
        with pytest.raises(MonthBusyError):
            with extraction_lock(UPath(work_dir), MONTH):
                pass
    finally:
        holder.kill()
        holder.join(30)
    assert holder.exitcode == -signal.SIGKILL
    with extraction_lock(UPath(work_dir), MONTH):
        pass


def test_a_page_keeps_its_well_formed_evaluations_and_names_every_malformed_one():
    page = Organisation(SimulatorConfig(seed=3, anchor_month=MONTH, months=1, evaluations_per_month=8)).evaluations_in_month(MONTH)
    page[1]["answers"]["totalScore"] = "ninety"
    page[4]["status"] = "ARCHIVED"
    page[6]["answers"]["questionGroupScores"][0]["questionScores"][0]["score"] = "five"
    table, malformed = raw_rows(page, MONTH)
    assert table.num_rows == len(page) - 3
    assert [m.evaluation_id for m in malformed] == [page[1]["id"], page[4]["id"], page[6]["id"]]
    assert [m.field for m in malformed] == ["answers.totalScore", "status", "payload.answers"]
    error = MalformedMonthError(MONTH, [m.as_dict() for m in malformed])
    assert str(error).startswith(f"3 evaluation(s) of month {MONTH} do not have the documented shape")
    assert all(m.evaluation_id in str(error) for m in malformed)
