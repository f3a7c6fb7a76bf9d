"""The client secret and the access tokens never land in anything the pipeline writes.

The simulator gets a recognisable client secret and issues recognisable tokens. The month is run
through the real command line (`dagster asset materialize`) with a persistent Dagster instance whose
Python logging captures the library loggers at DEBUG, under faults that exercise every logging and
error path (token expiry and replay, retries, a 429, a truncated body), then twice more failing
(a token rejected twice, a wrong client id). Every file written is searched: logs, the Dagster
event log and run storage (SQLite, decoded), compute logs, run metadata, Parquet (decoded),
checkpoints, the form cache, the DuckDB warehouse (decoded), and the captured output and exceptions.
"""

from __future__ import annotations

import base64
import secrets as real_secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from genesys_quality.simulator import Simulator
from genesys_quality.simulator import auth as simulator_auth
from genesys_quality_tests.faults.conftest import world_config
from genesys_quality_tests.faults.harness import MONTH, RequestObserver, compare, pipeline_env, snapshot

pytestmark = pytest.mark.slow

SECRET = f"fault-suite-SECRET-{real_secrets.token_hex(8)}"
TOKEN_PREFIX = "fault-suite-TOKEN-"
DAGSTER_YAML = """\
telemetry:
  enabled: false
python_logs:
  python_log_level: DEBUG
  managed_python_loggers:
    - genesys_quality
"""


class _RecognisableTokens:
    """Stands in for the `secrets` module inside simulator/auth.py: tokens carry a known prefix."""

    @staticmethod
    def token_urlsafe(nbytes: int) -> str:
        return TOKEN_PREFIX + real_secrets.token_urlsafe(nbytes)


def needles(client_id: str) -> dict[str, bytes]:
    return {
        "client secret": SECRET.encode(),
        "access token": TOKEN_PREFIX.encode(),
        "Basic credentials": base64.b64encode(f"{client_id}:{SECRET}".encode()),
    }


def _decoded(path: Path) -> str:
    """The readable content of formats that compress or page their text (Parquet, DuckDB, SQLite)."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        return "\n".join(str(column.to_pylist()) for column in table.columns)
    if path.suffix in (".duckdb", ".db", ".sqlite"):
        try:
            return _database_text(path)
        except Exception as error:  # not a database after all: the raw bytes are searched anyway
            return f"<unreadable {path.name}: {error}>"
    return ""


def _database_text(path: Path) -> str:
    if path.suffix == ".duckdb":
        connection = duckdb.connect(str(path), read_only=True)
        try:
            tables = connection.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
            return "\n".join(str(connection.execute(f'SELECT * FROM "{s}"."{t}"').fetchall()) for s, t in tables)
        finally:
            connection.close()
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(str(connection.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)
    finally:
        connection.close()


def find_leaks(roots: list[Path], texts: dict[str, str], client_id: str) -> list[str]:
    """Where any needle occurs: in the files under `roots` (raw and decoded) and in `texts`."""
    found = []
    searched = 0
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            searched += 1
            raw, decoded = path.read_bytes(), _decoded(path).encode()
            for what, needle in needles(client_id).items():
                if needle in raw or needle in decoded:
                    found.append(f"{what} in {path}")
    for name, text in texts.items():
        for what, needle in needles(client_id).items():
            if needle.decode() in text:
                found.append(f"{what} in {name}")
    assert searched > 20, f"only {searched} files searched: the runs wrote less than expected"
    return found


def test_the_leak_search_finds_a_secret_inside_compressed_parquet_duckdb_and_sqlite(tmp_path):
    import pyarrow as pa

    pq.write_table(pa.table({"payload": [f"x{SECRET}y"] * 1000}), tmp_path / "a.parquet", compression="zstd")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        connection.execute("CREATE TABLE t AS SELECT 'x' || $s || range AS v FROM range(50000)", {"s": SECRET})
    with sqlite3.connect(tmp_path / "e.db") as connection:
        connection.execute("CREATE TABLE e (body TEXT)")
        connection.execute("INSERT INTO e VALUES (?)", (TOKEN_PREFIX + "abc",))
    for n in range(20):
        (tmp_path / f"clean-{n}.txt").write_text("nothing here")
    found = find_leaks([tmp_path], {"output": "Authorization: Basic " + base64.b64encode(f"c:{SECRET}".encode()).decode()}, "c")
    assert {f.split(" in ")[1] for f in found} >= {str(tmp_path / "a.parquet"), str(tmp_path / "w.duckdb"),
                                                   str(tmp_path / "e.db"), "output"}


def test_no_secret_or_token_in_logs_event_log_metadata_parquet_checkpoints_warehouse_or_errors(
    world, runs, tmp_path, monkeypatch, record
):
    monkeypatch.setattr(simulator_auth, "secrets", _RecognisableTokens)
    dagster_home, home = tmp_path / "dagster_home", tmp_path / "home"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text(DAGSTER_YAML)
    texts: dict[str, str] = {}
    with Simulator(world_config(client_secret=SECRET, token_lifetime_seconds=2)) as sim, RequestObserver(sim) as observer:
        client_id = sim.config.client_id
        env = pipeline_env(sim, home, DAGSTER_HOME=str(dagster_home), GENESYS_REQUESTS_PER_MINUTE="900")
        answered = []

        def expire_now_and_then(served):
            if served.status == 200:
                answered.append(served)
                if len(answered) % 6 == 0:
                    sim.faults.expire_tokens()

        observer.hooks.append(expire_now_and_then)
        sim.faults.fail_next(2, "503", path_pattern="/evaluations/search$")
        sim.faults.fail_next(1, "429", path_pattern="/forms/evaluations/")
        sim.faults.fail_next(1, "malformed", path_pattern="/conversations/")
        cli = subprocess.run(
            [str(Path(sys.executable).parent / "dagster"), "asset", "materialize", "-m", "genesys_quality.definitions",
             "--select", "*", "--partition", MONTH],
            env={**_base_env(), **env}, capture_output=True, text=True, timeout=600,
        )
        texts["command line output"] = cli.stdout + cli.stderr
        assert cli.returncode == 0, cli.stderr[-5000:]

        sim.faults.fail_next(2, "401", path_pattern="/evaluations/search$")
        rejected = runs.run(env)
        wrong_id = runs.run({**env, "GENESYS_CLIENT_ID": "not-the-client"})
        tokens = sim.tokens.issued
    for name, outcome in (("token rejected twice", rejected), ("wrong client id", wrong_id)):
        assert not outcome.success
        texts[f"{name}: exceptions"] = outcome.failure_text()
        texts[f"{name}: output"] = outcome.log
    assert "rejected a freshly issued access token" in texts["token rejected twice: exceptions"]
    assert "refused the client credentials" in texts["wrong client id: exceptions"]
    assert "replaying once with a fresh access token" in texts["command line output"]

    leaks = find_leaks([dagster_home, home, runs.folder], texts, client_id)
    result = compare(snapshot(home), world.pristine)
    record("security: secret and tokens never written", result, not leaks,
           note=f"{tokens} tokens issued; searched DAGSTER_HOME, GENESYS_QUALITY_HOME, run logs, errors")
    assert tokens >= 3
    assert not leaks, "secrets found:\n" + "\n".join(leaks)
    assert result.identical, str(result)


def _base_env() -> dict:
    """The parent's environment minus the pipeline's own settings (the test sets those)."""
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("GENESYS_", "SNOWFLAKE_", "DAGSTER_HOME"))}
