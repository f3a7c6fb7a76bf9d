"""`dagster dev` as a test fixture: its own process group, DAGSTER_HOME and environment, GraphQL access.

`dagster dev` started from a non-interactive shell inherits SIGINT/SIGTERM as *ignored* and its
children then survive anything but SIGKILL (ENVIRONMENT.md). The child therefore starts through a
small exec shim that resets both signals to their defaults, in a new session, and is stopped by
signalling the whole group. The shim replaces `preexec_fn`, which is unsafe here: the test process
runs the simulator's server threads while it forks.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

_RESET_SIGNALS_AND_EXEC = (
    "import os, signal, sys; "
    "signal.signal(signal.SIGINT, signal.SIG_DFL); signal.signal(signal.SIGTERM, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)

_WORKSPACE_QUERY = """
query {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on RepositoryLocation { name repositories { name } }
          ... on PythonError { message }
        }
      }
    }
    ... on PythonError { message }
  }
}
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment(**overrides: str) -> dict[str, str]:
    """This process's environment without any Genesys/Dagster/Snowflake setting, plus `overrides`."""
    prefixes = ("GENESYS_", "DAGSTER_", "SNOWFLAKE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(overrides)
    return env


class GraphQLError(AssertionError):
    """A GraphQL request failed or answered with errors."""


class DagsterDev:
    """One `dagster dev -w workspace.yaml` on loopback, started from the repository root."""

    def __init__(self, dagster_home: Path, env: dict[str, str], log_path: Path, port: int | None = None):
        self.dagster_home = dagster_home
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = {**env, "DAGSTER_HOME": str(dagster_home)}
        self.process: subprocess.Popen | None = None
        self.location_name = ""
        self.repository_name = ""

    def start(self) -> DagsterDev:
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / "dagster.yaml", self.dagster_home / "dagster.yaml")
        command = [
            sys.executable, "-c", _RESET_SIGNALS_AND_EXEC,
            "-m", "dagster", "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(self.port),
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        return self

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def wait_until_loaded(self, timeout: float) -> float:
        """Wait for the webserver and the code location; return the seconds it took."""
        started = time.monotonic()
        deadline = started + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"dagster dev exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                entries = self.graphql(_WORKSPACE_QUERY, timeout=10)["workspaceOrError"]["locationEntries"]
            except (OSError, GraphQLError, KeyError) as error:
                last = str(error)
            else:
                loaded = [e for e in entries if e["loadStatus"] == "LOADED"]
                for entry in loaded:
                    location = entry["locationOrLoadError"]
                    if location["__typename"] != "RepositoryLocation":
                        raise AssertionError(f"code location {entry['name']} failed to load: {location.get('message')}")
                    self.location_name = location["name"]
                    self.repository_name = location["repositories"][0]["name"]
                    return time.monotonic() - started
                last = f"location entries: {[(e['name'], e['loadStatus']) for e in entries]}"
            time.sleep(1)
        raise AssertionError(f"dagster dev not ready after {timeout:.0f}s ({last}):\n{self.log_tail()}")

    def graphql(self, query: str, variables: dict | None = None, timeout: float = 30) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.url}/graphql", data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                payload = json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise GraphQLError(f"GraphQL HTTP {error.code}: {error.read()[:500]!r}") from error
        if payload.get("errors"):
            raise GraphQLError(f"GraphQL errors: {payload['errors']}")
        return payload["data"]

    def group_alive(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def failure_lines(self, limit: int = 20) -> str:
        """Step and run failures from the log (run workers' events are echoed there), for assertion messages."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        hits = [line for line in lines if "FAILURE" in line or "Traceback" in line or "Error" in line]
        return "\n".join(hits[-limit:]) or self.log_tail()

    def stop(self, timeout: float = 30) -> str:
        """SIGTERM the whole process group, SIGKILL what is left after `timeout`; say which signal ended it."""
        if self.process is None:
            return "not started"
        pgid = self.process.pid
        for signum, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10)):
            try:
                os.killpg(pgid, signum)
            except ProcessLookupError:
                return "already stopped"
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                self.process.poll()
                if not self.group_alive():
                    return signal.Signals(signum).name
                time.sleep(0.25)
        return "still running after SIGKILL"
