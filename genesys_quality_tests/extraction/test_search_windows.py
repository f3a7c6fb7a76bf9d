"""The search strategy's window restarts, against the simulator over real HTTP.

Every `window_pages` pages the createdDate window restarts at the last createdDate read and leaves
out (`NOT evaluationId`) what it already read at that instant: nothing is re-read, nothing sharing
that instant is lost, and a month costs ⌈(N + 1) / page_size⌉ search requests.
"""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from upath import UPath

from genesys_quality.extraction import Checkpoint, MonthExtractor
from genesys_quality.genesys import GenesysClient
from genesys_quality.simulator import Simulator, SimulatorConfig

MONTH = "2026-10-01"
SEARCH = "POST /api/v2/quality/evaluations/search"


class Crash(Exception):
    """Stands in for the process dying right after a part and its checkpoint were saved."""


@pytest.fixture
def sim():
    config = SimulatorConfig(seed=11, anchor_month=MONTH, months=1, evaluations_per_month=60,
                             rate_limit_per_minute=None, token_lifetime_seconds=86400)
    with Simulator(config) as simulator:
        yield simulator


def extract(sim, work_dir, **options):
    """(result, extracted ids, search requests) of one MonthExtractor run."""
    before = sim.stats.snapshot()["requests"].get(SEARCH, 0)
    with GenesysClient(sim.config.client_id, sim.config.client_secret, api_base_url=sim.base_url,
                       login_base_url=sim.base_url, requests_per_minute=None) as client:
        result = MonthExtractor(client, MONTH, UPath(work_dir), **options).run()
    ids = [i for part in result.parts.parts for i in pq.read_table(str(part)).column("evaluation_id").to_pylist()]
    return result, ids, sim.stats.snapshot()["requests"][SEARCH] - before


def tie_group(sim, at: int, size: int) -> list[str]:
    """`size` evaluations sharing one createdDate, from position `at` of the month on (rescores keep it)."""
    month = sim.org.evaluations_in_month(MONTH)
    latest = next(e for e in month[at:] if e["status"] == "FINISHED")
    for _ in range(size - 1):
        latest = sim.org.rescore(latest["id"])
    tied = [e["id"] for e in sim.org.evaluations_in_month(MONTH) if e["createdDate"] == latest["createdDate"]]
    assert len(tied) == size
    return tied


@pytest.mark.parametrize("remainder", [0, 3])
def test_restarts_re_read_nothing_so_a_month_costs_one_page_more_than_full_pages(sim, tmp_path, remainder):
    """⌈(N + 1) / 5⌉ pages: N/5 + 1 (an empty last page) when N is a multiple of 5, ⌈N/5⌉ otherwise."""
    while len(sim.org.evaluations_in_month(MONTH)) % 5 != remainder:
        sim.org.add_evaluation(MONTH)
    oracle = [e["id"] for e in sim.org.evaluations_in_month(MONTH)]
    result, ids, searches = extract(sim, tmp_path / "work", page_size=5, pages_per_part=2, window_pages=3)
    assert ids == oracle  # in order, each once
    assert result.rows == len(oracle)
    assert searches == result.pages == len(oracle) // 5 + 1
    assert len(oracle) // 5 > 3 * 3, "the month must span several windows"


def test_evaluations_sharing_the_createdDate_at_a_window_boundary_are_all_extracted_once(sim, tmp_path):
    tied = tie_group(sim, at=13, size=4)
    oracle = [e["id"] for e in sim.org.evaluations_in_month(MONTH)]
    first = oracle.index(tied[0])
    straddled = 0
    for page_size in range(2, 8):
        window = page_size * 2
        straddled += any(first < k * window < first + len(tied) for k in range(1, len(oracle) // window + 1))
        result, ids, searches = extract(sim, tmp_path / f"work-{page_size}", page_size=page_size, pages_per_part=5,
                                        window_pages=2)
        assert set(ids) == set(oracle), f"page_size {page_size}: lost {set(oracle) - set(ids)}"
        if page_size > len(tied):  # a restart page that is not all ties leaves every re-read out
            assert len(ids) == len(oracle) and searches == len(oracle) // page_size + 1, f"page_size {page_size}"
    assert straddled >= 2, "some window boundary must fall inside the tie group"


def test_a_run_killed_inside_a_restarted_window_resumes_with_the_same_exclusions(sim, tmp_path):
    tied = tie_group(sim, at=13, size=3)
    oracle = [e["id"] for e in sim.org.evaluations_in_month(MONTH)]
    work_dir = tmp_path / "work"
    assert oracle.index(tied[0]) < 15 < oracle.index(tied[-1]) + 1  # the first restart (after 15) splits the ties
    seen: list[Checkpoint] = []

    def crash(checkpoint):
        if checkpoint.window_start and checkpoint.window_page >= 1 and checkpoint.window_excluded:
            seen.append(Checkpoint.load(UPath(work_dir), MONTH, "search"))
            raise Crash()

    with pytest.raises(Crash):
        extract(sim, work_dir, page_size=5, pages_per_part=1, window_pages=3, on_part=crash)
    assert seen[0].window_excluded and set(seen[0].window_excluded) <= set(tied)
    result, _, searches = extract(sim, work_dir, page_size=5, pages_per_part=1, window_pages=3)
    ids = [i for part in result.parts.parts for i in pq.read_table(str(part)).column("evaluation_id").to_pylist()]
    assert result.resumed and ids == oracle
    assert result.pages == len(oracle) // 5 + 1 and searches == result.pages_fetched_this_run


def test_the_months_first_and_last_millisecond_are_in_it_and_the_next_months_first_is_not(sim, tmp_path):
    first = sim.org.add_evaluation(MONTH, created_date="2026-10-01T00:00:00.000Z")
    last = sim.org.add_evaluation(MONTH, created_date="2026-10-31T23:59:59.999Z")
    following = sim.org.add_evaluation("2026-11-01", created_date="2026-11-01T00:00:00.000Z")
    _, ids, _ = extract(sim, tmp_path / "work", page_size=100)
    assert first["id"] in ids and last["id"] in ids and following["id"] not in ids
    assert ids == [e["id"] for e in sim.org.evaluations_in_month(MONTH)]
