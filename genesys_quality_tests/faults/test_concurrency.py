"""Two runs for the same month started at once: one waits or refuses, their MERGEs never interleave.

Without Dagster's run queue (the CLI, scripts) nothing else keeps them apart: the extraction lock
refuses a second extraction of the month, the DuckDB file lock makes the second MERGE wait for the
first. Each seed starts the second run at a different moment of the first, so the overlap falls
in extraction, normalization or the load.
"""

from __future__ import annotations

import random
import time

import pytest

from genesys_quality_tests.faults.conftest import SEEDS
from genesys_quality_tests.faults.harness import compare, snapshot

pytestmark = pytest.mark.slow

REFUSED = "is already being extracted"


@pytest.mark.parametrize("seed", range(SEEDS))
def test_two_runs_of_one_month_at_once_never_interleave_their_merges(seed, world, runs, tmp_path, record):
    offset = 0.0 if seed == 0 else random.Random(f"concurrent|{seed}").uniform(0.0, 0.8)
    home = world.home_from_prior(tmp_path / "home")
    first = runs.start(world.env(home))
    time.sleep(offset)
    second = runs.start(world.env(home))
    outcomes = [first.wait(), second.wait()]

    succeeded = [o for o in outcomes if o.success]
    refused = [o for o in outcomes if not o.success]
    loads = sorted(interval for o in outcomes for interval in (o.summary or {}).get("load_intervals", []))
    overlapping = [(a, b) for a, b in zip(loads, loads[1:]) if b[0] < a[1]]
    result = compare(snapshot(home), world.baseline, prior=world.pristine)
    if len(succeeded) == 2 and len(loads) == 2:
        how = f"both ran, loads in turn ({loads[1][0] - loads[0][1]:.2f} s apart)"
    else:
        how = "one refused (month being extracted)"
    record("two runs of one month at once", result, len(succeeded) >= 1 and not overlapping,
           note=f"seed {seed}: second started after {offset:.2f} s: {how}")
    assert succeeded, "\n".join(o.failure_text() for o in outcomes)
    for outcome in refused:
        assert REFUSED in outcome.failure_text(), outcome.failure_text()
    assert not overlapping, f"two MERGEs of the month ran at the same time: {loads}"
    assert result.identical, str(result)
