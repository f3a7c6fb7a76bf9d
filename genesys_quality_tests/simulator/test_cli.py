"""`python -m genesys_quality.simulator` serves, prints the base URL and credentials, and stops on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys

import requests


def test_cli_serves_until_sigterm():
    command = [sys.executable, "-m", "genesys_quality.simulator", "--port", "0", "--seed", "42",
               "--anchor-month", "2026-11-01", "--months", "1", "--evaluations-per-month", "30"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        first = process.stdout.readline()
        assert first.startswith("Genesys Cloud simulator serving http://127.0.0.1:"), first + process.stderr.read()
        base_url = first.split()[-1]
        banner = "".join(process.stdout.readline() for _ in range(3))
        assert "demo-client" in banner and "2026-11-01" in banner
        token = requests.post(f"{base_url}/oauth/token", auth=("demo-client", "demo-secret"),
                              data={"grant_type": "client_credentials"}, timeout=10)
        assert token.status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
