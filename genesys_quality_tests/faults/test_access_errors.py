"""Wrong credentials, a client without the search permission, a wrong region: fail fast, name the fix.

"Fast" is measured in requests, not seconds: the run stops at the first answer that settles it
(no retry storm), nothing is written, and the message says which setting to change.
"""

from __future__ import annotations

import pytest

from genesys_quality.simulator import ALL_PERMISSIONS, Simulator
from genesys_quality_tests.faults.conftest import world_config
from genesys_quality_tests.faults.harness import RequestObserver, compare, pipeline_env, run_config, snapshot

pytestmark = pytest.mark.slow

SEARCH_ANY = "quality:evaluation:searchAny"


def _failure(outcome) -> str:
    assert not outcome.success, "the run succeeded"
    failures = (outcome.summary or {}).get("failures", [])
    assert failures and failures[0]["step"] == "raw_evaluations", outcome.failure_text()
    return failures[0]["message"]


def _nothing_written(home, world):
    return compare(snapshot(home), world.pristine, prior=world.pristine)


def test_wrong_credentials_fail_at_the_first_token_request_naming_the_settings(world, runs, tmp_path, record):
    home = world.home_from_prior(tmp_path / "home")
    with Simulator(world_config()) as sim, RequestObserver(sim) as observer:
        outcome = runs.run(pipeline_env(sim, home, GENESYS_CLIENT_SECRET="not-the-secret"))
        token_requests = sim.stats.tokens_issued
        api_requests = sum(1 for s in observer.served if (s.template or "").startswith("/api/"))
        sent = sum(sim.stats.requests.values())
    message = _failure(outcome)
    result = _nothing_written(home, world)
    record("wrong credentials", result, sent == 1, note=f"{sent} request(s) before failing")
    assert "GENESYS_CLIENT_ID" in message and "GENESYS_CLIENT_SECRET" in message
    assert "not-the-secret" not in message
    assert sent == 1 and token_requests == 0 and api_requests == 0, "a refused client secret must not be retried"
    assert result.identical, str(result)


def test_a_client_without_search_permission_fails_on_one_request_and_names_both_fixes(world, runs, tmp_path, record):
    home = world.home_from_prior(tmp_path / "home")
    with Simulator(world_config(permissions=ALL_PERMISSIONS - {SEARCH_ANY})) as sim, RequestObserver(sim) as observer:
        refused = runs.run(pipeline_env(sim, home))
        searches = observer.count("/evaluations/search", method="POST")
        with_query = runs.run(pipeline_env(sim, home), config=run_config(strategy="query"))
    message = _failure(refused)
    result = compare(snapshot(home), world.pristine, prior=world.pristine)
    record("client without search permission (403)", result, searches == 1 and with_query.success,
           note="1 request; the named fix (query strategy) then loads the month")
    assert "403" in message and "missing.permissions" in message and SEARCH_ANY in message
    assert "Admin > Integrations > OAuth" in message and "GENESYS_QUALITY_EXTRACTION_STRATEGY=query" in message
    assert searches == 1, "a missing permission must not be retried"
    assert with_query.success, with_query.failure_text()
    reconciliation = with_query.summary["checks"]["quality_evaluations_reconciliation"]
    assert reconciliation["passed"] and reconciliation["metadata"]["genesys_listing"] == "query"
    assert result.identical, str(result)


def test_an_unknown_region_fails_before_any_request_listing_the_valid_ones(world, runs, tmp_path, record):
    home = world.home_from_prior(tmp_path / "home")
    with Simulator(world_config()) as sim:
        env = pipeline_env(sim, home, GENESYS_REGION="eu_wst_1")
        del env["GENESYS_API_BASE_URL"], env["GENESYS_LOGIN_BASE_URL"]
        outcome = runs.run(env)
        sent = sum(sim.stats.requests.values())
    message = _failure(outcome)
    result = _nothing_written(home, world)
    record("wrong region", result, sent == 0, note="0 requests")
    assert "Unknown Genesys Cloud region 'eu_wst_1'" in message and "eu_west_1" in message and "GENESYS_REGION" in message
    assert sent == 0
    assert result.identical, str(result)
