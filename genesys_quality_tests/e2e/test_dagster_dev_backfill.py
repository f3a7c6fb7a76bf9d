"""The operator's path end to end: `dagster dev`, a two-month backfill through GraphQL, the DuckDB warehouse.

Everything is real: `dagster dev -w workspace.yaml` with the repository's dagster.yaml in a fresh
DAGSTER_HOME (its daemon runs the backfill, its run queue applies the concurrency limits), run
subprocesses talking HTTP to a simulator served by this test, and the DuckDB file they write.
"""

from __future__ import annotations

import time

import pytest

from genesys_quality.simulator import Simulator, SimulatorConfig
from genesys_quality.warehouse import DuckDBWarehouse
from genesys_quality_tests.e2e.dagster_dev import DagsterDev, clean_environment

pytestmark = pytest.mark.slow

MONTHS = ["2026-09-01", "2026-10-01"]
ASSETS = ["raw_evaluations", "template_versions", "normalized_items", "quality_evaluations"]
STARTUP_TIMEOUT = 180
BACKFILL_TIMEOUT = 420  # measured 120-180 s on 2 busy cores: each step starts its own process (~20 s)
RUNS_TIMEOUT = 300
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}

LAUNCH_BACKFILL = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on Error { message }
  }
}
"""

BACKFILL_STATUS = """
query($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    __typename
    ... on PartitionBackfill { id status numPartitions error { message } }
    ... on Error { message }
  }
}
"""

RUNS = """
query($filter: RunsFilter!) {
  runsOrError(filter: $filter) {
    __typename
    ... on Runs { results { runId status creationTime startTime endTime tags { key value } } }
    ... on Error { message }
  }
}
"""

LAUNCH_RUN = """
mutation($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on Error { message }
  }
}
"""


@pytest.fixture(scope="module")
def served_simulator():
    config = SimulatorConfig(
        seed=11, anchor_month=MONTHS[-1], months=len(MONTHS), evaluations_per_month=30, rate_limit_per_minute=None
    )
    with Simulator(config) as sim:
        yield sim


@pytest.fixture(scope="module")
def quality_home(tmp_path_factory):
    return tmp_path_factory.mktemp("genesys_quality_home")


@pytest.fixture(scope="module")
def dagster_dev(served_simulator, quality_home, tmp_path_factory):
    env = clean_environment(
        GENESYS_QUALITY_HOME=str(quality_home),
        GENESYS_CLIENT_ID=served_simulator.config.client_id,
        GENESYS_CLIENT_SECRET=served_simulator.config.client_secret,
        GENESYS_API_BASE_URL=served_simulator.base_url,
        GENESYS_LOGIN_BASE_URL=served_simulator.base_url,
    )
    work = tmp_path_factory.mktemp("dagster_dev")
    dev = DagsterDev(work / "dagster_home", env, work / "dagster_dev.log").start()
    try:
        seconds = dev.wait_until_loaded(STARTUP_TIMEOUT)
        print(f"\ndagster dev ready on {dev.url} in {seconds:.1f}s (location {dev.location_name})")
        yield dev
    finally:
        stopped = time.monotonic()
        how = dev.stop()
        print(f"\ndagster dev process group stopped by {how} in {time.monotonic() - stopped:.1f}s")
    assert not dev.group_alive(), f"processes of the dagster dev group survived SIGTERM and SIGKILL ({how})"


def _runs(dev: DagsterDev, **filter_) -> list[dict]:
    answer = dev.graphql(RUNS, {"filter": filter_})["runsOrError"]
    assert answer["__typename"] == "Runs", answer
    return answer["results"]


def _tag(run: dict, key: str) -> str | None:
    return next((t["value"] for t in run["tags"] if t["key"] == key), None)


def _print_runs(title: str, runs: list[dict]) -> None:
    print(title)
    for run in sorted(runs, key=lambda r: r["startTime"] or 0):
        queued = (run["startTime"] or 0) - run["creationTime"]
        took = (run["endTime"] or 0) - (run["startTime"] or 0)
        print(f"  run {run['runId'][:8]} partition {_tag(run, 'dagster/partition')} {run['status']:8s}"
              f" queued {queued:5.1f}s ran {took:5.1f}s")


def _final_evaluation_ids(sim: Simulator, month: str) -> set[str]:
    """What the warehouse must hold for a month: every version whose score is final."""
    return {
        e["id"] for e in sim.org.evaluations_in_month(month)
        if e["status"] in ("FINISHED", "RETRACTED") and not (e.get("aiScoring") or {}).get("pending")
    }


def test_two_month_backfill_launched_through_graphql_loads_both_months(dagster_dev, served_simulator, quality_home):
    launched = time.monotonic()
    backfill_id = _launch_backfill(dagster_dev, MONTHS, ASSETS, "e2e two-month backfill")

    status = None
    while time.monotonic() - launched < BACKFILL_TIMEOUT:
        backfill = dagster_dev.graphql(BACKFILL_STATUS, {"id": backfill_id})["partitionBackfillOrError"]
        assert backfill["__typename"] == "PartitionBackfill", backfill
        status = backfill["status"]
        if status not in ("REQUESTED", "CANCELING", "FAILING"):
            break
        time.sleep(2)
    wall = time.monotonic() - launched
    runs = _runs(dagster_dev, tags=[{"key": "dagster/backfill", "value": backfill_id}])
    print(f"backfill {backfill_id} {status} after {wall:.1f}s")
    _print_runs("backfill runs:", runs)
    assert status == "COMPLETED_SUCCESS", (
        f"backfill ended {status} ({backfill.get('error')}):\n{dagster_dev.failure_lines()}"
    )
    # One run per month, tagged with its month: the tag the run queue's per-month limit keys on.
    assert sorted(_tag(r, "dagster/partition") for r in runs) == MONTHS, [r["tags"] for r in runs]
    assert {r["status"] for r in runs} == {"SUCCESS"}

    table = DuckDBWarehouse(quality_home / "warehouse.duckdb").read_table()
    loaded_months = table["evaluation_month"].astype(str).str[:10]
    for month in MONTHS:
        expected = _final_evaluation_ids(served_simulator, month)
        loaded = set(table.loc[loaded_months == month, "evaluation_id"])
        print(f"  {month}: {len(loaded)} evaluations in the warehouse, {len(expected)} final in the simulator")
        assert loaded == expected
    assert set(loaded_months) == set(MONTHS)
    assert not table.duplicated(["evaluation_id", "question_id"]).any()
    assert not table["is_deleted"].astype(bool).any()


def _launch_backfill(dev: DagsterDev, months: list[str], assets: list[str], title: str) -> str:
    answer = dev.graphql(LAUNCH_BACKFILL, {"params": {
        "partitionNames": months,
        "assetSelection": [{"path": [name]} for name in assets],
        "title": title,
    }})["launchPartitionBackfill"]
    assert answer["__typename"] == "LaunchBackfillSuccess", answer
    return answer["backfillId"]


def test_a_run_for_a_month_that_a_backfill_is_loading_waits_for_it(dagster_dev):
    """The daily refresh (or a manual run) meets a backfill run of the same month: it queues until that run ends.

    Both runs extract only `raw_evaluations` (the asset whose checkpoint directory two runs of a
    month would share): one step each keeps the test short and still goes through the real queue.
    """
    month = MONTHS[-1]
    backfill_id = _launch_backfill(dagster_dev, [month], ["raw_evaluations"], "e2e same-month backfill")
    started = time.monotonic()
    backfill_runs: list[dict] = []
    while time.monotonic() - started < RUNS_TIMEOUT and not backfill_runs:
        backfill_runs = [
            r for r in _runs(dagster_dev, tags=[{"key": "dagster/backfill", "value": backfill_id}])
            if r["status"] in {"STARTING", "STARTED"} | TERMINAL
        ]
        time.sleep(1)
    assert backfill_runs, f"the backfill never started a run:\n{dagster_dev.log_tail()}"

    answer = dagster_dev.graphql(LAUNCH_RUN, {"params": {
        "selector": {
            "repositoryLocationName": dagster_dev.location_name,
            "repositoryName": dagster_dev.repository_name,
            "jobName": "quality_month_job",
            "assetSelection": [{"path": ["raw_evaluations"]}],
        },
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": month}]},
    }})["launchRun"]
    assert answer["__typename"] == "LaunchRunSuccess", answer
    run_ids = [backfill_runs[0]["runId"], answer["run"]["runId"]]
    (backfill_run,) = _runs(dagster_dev, runIds=run_ids[:1])
    assert backfill_run["status"] not in TERMINAL, (
        "inconclusive: the backfill run ended before the second run was launched"
    )

    while time.monotonic() - started < RUNS_TIMEOUT:
        statuses = [r["status"] for r in _runs(dagster_dev, runIds=run_ids)]
        if len(statuses) == 2 and all(status in TERMINAL for status in statuses):
            break
        time.sleep(1)
    runs = _runs(dagster_dev, runIds=run_ids)
    print(f"backfill run and launched run of {month} finished after {time.monotonic() - started:.1f}s")
    _print_runs("same-month runs:", runs)
    assert {r["status"] for r in runs} == {"SUCCESS"}, dagster_dev.failure_lines()
    first, second = sorted(runs, key=lambda r: r["startTime"])
    assert second["startTime"] >= first["endTime"], f"runs of {month} overlapped: {runs}"
