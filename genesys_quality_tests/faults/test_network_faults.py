"""What the network and Genesys do to a run: expiring tokens, 429 storms, slow answers, 5xx and resets.

Each scenario runs the month against a simulator of the same seed as the world's with the fault
switched on, into an empty warehouse, and compares the result with the world's pristine run (the
same month, uninterrupted, no faults): the run must succeed with nothing lost, duplicated or changed.
"""

from __future__ import annotations

import pytest

from genesys_quality.simulator import Simulator
from genesys_quality_tests.faults.conftest import FULL, NETWORK_SEEDS, world_config
from genesys_quality_tests.faults.harness import SEARCH_TEMPLATE, SMALL_PAGES, RequestObserver, compare, pipeline_env, run_config, snapshot

pytestmark = pytest.mark.slow

SEARCH = r"/evaluations/search$"
FORMS = r"/forms/evaluations/"
SINGLE_EVALUATION = r"/conversations/"


def _requests(outcome, field: str) -> int:
    """`field` (retries, throttled_429, requests) summed over the steps that talk to Genesys."""
    total = sum(outcome.metadata(asset).get(field, 0) for asset in ("raw_evaluations", "template_versions"))
    reconciliation = (outcome.summary or {}).get("checks", {}).get("quality_evaluations_reconciliation", {})
    return total + (reconciliation.get("metadata", {}).get(field, 0) or 0)


def _extraction_page(served) -> bool:
    return served.template == SEARCH_TEMPLATE and served.page_size == SMALL_PAGES["page_size"]


@pytest.mark.parametrize("seed", range(NETWORK_SEEDS))
def test_tokens_expiring_several_times_mid_month_lose_nothing(seed, world, runs, tmp_path, record):
    revoke_every = 5 + seed  # besides the 2-second lifetime, revoke every token after every n-th answer
    with Simulator(world_config(token_lifetime_seconds=2)) as sim, RequestObserver(sim) as observer:
        answered = []

        def revoke(served):
            if served.status == 200:
                answered.append(served)
                if len(answered) % revoke_every == 0:
                    sim.faults.expire_tokens()

        observer.hooks.append(revoke)
        outcome = runs.run(pipeline_env(sim, tmp_path / "home", GENESYS_REQUESTS_PER_MINUTE="900"))
        tokens, rejected = sim.tokens.issued, sim.stats.responses[401]
    result = compare(snapshot(tmp_path / "home"), world.pristine)
    record("token expiry mid-month", result, outcome.success, note=f"{tokens} tokens issued, {rejected} 401s")
    assert outcome.success, outcome.failure_text()
    assert tokens >= 4 and rejected >= 3, f"only {tokens} tokens and {rejected} 401s: the tokens did not expire mid-run"
    assert result.identical, str(result)


def test_a_429_storm_with_retry_after_up_to_30_seconds_loses_nothing(world, runs, tmp_path, record):
    storm_seconds, retry_after = (15, (1, 30)) if FULL else (3, (1, 5))
    with Simulator(world_config()) as sim, RequestObserver(sim) as observer:

        def storm(served):
            if _extraction_page(served) and served.page_number == 4:
                sim.faults.throttle(storm_seconds, retry_after)

        observer.hooks.append(storm)
        outcome = runs.run(pipeline_env(sim, tmp_path / "home"))
    result = compare(snapshot(tmp_path / "home"), world.pristine)
    throttled = _requests(outcome, "throttled_429")
    record("429 storm (Retry-After 1-30 s)" if FULL else "429 storm (Retry-After 1-5 s)", result, outcome.success,
           note=f"{storm_seconds} s storm, {throttled} answers 429")
    assert outcome.success, outcome.failure_text()
    assert throttled >= 1
    assert result.identical, str(result)


@pytest.mark.parametrize("seed", range(NETWORK_SEEDS))
def test_latency_spikes_beyond_the_read_timeout_are_retried_and_lose_nothing(seed, world, runs, tmp_path, record):
    with Simulator(world_config()) as sim:
        sim.faults.configure(latency_seconds=1.5, latency_rate=0.15, path_pattern=r"^/api/v2/quality/", seed=seed)
        outcome = runs.run(pipeline_env(sim, tmp_path / "home", GENESYS_READ_TIMEOUT_SECONDS="1"))
    result = compare(snapshot(tmp_path / "home"), world.pristine)
    retries = _requests(outcome, "retries")
    record("slow API: latency spikes, read timeouts", result, outcome.success, note=f"seed {seed}: {retries} retries")
    assert outcome.success, outcome.failure_text()
    assert retries >= 1, "no request timed out: the scenario did not test anything"
    assert result.identical, str(result)


def _server_errors_and_resets(sim, observer, last_page: int, seed: int) -> None:
    """Bursts on the first and the last search page and on GETs, plus seeded random ones everywhere."""
    faults = sim.faults
    faults.fail_next(2, "503", path_pattern=SEARCH, method="POST")
    faults.fail_next(2, "500", path_pattern=FORMS, method="GET")
    faults.fail_next(1, "reset", path_pattern=FORMS, method="GET")
    faults.fail_next(2, "reset", path_pattern=SINGLE_EVALUATION, method="GET")
    faults.fail_next(1, "503", path_pattern=SINGLE_EVALUATION, method="GET")

    def before_the_last_page(served):
        if _extraction_page(served) and served.page_number == last_page - 1:
            faults.fail_next(1, "reset", path_pattern=SEARCH, method="POST")
            faults.fail_next(1, "503", path_pattern=SEARCH, method="POST")
            faults.fail_next(1, "500", path_pattern=SEARCH, method="POST")

    observer.hooks.append(before_the_last_page)
    faults.configure(error_rate=0.08, reset_rate=0.06, seed=seed)


@pytest.mark.parametrize("seed", range(NETWORK_SEEDS))
def test_5xx_bursts_and_resets_on_gets_and_search_including_the_last_page_lose_nothing(
    seed, world, runs, tmp_path, record
):
    with Simulator(world_config()) as sim, RequestObserver(sim) as observer:
        _server_errors_and_resets(sim, observer, world.pages, seed)
        outcome = runs.run(pipeline_env(sim, tmp_path / "home"))
        last_page_served = max(s.page_number for s in observer.extraction_pages())
        errors, resets = sim.stats.responses[500] + sim.stats.responses[503], sim.stats.resets
    result = compare(snapshot(tmp_path / "home"), world.pristine)
    retries = _requests(outcome, "retries")
    record("5xx bursts and resets (search, incl. last page; GETs)", result, outcome.success,
           note=f"seed {seed}: {errors} 5xx, {resets} resets, {retries} retries")
    assert outcome.success, outcome.failure_text()
    assert last_page_served == world.pages
    assert errors >= 7 and resets >= 4 and retries >= 8
    assert result.identical, str(result)


def test_5xx_and_resets_with_the_per_user_query_strategy_lose_nothing(world, runs, tmp_path, record):
    with Simulator(world_config()) as sim:
        sim.faults.fail_next(2, "503", path_pattern=r"/users$", method="GET")
        sim.faults.fail_next(2, "reset", path_pattern=r"/evaluations/query$", method="GET")
        sim.faults.configure(error_rate=0.08, reset_rate=0.06, seed=3)
        outcome = runs.run(pipeline_env(sim, tmp_path / "home"), config=run_config(strategy="query"))
    result = compare(snapshot(tmp_path / "home"), world.pristine)
    retries = _requests(outcome, "retries")
    record("5xx and resets, query strategy (GET fan-out)", result, outcome.success, note=f"{retries} retries")
    assert outcome.success, outcome.failure_text()
    assert retries >= 4
    assert result.identical, str(result)
