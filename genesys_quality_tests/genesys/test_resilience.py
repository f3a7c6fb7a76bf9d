"""Retries, back-off, 429 waits and the request budget, against injected simulator faults."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime, timezone

import pytest

from genesys_quality.genesys import (
    GenesysConnectionError,
    MalformedResponseError,
    RateLimitedError,
    ServerError,
)

SEARCH = "/api/v2/quality/evaluations/search"
FORMS = "/api/v2/quality/publishedforms/evaluations"
OCTOBER = (datetime(2026, 10, 1, tzinfo=timezone.utc), datetime(2026, 11, 1, tzinfo=timezone.utc))


def _served(simulator, endpoint: str) -> int:
    return simulator.stats.snapshot()["requests"].get(endpoint, 0)


def _search_body() -> dict:
    return {
        "query": [
            {
                "type": "DATE_RANGE",
                "field": "createdDate",
                "startValue": "2026-10-01T00:00:00.000Z",
                "endValue": "2026-10-02T00:00:00.000Z",
            }
        ],
        "pageSize": 5,
        "pageNumber": 1,
    }


def test_retry_after_is_waited_before_retrying_a_429(sim, make_client):
    client = make_client(sim)
    client.authenticate()
    sim.faults.fail_next(1, kind="429", path_pattern="publishedforms")  # Retry-After: 1
    started = time.monotonic()

    forms = client.list_published_forms()

    assert time.monotonic() - started >= 0.95
    assert forms
    assert client.stats.throttled == 1 and client.stats.failures == 0


def test_throttling_beyond_max_throttle_wait_raises_rate_limited_error(sim, make_client):
    client = make_client(sim, max_throttle_wait=1.5)
    client.authenticate()
    sim.faults.throttle(seconds=3, retry_after=(1, 1))

    with pytest.raises(RateLimitedError) as caught:
        client.list_published_forms()

    assert caught.value.status == 429 and caught.value.code == "too.many.requests.retry.after"
    assert caught.value.waited_seconds >= 1
    assert "GENESYS_REQUESTS_PER_MINUTE" in str(caught.value) and FORMS in str(caught.value)


@pytest.mark.parametrize("kind", ["503", "500", "reset"])
def test_get_is_retried_after_server_errors_and_resets(sim, make_client, kind):
    client = make_client(sim)
    client.authenticate()
    before = _served(sim, f"GET {FORMS}")
    sim.faults.fail_next(2, kind=kind, path_pattern="publishedforms", method="GET")

    forms = client.list_published_forms()

    assert len(forms) == 3
    assert _served(sim, f"GET {FORMS}") - before == 3
    assert client.stats.retries == 2 and client.stats.failures == 0


def test_get_gives_up_after_max_retries_with_server_error(sim, make_client):
    client = make_client(sim, max_retries=2)
    client.authenticate()
    sim.faults.fail_next(5, kind="503", path_pattern="publishedforms")

    with pytest.raises(ServerError) as caught:
        client.list_published_forms()

    assert caught.value.status == 503 and caught.value.code == "service.unavailable"
    assert caught.value.correlation_id  # from the ErrorBody contextId
    assert "after 2 retries" in str(caught.value)
    assert client.stats.retries == 2 and client.stats.failures == 1


def test_read_only_search_post_is_retried(sim, make_client):
    client = make_client(sim)
    client.authenticate()
    sim.faults.fail_next(1, kind="503", path_pattern="evaluations/search", method="POST")
    sim.faults.fail_next(1, kind="reset", path_pattern="evaluations/search", method="POST")

    evaluations = list(client.search_evaluations(*OCTOBER))

    assert len(evaluations) == len(sim.org.evaluations_in_month("2026-10-01"))
    assert client.stats.retries == 2


@pytest.mark.parametrize("kind", ["503", "reset"])
def test_post_not_marked_safe_is_never_retried(sim, make_client, kind):
    client = make_client(sim)
    client.authenticate()
    before = _served(sim, f"POST {SEARCH}")
    sim.faults.fail_next(1, kind=kind, path_pattern="evaluations/search", method="POST")

    expected = ServerError if kind == "503" else GenesysConnectionError
    with pytest.raises(expected) as caught:
        client.request("POST", SEARCH, json=_search_body())

    assert _served(sim, f"POST {SEARCH}") - before == 1
    assert client.stats.retries == 0
    if kind == "reset":
        assert "not retried" in str(caught.value)


def test_same_post_marked_retry_safe_recovers(sim, make_client):
    client = make_client(sim)
    client.authenticate()
    sim.faults.fail_next(1, kind="503", path_pattern="evaluations/search", method="POST")

    body = client.request("POST", SEARCH, json=_search_body(), retry_safe=True)

    unfailed = client.request("POST", SEARCH, json=_search_body())
    assert body["results"] and body["results"] == unfailed["results"]
    assert client.stats.retries == 1


def test_malformed_json_is_retried_then_raises_naming_the_endpoint(sim, make_client):
    client = make_client(sim, max_retries=2)
    client.authenticate()
    sim.faults.fail_next(3, kind="malformed", path_pattern="publishedforms")

    with pytest.raises(MalformedResponseError) as caught:
        client.list_published_forms()

    assert FORMS in str(caught.value) and "not JSON" in str(caught.value)
    assert caught.value.path == FORMS and caught.value.method == "GET"
    assert client.stats.retries == 2


def test_malformed_json_once_is_recovered(sim, make_client):
    client = make_client(sim)
    client.authenticate()
    sim.faults.fail_next(1, kind="malformed", path_pattern="publishedforms")
    assert len(client.list_published_forms()) == 3


def test_read_timeouts_are_retried_then_reported(sim, make_client):
    client = make_client(sim, read_timeout=0.2, max_retries=1)
    client.authenticate()
    sim.faults.configure(latency_seconds=0.6, latency_rate=1.0, path_pattern="publishedforms")

    with pytest.raises(GenesysConnectionError) as caught:
        client.list_published_forms()

    assert "read timeout" in str(caught.value)
    assert client.stats.retries == 1


def _unused_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_connection_refused_raises_connection_error_naming_region_settings(make_client):
    base = f"http://127.0.0.1:{_unused_loopback_port()}"

    class Nowhere:
        base_url = base

    client = make_client(Nowhere, max_retries=1)
    with pytest.raises(GenesysConnectionError) as caught:
        client.list_published_forms()

    message = str(caught.value)
    assert base in message and "connection refused" in message
    assert "GENESYS_REGION" in message and "GENESYS_API_BASE_URL" in message
    assert client.stats.retries == 1 and client.stats.failures == 1


def _hammer(client, calls_per_thread: int, threads: int = 4) -> list[BaseException]:
    errors: list[BaseException] = []

    def work():
        try:
            for _ in range(calls_per_thread):
                client.list_published_forms()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def test_request_budget_keeps_concurrent_threads_under_the_limit(start_simulator, make_client):
    simulator = start_simulator(rate_limit_per_minute=1200, rate_limit_burst=5)
    client = make_client(simulator, requests_per_minute=1200, requests_burst=1)
    client.authenticate()

    assert _hammer(client, calls_per_thread=15) == []

    assert simulator.stats.rate_limited == 0
    assert client.stats.throttled == 0
    assert client.stats.by_endpoint[f"GET {FORMS}"] == 60


def test_without_a_budget_the_same_burst_is_throttled_and_recovers(start_simulator, make_client):
    simulator = start_simulator(rate_limit_per_minute=1200, rate_limit_burst=5)
    client = make_client(simulator, requests_per_minute=None)
    client.authenticate()

    assert _hammer(client, calls_per_thread=5) == []

    assert simulator.stats.rate_limited > 0  # shows the budget above is what prevents 429s
    assert client.stats.throttled == simulator.stats.rate_limited
    assert client.stats.failures == 0
