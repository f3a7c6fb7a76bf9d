"""SIGKILL at a random page of the extraction, at a random point of normalization and of the MERGE.

Each seed kills one real run (a child process), then re-runs the month; the warehouse must then
equal the uninterrupted run: nothing lost, nothing duplicated, no field different. A kill before
the MERGE must leave the warehouse untouched, and a kill during it must leave the warehouse
exactly as before the run or exactly as after it (one transaction, nothing in between).
"""

from __future__ import annotations

import json
import random
import threading

import pytest

from genesys_quality_tests.faults.conftest import SEEDS
from genesys_quality_tests.faults.harness import MONTH, SEARCH_TEMPLATE, SMALL_PAGES, RequestObserver, compare, snapshot

pytestmark = pytest.mark.slow


def _checkpoint_pages(home) -> int:
    checkpoint = home / "parquet" / "_work" / "raw_evaluations" / MONTH / "checkpoint.json"
    return json.loads(checkpoint.read_text())["pages_done"] if checkpoint.exists() else 0


@pytest.mark.parametrize("seed", range(SEEDS))
def test_kill_at_a_random_extraction_page_then_rerun_matches_the_uninterrupted_run(seed, world, runs, tmp_path, record):
    rng = random.Random(f"extraction|{seed}")
    page = rng.randint(1, world.pages)
    # 0: killed while waiting for page `page`; otherwise `delay` s after receiving it (parsing, writing a part)
    delay = 0.0 if rng.random() < 0.5 else rng.uniform(0.0, 0.03)
    home = world.home_from_prior(tmp_path / "home")
    pages_seen, started = [], {}

    def kill_at_page(served):
        if served.template != SEARCH_TEMPLATE or served.page_size != SMALL_PAGES["page_size"]:
            return
        pages_seen.append(served.page_number)
        if len(pages_seen) == page:
            if delay:
                threading.Timer(delay, started["run"].kill).start()
            else:
                started["run"].kill()  # before the simulator sends the page: the run dies waiting for it

    with RequestObserver(world.sim) as observer:
        observer.hooks.append(kill_at_page)
        started["run"] = runs.start(world.env(home))
        killed = started["run"].wait()
    assert killed.killed, f"the run was not killed at page {page}: {killed.failure_text()}"
    saved_pages = _checkpoint_pages(home)
    untouched = compare(snapshot(home), world.pristine, prior=world.pristine)

    rerun = runs.run(world.env(home))
    assert rerun.success, rerun.failure_text()
    extraction = rerun.metadata("raw_evaluations")
    assert extraction["pages_fetched_this_run"] == world.pages - saved_pages
    assert extraction["resumed_from_checkpoint"] is (saved_pages > 0)
    result = compare(snapshot(home), world.baseline, prior=world.pristine)
    record("SIGKILL during extraction (random page)", result, untouched.identical,
           note=f"seed {seed}: page {page}, delay {delay * 1000:.0f} ms, {saved_pages} pages saved")
    assert untouched.identical, f"a kill before the MERGE changed the warehouse: {untouched}"
    assert result.identical, str(result)


def _choose_point(phase: str, points: list[str], rng: random.Random) -> int:
    """A 1-based point; for the MERGE, three times in four one inside its transaction (BEGIN … COMMIT)."""
    if phase == "merge" and rng.random() < 0.75:
        first, last = points.index("begin:before") + 2, points.index("commit:before") + 1
        return rng.randint(first, last)
    return rng.randint(1, len(points))


def _kill_at_a_point(phase, seed, world, runs, tmp_path):
    rng = random.Random(f"{phase}|{seed}")
    points = world.points[phase]
    point = _choose_point(phase, points, rng)
    delay = 0.0 if rng.random() < 0.5 else rng.uniform(0.0, 0.005)
    home = world.home_from_prior(tmp_path / "home")
    killed = runs.run(world.env(home), kill={"phase": phase, "point": point, "delay": delay})
    assert killed.killed, f"the run was not killed at {phase} point {point}: {killed.failure_text()}"
    assert killed.kill_log and killed.kill_log[0]["point"] == point
    after_kill = snapshot(home)
    rerun = runs.run(world.env(home))
    assert rerun.success, rerun.failure_text()
    where = f"seed {seed}: {killed.kill_log[0]['name']} (point {point}/{len(points)}), delay {delay * 1000:.1f} ms"
    return after_kill, compare(snapshot(home), world.baseline, prior=world.pristine), where


@pytest.mark.parametrize("seed", range(SEEDS))
def test_kill_at_a_random_point_of_normalization_then_rerun_matches_the_uninterrupted_run(
    seed, world, runs, tmp_path, record
):
    after_kill, result, where = _kill_at_a_point("normalize", seed, world, runs, tmp_path)
    untouched = compare(after_kill, world.pristine, prior=world.pristine)
    record("SIGKILL during normalization", result, untouched.identical, note=where)
    assert untouched.identical, f"a kill before the MERGE changed the warehouse ({where}): {untouched}"
    assert result.identical, f"{where}: {result}"


@pytest.mark.parametrize("seed", range(SEEDS))
def test_kill_at_a_random_point_of_the_merge_leaves_before_or_after_and_rerun_matches(
    seed, world, runs, tmp_path, record
):
    after_kill, result, where = _kill_at_a_point("merge", seed, world, runs, tmp_path)
    as_before = compare(after_kill, world.pristine, prior=world.pristine)
    as_after = compare(after_kill, world.baseline, prior=world.pristine)
    atomic = as_before.identical or as_after.identical
    state = "before" if as_before.identical else "after" if as_after.identical else "IN BETWEEN"
    record("SIGKILL during the MERGE", result, atomic, note=f"{where}; warehouse after the kill: {state}")
    assert atomic, f"after a kill at {where} the warehouse is neither the old nor the new state:\n{as_before}\n{as_after}"
    assert result.identical, f"{where}: {result}"
