"""`python -m genesys_quality.genesys check` tells a user what to fix, as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

from genesys_quality.simulator import Simulator, SimulatorConfig


def _run(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENESYS_")}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-m", "genesys_quality.genesys", "check"], env=env,
                          capture_output=True, text=True, timeout=120)


def _creds(sim, secret=None):
    return {"GENESYS_CLIENT_ID": sim.config.client_id, "GENESYS_CLIENT_SECRET": secret or sim.config.client_secret,
            "GENESYS_API_BASE_URL": sim.base_url, "GENESYS_LOGIN_BASE_URL": sim.base_url}


def test_check_passes_for_a_client_with_every_permission():
    with Simulator(SimulatorConfig(seed=1, anchor_month="2026-10-01", months=1, evaluations_per_month=5)) as sim:
        done = _run(_creds(sim))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: the pipeline can run." in done.stdout


def test_check_names_the_missing_forms_permission_and_fails():
    config = SimulatorConfig(seed=1, anchor_month="2026-10-01", months=1, evaluations_per_month=5,
                             permissions={"quality:evaluation:view", "quality:evaluation:searchAny"})
    with Simulator(config) as sim:
        done = _run(_creds(sim))
    assert done.returncode == 1
    assert "quality:evaluationForm:view" in done.stdout


def test_check_with_a_wrong_secret_fails_without_printing_it():
    with Simulator(SimulatorConfig(seed=1, anchor_month="2026-10-01", months=1, evaluations_per_month=5)) as sim:
        done = _run(_creds(sim, secret="not-the-right-s3cret"))
    assert done.returncode == 1
    assert "demo-client" in done.stdout and "not-the-right-s3cret" not in done.stdout + done.stderr
