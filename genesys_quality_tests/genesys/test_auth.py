"""Client-credentials tokens against the simulator: caching, refresh, replay on 401, bad credentials."""

from __future__ import annotations

import threading
import time

import pytest

from genesys_quality.genesys import AuthenticationError, GenesysApiError

from .conftest import CLIENT_ID, CLIENT_SECRET


def _published_form_id(client) -> str:
    return client.list_published_forms()[0]["id"]


def _in_threads(count: int, work) -> list[BaseException]:
    """Run ``work`` in ``count`` threads released together; returns what they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run():
        barrier.wait()
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_token_is_fetched_once_and_reused(sim, make_client):
    client = make_client(sim)
    before = sim.stats.tokens_issued
    for _ in range(5):
        client.list_published_forms()
    assert sim.stats.tokens_issued - before == 1
    assert client.stats.tokens_fetched == 1


def test_short_lived_tokens_are_refreshed_before_expiry_without_failures(start_simulator, make_client):
    simulator = start_simulator(token_lifetime_seconds=2)
    client = make_client(simulator)
    form_id = _published_form_id(client)
    deadline = time.monotonic() + 2.6
    calls = 0
    while time.monotonic() < deadline:
        client.get_form_version(form_id)
        calls += 1
        time.sleep(0.1)
    assert simulator.stats.tokens_issued >= 3  # refreshed at half of the 2 s lifetime
    assert client.stats.tokens_fetched == simulator.stats.tokens_issued
    assert simulator.stats.responses.get(401, 0) == 0
    assert client.stats.failures == 0 and calls > 10


def test_concurrent_callers_share_one_token_request(start_simulator, make_client):
    simulator = start_simulator(token_lifetime_seconds=2)
    client = make_client(simulator)
    assert _in_threads(12, client.list_published_forms) == []
    assert simulator.stats.tokens_issued == 1

    time.sleep(1.1)  # past the refresh point (half of the lifetime)
    assert _in_threads(12, client.list_published_forms) == []
    assert simulator.stats.tokens_issued == 2
    assert client.stats.failures == 0


def test_rejected_token_is_replaced_and_the_request_replayed_once(start_simulator, make_client):
    simulator = start_simulator()
    client = make_client(simulator)
    form_id = _published_form_id(client)
    simulator.faults.expire_tokens()

    form = client.get_form_version(form_id)

    assert form["id"] == form_id
    assert simulator.stats.responses[401] == 1
    assert simulator.stats.tokens_issued == 2
    assert client.stats.retries == 1 and client.stats.failures == 0


def test_second_401_raises_authentication_error_naming_client_id(start_simulator, make_client):
    simulator = start_simulator()
    simulator.faults.fail_next(2, kind="401", path_pattern="publishedforms")  # the token and its replacement
    client = make_client(simulator)

    with pytest.raises(AuthenticationError) as caught:
        client.list_published_forms()

    message = str(caught.value)
    assert CLIENT_ID in message and CLIENT_SECRET not in message
    assert caught.value.status == 401 and caught.value.code == "bad.credentials"
    assert caught.value.path == "/api/v2/quality/publishedforms/evaluations"
    assert simulator.stats.tokens_issued == 2  # the first token and exactly one replacement
    assert simulator.stats.responses[401] == 2


def test_bad_credentials_fail_fast_naming_client_id_but_not_secret(sim, make_client):
    wrong_secret = "wr0ng-s3cret-value"
    client = make_client(sim, client_secret=wrong_secret)
    before = sim.stats.snapshot()["requests"].get("POST /oauth/token", 0)

    with pytest.raises(AuthenticationError) as caught:
        client.list_published_forms()

    message = str(caught.value)
    assert CLIENT_ID in message and "invalid_client" in message
    assert wrong_secret not in message and wrong_secret not in repr(caught.value)
    assert "GENESYS_CLIENT_SECRET" in message
    assert isinstance(caught.value, GenesysApiError) and caught.value.status == 401
    assert sim.stats.snapshot()["requests"]["POST /oauth/token"] - before == 1  # no retries
    assert client.stats.tokens_fetched == 0
