"""The warehouse cannot be reached at load time: a clear error, the month's Parquet kept, no refetch.

A DuckDB file held by another process (a notebook, the DuckDB CLI) and a Snowflake endpoint that
refuses connections. The extraction and normalization before the load stay on disk, so the re-run
of the failed load (Dagster's "re-execute from failure", here a run of `quality_evaluations`
alone) reads them instead of asking Genesys for the month again.
"""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from genesys_quality.simulator import Simulator
from genesys_quality_tests.faults.conftest import world_config
from genesys_quality_tests.faults.harness import (
    FORMS_TEMPLATE,
    MONTH,
    RequestObserver,
    Snapshot,
    compare,
    pipeline_env,
    snapshot,
    warehouse_file,
)

pytestmark = pytest.mark.slow

UPSTREAM = ("raw_evaluations", "template_versions", "normalized_items")
HOLD_THE_FILE = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('holding', flush=True); sys.stdin.read()"


def _parquet(home, asset):
    return home / "parquet" / asset / f"{MONTH}.parquet"


def _load_failure(outcome) -> dict:
    failures = [f for f in outcome.summary["failures"] if f["step"] == "quality_evaluations"]
    assert failures, f"the load did not fail: {outcome.failure_text()}"
    return failures[0]


def test_a_locked_duckdb_file_fails_clearly_keeps_parquet_and_the_rerun_loads_without_refetching(
    world, runs, tmp_path, record
):
    home = tmp_path / "home"
    home.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_FILE, str(warehouse_file(home))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with Simulator(world_config()) as sim, RequestObserver(sim) as observer:
            env = pipeline_env(sim, home)
            failed = runs.run(env, resource_overrides={"warehouse": {"lock_timeout_seconds": 2.0}})
            holder.communicate("", timeout=30)  # the notebook is closed
            served_before_rerun = len(observer.served)
            rerun = runs.run(env, selection=["quality_evaluations"])
            rerun_requests = observer.served[served_before_rerun:]
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    failure = _load_failure(failed)
    assert not failed.success
    assert "WarehouseUnavailableError" in failure["message"]
    assert "locked by another process" in failure["message"] and "retry" in failure["message"]
    assert all(_parquet(home, asset).exists() for asset in UPSTREAM)
    assert rerun.success, rerun.failure_text()
    assert not [s for s in rerun_requests if s.page_size == 5 or (s.template or "").startswith(FORMS_TEMPLATE)], (
        "the re-run of the load fetched the month or its forms again"
    )
    result = compare(snapshot(home), world.pristine)
    record("warehouse unavailable: DuckDB file locked", result, True, note="re-ran the load alone")
    assert result.identical, str(result)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_snowflake_endpoint_refusing_connections_fails_clearly_and_keeps_parquet(world, runs, tmp_path, record):
    home = tmp_path / "home"
    unreachable = {
        "account": "acme-unreachable", "user": "loader", "password": "not-a-secret-here", "database": "ANALYTICS",
        "schema": "GENESYS_QUALITY", "autocommit": True, "login_timeout": 5,
        "additional_snowflake_connection_args": {"host": "127.0.0.1", "port": _closed_port(), "protocol": "http"},
    }
    with Simulator(world_config()) as sim:
        failed = runs.run(pipeline_env(sim, home), snowflake=unreachable)
    failure = _load_failure(failed)
    assert "WarehouseUnavailableError" in failure["message"]
    assert "could not connect to Snowflake" in failure["message"] and "SNOWFLAKE_" in failure["message"]
    assert all(_parquet(home, asset).exists() for asset in UPSTREAM)
    result = compare(snapshot(home), Snapshot(world.pristine.table.iloc[0:0], world.pristine.history.iloc[0:0]))
    record("warehouse unavailable: connection refused (Snowflake)", result, not failed.success,
           note="clear error, Parquet kept")
    assert result.identical, str(result)
