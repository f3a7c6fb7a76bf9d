"""Fixtures of the fault suite: seeds, the world (a simulator and its uninterrupted runs), the table.

Every scenario ends by comparing the warehouse with an uninterrupted run of the same month from
the same simulator seed. `FAULT_SEEDS` (default 3, the CI size) is how many seeds each kill
scenario and the two-runs-at-once scenario use; `python -m genesys_quality_tests.faults.run_suite`
runs the full suite (10 seeds, Retry-After up to 30 s) and prints the table.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from genesys_quality.simulator import Simulator, SimulatorConfig
from genesys_quality_tests.faults.harness import (
    MONTH,
    Comparison,
    Runs,
    Snapshot,
    copy_warehouse,
    pipeline_env,
    snapshot,
    warehouse_file,
)

SEEDS = int(os.environ.get("FAULT_SEEDS", "3"))
FULL = SEEDS >= 10
"""The full suite also uses the long variants (a 429 storm with Retry-After up to 30 s, more seeds)."""
NETWORK_SEEDS = 3 if FULL else 1
WORLD_SEED = 11
EVALUATIONS = 60


def world_config(**overrides) -> SimulatorConfig:
    """The simulated organisation every scenario uses: one month of ~60 evaluations, seed 11."""
    settings = dict(seed=WORLD_SEED, anchor_month=MONTH, months=1, evaluations_per_month=EVALUATIONS,
                    rate_limit_per_minute=None)
    settings.update(overrides)
    return SimulatorConfig(**settings)


# -- the table ------------------------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    runs: int = 0
    survived: int = 0
    lost: int = 0
    duplicated: int = 0
    extra: int = 0
    field_diffs: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


class SuiteTable:
    """One row per scenario; each seed or variant of it adds a run."""

    def __init__(self):
        self.rows: dict[str, Row] = {}

    def record(self, scenario: str, comparison: Comparison, survived: bool, seconds: float, note: str = "") -> None:
        row = self.rows.setdefault(scenario, Row(scenario))
        row.runs += 1
        row.survived += int(bool(survived) and comparison.identical)
        row.lost += comparison.lost
        row.duplicated += comparison.duplicated
        row.extra += comparison.extra
        row.field_diffs += comparison.field_diffs
        row.seconds += seconds
        if note:
            row.notes.append(note)

    def render(self) -> str:
        header = ("scenario", "runs", "survived", "lost", "duplicated", "extra", "field diffs", "seconds")
        lines = [header] + [
            (r.scenario, r.runs, r.survived, r.lost, r.duplicated, r.extra, r.field_diffs, f"{r.seconds:.1f}")
            for r in self.rows.values()
        ]
        widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
        out = []
        for n, line in enumerate(lines):
            out.append(" | ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w) for i, (v, w) in enumerate(zip(line, widths))))
            if n == 0:
                out.append("-|-".join("-" * w for w in widths))
        return "\n".join(out)


TABLE = SuiteTable()


def pytest_terminal_summary(terminalreporter):
    if not TABLE.rows:
        return
    terminalreporter.write_sep("=", f"fault suite (FAULT_SEEDS={SEEDS})")
    terminalreporter.write_line(TABLE.render())
    report = os.environ.get("FAULT_REPORT")
    if report:
        Path(report).write_text(json.dumps([asdict(r) for r in TABLE.rows.values()], indent=2))


@pytest.fixture
def record():
    """`record(scenario, comparison, survived, note="")`: add this test's outcome and duration to the table."""
    started = time.monotonic()

    def add(scenario: str, comparison: Comparison, survived: bool = True, note: str = "") -> None:
        TABLE.record(scenario, comparison, survived, time.monotonic() - started, note)

    return add


# -- runs and the world ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    started = Runs(tmp_path_factory.mktemp("runs"))
    yield started
    Runs.stop_server()


@dataclass
class World:
    """A simulator, a month, and the uninterrupted runs to compare every scenario with.

    `pristine`: the month loaded into an empty warehouse. The organisation then changes (rescores,
    a deletion, a removed question, a dispute, new evaluations); `baseline`: that changed month
    loaded uninterrupted on top of `prior_db` (a copy of the pristine warehouse). Fault scenarios
    start from `prior_db` too, so MERGE kills hit updates, soft deletes and history, not only inserts.
    """

    sim: Simulator
    prior_db: Path
    pristine: Snapshot
    baseline: Snapshot
    pages: int
    points: dict

    def home_from_prior(self, home: Path) -> Path:
        copy_warehouse(self.prior_db, home)
        return home

    def env(self, home: Path, **extra: str) -> dict:
        return pipeline_env(self.sim, home, **extra)


def _change_the_month(org) -> None:
    finished = [
        e for e in org.evaluations_in_month(MONTH)
        if e["status"] == "FINISHED" and (e.get("answers") or {}).get("questionGroupScores")
    ]
    org.rescore(finished[0]["id"])
    org.rescore(finished[1]["id"])
    org.delete(finished[2]["id"])
    org.remove_question(finished[3]["id"])
    org.dispute(finished[4]["id"])
    org.add_evaluation(MONTH)
    org.add_evaluation(MONTH, status="INPROGRESS")


@pytest.fixture(scope="session")
def world(runs, tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    with Simulator(world_config()) as sim:
        pristine_home = folder / "pristine"
        first = runs.run(pipeline_env(sim, pristine_home))
        assert first.success, first.failure_text()
        copy_warehouse(warehouse_file(pristine_home), folder / "prior")
        prior_db = warehouse_file(folder / "prior")
        pristine = snapshot(pristine_home)
        _change_the_month(sim.org)
        baseline_home = folder / "baseline"
        copy_warehouse(prior_db, baseline_home)
        second = runs.run(pipeline_env(sim, baseline_home))
        assert second.success, second.failure_text()
        yield World(
            sim=sim,
            prior_db=prior_db,
            pristine=pristine,
            baseline=snapshot(baseline_home),
            pages=second.metadata("raw_evaluations")["pages"],
            points=second.summary["points"],
        )
