"""Simulators on loopback and clients pointed at them, with back-offs small enough for tests."""

from __future__ import annotations

import contextlib

import pytest

from genesys_quality.genesys import GenesysClient

CLIENT_ID = "qa-extract-client"
CLIENT_SECRET = "s3cr3t-Qx9v-never-log-me"
FAST_RETRIES = {"max_retries": 3, "backoff_initial": 0.01, "backoff_max": 0.05}
ANCHOR_MONTH = "2026-11-01"


def simulator_config(**overrides):
    from genesys_quality.simulator import SimulatorConfig

    settings = {
        "seed": 42,
        "anchor_month": ANCHOR_MONTH,
        "months": 3,
        "evaluations_per_month": 120,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "rate_limit_per_minute": None,
    }
    settings.update(overrides)
    return SimulatorConfig(**settings)


@pytest.fixture(scope="session")
def shared_simulator():
    """One read-only organisation for the tests that only read (never mutate it)."""
    from genesys_quality.simulator import Simulator

    with Simulator(simulator_config()) as simulator:
        yield simulator


@pytest.fixture
def sim(shared_simulator):
    shared_simulator.faults.clear()
    yield shared_simulator
    shared_simulator.faults.clear()


@pytest.fixture
def start_simulator():
    """Start a simulator with its own settings; stopped at the end of the test."""
    from genesys_quality.simulator import Simulator

    with contextlib.ExitStack() as stack:
        yield lambda **overrides: stack.enter_context(Simulator(simulator_config(**overrides)))


@pytest.fixture
def make_client():
    """A client for a simulator (unpaced, fast retries unless overridden); closed after the test."""
    clients: list[GenesysClient] = []

    def make(simulator, **overrides) -> GenesysClient:
        options = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "api_base_url": simulator.base_url,
            "login_base_url": simulator.base_url,
            "requests_per_minute": None,
            **FAST_RETRIES,
        }
        options.update(overrides)
        client = GenesysClient(**options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
