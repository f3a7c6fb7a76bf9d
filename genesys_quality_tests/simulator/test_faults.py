"""Injected faults: resets, 5xx, truncated JSON, 429 storms; and the counters that record them."""

from __future__ import annotations

import time

import pytest
import requests

from .conftest import ANCHOR, created_range, month_window

USERS = "/api/v2/users"


def test_fail_next_reset_drops_the_connection_then_service_resumes(sim, api):
    sim.faults.fail_next(1, kind="reset", path_pattern="/api/v2/users")
    with pytest.raises(requests.ConnectionError):
        api.get(USERS)
    assert api.get(USERS).status_code == 200
    assert sim.stats.resets == 1


def test_fail_next_503_answers_an_error_body_n_times_only_on_matching_paths(sim, api):
    sim.faults.fail_next(2, kind="503", path_pattern="search", method="POST")
    assert api.get(USERS).status_code == 200
    window = [created_range(*month_window(ANCHOR))]
    first, second, third = (api.search(window) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.json()["code"] == "service.unavailable" and first.json()["status"] == 503


def test_fail_next_malformed_answers_200_with_truncated_json(sim, api):
    sim.faults.fail_next(1, kind="malformed")
    response = api.get(USERS)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert response.text and api.get(USERS).json()["entities"]


def test_fail_next_429_carries_retry_after(sim, api):
    sim.faults.fail_next(1, kind="429")
    response = api.get(USERS)
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert response.json()["code"] == "too.many.requests.retry.after"


def test_fail_next_401_answers_bad_credentials_once_and_the_token_stays_valid(sim, api):
    sim.faults.fail_next(1, kind="401", path_pattern="users")
    response = api.get(USERS)
    assert response.status_code == 401 and response.json()["code"] == "bad.credentials"
    assert api.get(USERS).status_code == 200


def test_throttle_storm_answers_429_to_api_calls_until_it_ends(sim, api):
    sim.faults.throttle(0.6, retry_after=(2, 4))
    started = time.monotonic()
    storm = [api.get(USERS) for _ in range(5)]
    assert all(r.status_code == 429 for r in storm)
    assert all(2 <= int(r.headers["Retry-After"]) <= 4 for r in storm)
    token = requests.post(f"{sim.base_url}/oauth/token", auth=("demo-client", "demo-secret"),
                          data={"grant_type": "client_credentials"}, timeout=10)
    assert token.status_code == 200, "the login endpoint is not part of the API storm"
    time.sleep(max(0.0, 0.65 - (time.monotonic() - started)))
    assert api.get(USERS).status_code == 200
    assert sim.stats.rate_limited == 5


def test_random_errors_follow_the_seed_and_the_path_pattern(sim, api):
    sim.faults.configure(error_rate=0.5, error_status=500, path_pattern="^/api/v2/users$", seed=7)
    first = [api.get(USERS).status_code for _ in range(20)]
    sim.faults.configure(error_rate=0.5, error_status=500, path_pattern="^/api/v2/users$", seed=7)
    second = [api.get(USERS).status_code for _ in range(20)]
    assert first == second and set(first) == {200, 500}
    assert api.get("/api/v2/quality/forms/evaluations").status_code == 200


def test_latency_fault_delays_matching_requests(sim, api):
    sim.faults.configure(latency_seconds=0.3, latency_rate=1.0, path_pattern="users")
    started = time.monotonic()
    assert api.get(USERS).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_clear_removes_every_fault(sim, api):
    sim.faults.configure(error_rate=1.0)
    sim.faults.fail_next(3, kind="500")
    sim.faults.throttle(30)
    sim.faults.clear()
    assert api.get(USERS).status_code == 200


def test_invalid_fault_settings_are_refused_with_the_reason(sim):
    with pytest.raises(ValueError, match="kind"):
        sim.faults.fail_next(1, kind="teapot")
    with pytest.raises(ValueError, match="error_rate"):
        sim.faults.configure(error_rate=2)
    with pytest.raises(ValueError, match="path_pattern"):
        sim.faults.configure(path_pattern="(")


def test_stats_count_requests_by_template_and_responses_by_status(sim, api):
    sim.stats.clear()
    evaluation = sim.org.evaluations_in_month(ANCHOR)[0]
    api.get(f"/api/v2/quality/conversations/{evaluation['conversation']['id']}/evaluations/{evaluation['id']}")
    api.get("/api/v2/quality/nothing/here")
    assert sim.stats.requests[("GET", "/api/v2/quality/conversations/{conversationId}/evaluations/{evaluationId}")] == 1
    assert sim.stats.requests[("GET", "<unknown>")] == 1
    assert sim.stats.responses[200] == 1 and sim.stats.responses[404] == 1
