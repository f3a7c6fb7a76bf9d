"""The simulator in a process of its own, so its CPU and memory are not counted as the pipeline's.

Started with the CLI (`python -m genesys_quality.simulator`) on a free loopback port with the control
API, which serves the server-side counters (requests, 429s sent) that prove the client stayed
inside the rate limit.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_SERVING = "Genesys Cloud simulator serving "


@dataclass(frozen=True)
class SimulatorSettings:
    seed: int
    month: str
    evaluations: int
    requests_per_minute: float | None
    """The server's rate limit; None = unlimited."""


class SimulatorProcess:
    """`with SimulatorProcess(settings) as sim:` → `sim.base_url`, `sim.stats()`, `sim.peak_rss_mib()`."""

    def __init__(self, settings: SimulatorSettings, start_timeout: float = 60.0):
        self.settings = settings
        self.start_timeout = start_timeout
        self.base_url: str | None = None
        self._process: subprocess.Popen | None = None

    def start(self) -> "SimulatorProcess":
        s = self.settings
        command = [
            sys.executable, "-m", "genesys_quality.simulator", "--host", "127.0.0.1", "--port", "0",
            "--seed", str(s.seed), "--anchor-month", s.month, "--months", "1",
            "--evaluations-per-month", str(s.evaluations), "--rate-limit", str(s.requests_per_minute or 0),
            "--control-api",
        ]
        self._process = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        found = threading.Event()
        lines: list[str] = []

        def read_banner():
            for line in self._process.stdout:
                lines.append(line)
                if line.startswith(_SERVING):
                    self.base_url = line[len(_SERVING):].strip()
                    found.set()
            found.set()

        threading.Thread(target=read_banner, daemon=True).start()
        if not found.wait(self.start_timeout) or self.base_url is None:
            self.stop()
            raise RuntimeError(f"the simulator did not start within {self.start_timeout:g} s: {''.join(lines)[-2000:]}")
        return self

    def stats(self) -> dict:
        """The server's counters: {"requests": {...}, "responses": {"200": n}, "rate_limited": n, ...}."""
        with urllib.request.urlopen(f"{self.base_url}/__simulator__/stats", timeout=30) as response:
            return json.load(response)

    def peak_rss_mib(self) -> float | None:
        """The simulator process's own peak RSS (VmHWM), for information: it is not the pipeline's."""
        try:
            for line in Path(f"/proc/{self._process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            return None
        return None

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        self._process = None

    def __enter__(self) -> "SimulatorProcess":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
