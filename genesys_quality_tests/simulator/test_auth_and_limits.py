"""Tokens, permissions and the per-token bucket: 401s, 403s and 429 + Retry-After."""

from __future__ import annotations

import time

import pytest
import requests

from genesys_quality.simulator import Simulator

from .conftest import ANCHOR, GenesysSession

USERS = "/api/v2/users"


def test_request_without_bearer_token_is_401_authentication_required(demo_sim):
    response = requests.get(demo_sim.base_url + USERS, timeout=10)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication.required"


def test_unknown_token_is_401_bad_credentials(demo_sim):
    response = requests.get(demo_sim.base_url + USERS, headers={"Authorization": "Bearer not-a-token"}, timeout=10)
    assert response.status_code == 401
    assert response.json()["code"] == "bad.credentials"


def test_token_expires_after_the_configured_lifetime():
    with Simulator(seed=1, anchor_month=ANCHOR, months=1, token_lifetime_seconds=1, rate_limit_per_minute=None) as sim:
        api = GenesysSession(sim.base_url)
        assert api.get(USERS).status_code == 200
        started = time.monotonic()
        time.sleep(1.1)
        expired = api.get(USERS)
        assert time.monotonic() - started >= 1.0
        assert expired.status_code == 401 and expired.json()["code"] == "bad.credentials"
        assert GenesysSession(sim.base_url).get(USERS).status_code == 200


def test_expire_tokens_fault_invalidates_every_issued_token(sim, api):
    assert api.get(USERS).status_code == 200
    assert sim.faults.expire_tokens() == {"expired": 1}
    assert api.get(USERS).json()["code"] == "bad.credentials"


def test_missing_permission_is_403_naming_the_permission():
    granted = {"quality:evaluation:view", "quality:evaluationForm:view"}
    with Simulator(seed=1, anchor_month=ANCHOR, months=1, permissions=granted, rate_limit_per_minute=None) as sim:
        api = GenesysSession(sim.base_url)
        response = api.search([{"type": "DATE_RANGE", "field": "createdDate", "startValue": "2026-11-01T00:00:00.000Z",
                                "endValue": "2026-12-01T00:00:00.000Z"}])
        assert response.status_code == 403
        assert response.json()["code"] == "missing.permissions"
        assert "quality:evaluation:searchAny" in response.json()["message"]
        assert api.get(USERS).json()["code"] == "missing.permissions"
        assert api.get("/api/v2/quality/forms/evaluations").status_code == 200


def test_empty_bucket_answers_429_with_retry_after_until_it_refills():
    with Simulator(seed=1, anchor_month=ANCHOR, months=1, rate_limit_per_minute=60, rate_limit_burst=3) as sim:
        api = GenesysSession(sim.base_url)
        statuses = [api.get(USERS).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = api.get(USERS)
        assert limited.status_code == 429
        assert limited.json()["code"] == "too.many.requests.retry.after"
        retry_after = int(limited.headers["Retry-After"])
        assert retry_after == 1
        assert f"[{retry_after}] seconds" in limited.json()["message"]
        other_token = GenesysSession(sim.base_url)
        assert other_token.get(USERS).status_code == 200, "the bucket is per access token"
        time.sleep(retry_after + 0.05)
        assert api.get(USERS).status_code == 200
        assert sim.stats.rate_limited == 2


@pytest.mark.parametrize("per_minute, burst, capacity", [(300, None, 30), (20, None, 5), (300, 7, 7)])
def test_default_burst_is_ten_percent_of_the_rate_at_least_five(per_minute, burst, capacity):
    simulator = Simulator(seed=1, anchor_month=ANCHOR, months=1, rate_limit_per_minute=per_minute, rate_limit_burst=burst)
    assert simulator.config.bucket_capacity == capacity


def test_secret_never_appears_in_reprs():
    simulator = Simulator(seed=1, anchor_month=ANCHOR, months=1, client_secret="s3cr3t-value")
    with simulator:
        GenesysSession(simulator.base_url, client_secret="s3cr3t-value")
        assert "s3cr3t-value" not in repr(simulator) + repr(simulator.config) + repr(simulator.tokens)
