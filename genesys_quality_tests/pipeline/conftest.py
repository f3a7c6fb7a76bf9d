"""Fixtures for end-to-end materializations: a simulator on loopback, a temp home, real Dagster runs."""

from __future__ import annotations

import dagster as dg
import pytest

from genesys_quality.assets import ASSETS
from genesys_quality.deployment import resources
from genesys_quality.metadata import materialized_values
from genesys_quality.simulator import Simulator, SimulatorConfig

ANCHOR = "2026-10-01"
MONTH_A = "2026-09-01"
MONTH_B = "2026-10-01"


@pytest.fixture
def simulator():
    config = SimulatorConfig(
        seed=7, anchor_month=ANCHOR, months=3, evaluations_per_month=40, rate_limit_per_minute=None
    )
    with Simulator(config) as sim:
        yield sim


@pytest.fixture
def pipeline_env(simulator, tmp_path, monkeypatch):
    """Point the local deployment at the test simulator and a temporary GENESYS_QUALITY_HOME."""
    for name in ("GENESYS_QUALITY_STORAGE_URL", "GENESYS_QUALITY_DUCKDB_PATH", "GENESYS_QUALITY_WAREHOUSE",
                 "GENESYS_QUALITY_DEPLOYMENT", "GENESYS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GENESYS_QUALITY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GENESYS_CLIENT_ID", simulator.config.client_id)
    monkeypatch.setenv("GENESYS_CLIENT_SECRET", simulator.config.client_secret)
    monkeypatch.setenv("GENESYS_API_BASE_URL", simulator.base_url)
    monkeypatch.setenv("GENESYS_LOGIN_BASE_URL", simulator.base_url)
    return tmp_path / "home"


class Pipeline:
    """Materializes months through Dagster exactly as a run would, and reads the results back."""

    def __init__(self, home):
        self.home = home
        self.instance = dg.DagsterInstance.ephemeral()

    def resources(self):
        return resources("local")

    def materialize(self, month: str, run_config: dict | None = None, raise_on_error: bool = True,
                    selection=None) -> dg.ExecuteInProcessResult:
        return dg.materialize(
            ASSETS,
            partition_key=month,
            resources=self.resources(),
            instance=self.instance,
            run_config=run_config or {},
            raise_on_error=raise_on_error,
            selection=selection,
        )

    def warehouse(self):
        return self.resources()["warehouse"].get_warehouse()

    def table(self, month: str | None = None):
        return self.warehouse().read_table(month)


@pytest.fixture
def pipeline(pipeline_env):
    return Pipeline(pipeline_env)


def materialization_metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    """The metadata values (plain Python) of an asset's materialization in a run."""
    values = materialized_values(result, asset)
    if values is None:
        raise AssertionError(f"{asset} was not materialized")
    return values


def check_results(result: dg.ExecuteInProcessResult) -> dict:
    """check name -> AssetCheckEvaluation of a run."""
    return {ev.check_name: ev for ev in result.get_asset_check_evaluations()}
