"""The simulator's control endpoints (unauthenticated admin) are off unless asked for, and loopback only."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from genesys_quality.simulator import Simulator, SimulatorConfig
from genesys_quality_tests.faults.harness import Comparison

CONTROL = "/__simulator__/faults/throttle"


def _post(url: str, body: dict) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_control_endpoints_are_off_by_default_and_the_server_listens_on_loopback(record):
    with Simulator(SimulatorConfig(seed=1, months=1, evaluations_per_month=5)) as sim:
        status = _post(sim.base_url + CONTROL, {"seconds": 60})
        control_status = _post(sim.base_url + "/__simulator__/control/delete", {"evaluation_id": "x"})
        storm = sim.faults.describe()["throttle_seconds_left"]
        bound = sim._server.server_address[0]
    record("simulator control endpoints", Comparison(), status == 404 and storm == 0)
    assert status == 404 and control_status == 404
    assert storm == 0, "a request reached the fault controls although control_api is off"
    assert bound == "127.0.0.1"


def test_control_endpoints_work_when_asked_for_on_loopback():
    with Simulator(SimulatorConfig(seed=1, months=1, evaluations_per_month=5, control_api=True)) as sim:
        assert _post(sim.base_url + CONTROL, {"seconds": 60}) == 200
        assert sim.faults.describe()["throttle_seconds_left"] > 0


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10"])
def test_control_endpoints_refuse_a_non_loopback_address(host):
    with pytest.raises(ValueError, match="loopback"):
        SimulatorConfig(control_api=True, host=host)


def test_the_simulator_command_refuses_control_endpoints_on_a_public_address():
    finished = subprocess.run(
        [sys.executable, "-m", "genesys_quality.simulator", "--host", "0.0.0.0", "--port", "0", "--control-api"],
        capture_output=True, text=True, timeout=120,
    )
    assert finished.returncode == 2
    assert "loopback" in finished.stderr
