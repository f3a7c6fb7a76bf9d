"""The fault suite's machinery: pipeline runs in child processes, a request observer, warehouse comparison.

- `Runs` starts `worker.main` through a forkserver (Dagster preloaded) and collects its summary.
- `RequestObserver` sees every request the simulator answers, to kill a run at page k or to arm a
  fault for the next request (the last page).
- `snapshot` / `compare` read a warehouse file and compare it with an uninterrupted run of the same
  month: rows lost, rows duplicated, unexpected rows, field differences.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from genesys_quality.warehouse import DuckDBWarehouse

MONTH = "2026-10-01"
KEY = ["evaluation_id", "question_id"]
BOOKKEEPING = ["created_at", "updated_at", "deleted_at"]
HISTORY_VALIDITY = ["valid_from", "valid_to"]
SEARCH_TEMPLATE = "/api/v2/quality/evaluations/search"
FORMS_TEMPLATE = "/api/v2/quality/forms/evaluations"
RUN_TIMEOUT_SECONDS = 300
SMALL_PAGES = {"page_size": 5, "pages_per_part": 2}
"""~60 evaluations in ~13 pages and ~7 part files: enough places for a kill to land."""


def run_config(sample_size: int = 10, **extraction) -> dict:
    return {
        "ops": {
            "raw_evaluations": {"config": {**SMALL_PAGES, **extraction}},
            "quality_evaluations": {"config": {"sample_size": sample_size}},
        }
    }


def pipeline_env(sim, home: Path, **extra: str) -> dict:
    """The environment a run needs to use `sim` and keep its state under `home`."""
    env = {
        "GENESYS_QUALITY_HOME": str(home),
        "GENESYS_CLIENT_ID": sim.config.client_id,
        "GENESYS_CLIENT_SECRET": sim.config.client_secret,
        "GENESYS_API_BASE_URL": sim.base_url,
        "GENESYS_LOGIN_BASE_URL": sim.base_url,
        "GENESYS_REQUESTS_PER_MINUTE": "60000",
    }
    env.update(extra)
    return env


def warehouse_file(home: Path) -> Path:
    return home / "warehouse.duckdb"


def copy_warehouse(source: Path, home: Path) -> None:
    """Start `home` from the warehouse file `source` (with its WAL, if one is left)."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, warehouse_file(home))
    wal = Path(f"{source}.wal")
    if wal.exists():
        shutil.copyfile(wal, Path(f"{warehouse_file(home)}.wal"))


# -- child runs ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    exitcode: int | None
    summary: dict | None
    log: str
    kill_log: list[dict]
    seconds: float

    @property
    def killed(self) -> bool:
        return self.exitcode == -signal.SIGKILL

    @property
    def success(self) -> bool:
        return self.exitcode == 0 and bool(self.summary and self.summary.get("success"))

    def failure_text(self) -> str:
        if not self.summary:
            return f"exit code {self.exitcode}; log tail:\n{self.log[-3000:]}"
        parts = [f["message"] for f in self.summary.get("failures", [])]
        if self.summary.get("exception"):
            parts.append(self.summary["exception"])
        return "\n".join(parts)

    def metadata(self, asset: str) -> dict:
        return (self.summary or {}).get("metadata", {}).get(asset, {})


class Run:
    def __init__(self, process, result_path: Path, log_path: Path, kill_log: Path):
        self.process = process
        self.result_path, self.log_path, self.kill_log = result_path, log_path, kill_log
        self.started = time.monotonic()

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL the run now (`wait` collects it); safe to call from any thread."""
        try:
            os.kill(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait(self, timeout: float = RUN_TIMEOUT_SECONDS) -> Outcome:
        self.process.join(timeout)
        if self.process.is_alive():
            self.kill()
            self.process.join(30)
            raise AssertionError(f"run {self.pid} did not finish within {timeout} s; log:\n{_tail(self.log_path)}")
        summary = json.loads(self.result_path.read_text()) if self.result_path.exists() else None
        kills = [json.loads(line) for line in self.kill_log.read_text().splitlines()] if self.kill_log.exists() else []
        return Outcome(self.process.exitcode, summary, _tail(self.log_path), kills, time.monotonic() - self.started)


def _tail(path: Path, size: int = 20000) -> str:
    if not path.exists():
        return ""
    data = path.read_bytes()
    return data[-size:].decode("utf-8", errors="replace")


class Runs:
    """Starts pipeline runs in child processes forked from a server that has the pipeline imported."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["genesys_quality_tests.faults.preload"])

    def start(self, env: dict, *, month: str = MONTH, config: dict | None = None, kill: dict | None = None,
              selection: list[str] | None = None, resource_overrides: dict | None = None,
              snowflake: dict | None = None) -> Run:
        from genesys_quality_tests.faults import worker

        self.count += 1
        base = self.folder / f"run-{self.count:03d}"
        config = config if config is not None else run_config()
        if selection is not None:  # Dagster refuses configuration for assets outside the selection
            config = {"ops": {op: c for op, c in config.get("ops", {}).items() if op in selection}}
        spec = {
            "env": env,
            "month": month,
            "run_config": config,
            "kill": kill,
            "selection": selection,
            "resource_overrides": resource_overrides or {},
            "snowflake": snowflake,
            "result_path": f"{base}.json",
            "log_path": f"{base}.log",
            "kill_log": f"{base}.kills",
        }
        process = self._context.Process(target=worker.main, args=(spec,), daemon=True)
        process.start()
        return Run(process, Path(spec["result_path"]), Path(spec["log_path"]), Path(spec["kill_log"]))

    def run(self, env: dict, **kwargs) -> Outcome:
        return self.start(env, **kwargs).wait()

    @staticmethod
    def stop_server() -> None:
        """Stop the forkserver process (it would otherwise live until the test session exits)."""
        from multiprocessing import forkserver

        stop = getattr(forkserver._forkserver, "_stop", None)
        if stop is not None:
            stop()


# -- watching the simulator -----------------------------------------------------------------------


@dataclass
class Served:
    """One request the simulator answered (faulted requests never reach the API, so they are not here)."""

    at: float
    method: str
    template: str | None
    status: int
    page_number: int | None = None
    page_size: int | None = None


class RequestObserver:
    """Wraps the simulator's API handler: records what it serves and calls `on_served` hooks."""

    def __init__(self, sim):
        self.sim = sim
        self.served: list[Served] = []
        self.hooks: list = []
        self._lock = threading.Lock()
        self._original = sim.api.handle
        sim.api.handle = self._handle

    def _handle(self, route, request):
        response = self._original(route, request)
        served = Served(time.monotonic(), request.method, route.template if route else None, response.status)
        if served.template == SEARCH_TEMPLATE and request.body:
            body = json.loads(request.body)
            served.page_number, served.page_size = body.get("pageNumber"), body.get("pageSize")
        with self._lock:
            self.served.append(served)
            hooks = list(self.hooks)
        for hook in hooks:
            hook(served)
        return response

    def extraction_pages(self, page_size: int = SMALL_PAGES["page_size"]) -> list[Served]:
        """Search pages of the extraction (reconciliation searches with 100 per page)."""
        return [s for s in self.served if s.template == SEARCH_TEMPLATE and s.page_size == page_size]

    def count(self, template_part: str, method: str = "GET") -> int:
        return sum(1 for s in self.served if s.method == method and s.template and template_part in s.template)

    def close(self) -> None:
        self.sim.api.__dict__.pop("handle", None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# -- warehouse snapshots and comparison -------------------------------------------------------------


@dataclass
class Snapshot:
    table: pd.DataFrame
    history: pd.DataFrame


def snapshot(home: Path) -> Snapshot:
    path = warehouse_file(home)
    if not path.exists():
        return Snapshot(pd.DataFrame(), pd.DataFrame())
    warehouse = DuckDBWarehouse(path, lock_timeout_seconds=30)
    return Snapshot(warehouse.read_table(), warehouse.read_history())


@dataclass
class Comparison:
    lost: int = 0
    duplicated: int = 0
    extra: int = 0
    field_diffs: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (self.lost or self.duplicated or self.extra or self.field_diffs)

    def __str__(self) -> str:
        head = f"lost={self.lost} duplicated={self.duplicated} extra={self.extra} field_diffs={self.field_diffs}"
        return head + ("".join(f"\n  {d}" for d in self.details[:30]))


def _same(a, b) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if pd.isna(a) or pd.isna(b):
        return False
    return a == b


def compare(actual: Snapshot, expected: Snapshot, prior: Snapshot | None = None,
            expected_diffs: set[tuple[str, str, str]] = frozenset()) -> Comparison:
    """Rows and history of `actual` against `expected` (same month, same simulator seed).

    Load timestamps differ between runs, so `created_at`/`updated_at`/`deleted_at` are compared
    where they are meaningful: whether they are set, and, for rows already in `prior` (both runs
    started from it), that `created_at` was kept and untouched rows kept their `updated_at`.
    `expected_diffs` lists (evaluation_id, question_id, column) cells allowed to differ.
    """
    result = Comparison()
    _compare_rows(actual.table, expected.table, prior.table if prior is not None else None, expected_diffs, result)
    _compare_history(actual.history, expected.history, result)
    return result


def _compare_rows(actual, expected, prior, expected_diffs, result: Comparison) -> None:
    if expected.empty and actual.empty:
        return
    if actual.empty:
        result.lost += len(expected)
        result.details.append(f"warehouse empty, expected {len(expected)} rows")
        return
    duplicated = actual[actual.duplicated(KEY, keep="first")]
    result.duplicated += len(duplicated)
    result.details += [f"duplicated row {tuple(r)}" for r in duplicated[KEY].itertuples(index=False)]
    actual = actual.drop_duplicates(KEY, keep="first")
    columns = [c for c in expected.columns if c not in KEY]
    merged = expected.merge(actual, on=KEY, how="outer", suffixes=("__e", "__a"), indicator=True)
    lost, extra = merged[merged["_merge"] == "left_only"], merged[merged["_merge"] == "right_only"]
    result.lost += len(lost)
    result.extra += len(extra)
    result.details += [f"lost row {tuple(r)}" for r in lost[KEY].itertuples(index=False)]
    result.details += [f"unexpected row {tuple(r)}" for r in extra[KEY].itertuples(index=False)]
    both = merged[merged["_merge"] == "both"]
    prior_rows = prior.set_index(KEY) if prior is not None and not prior.empty else None
    for row in both.itertuples(index=False):
        values = dict(zip(both.columns, row))
        key = (values["evaluation_id"], values["question_id"])
        in_prior = prior_rows is not None and key in prior_rows.index
        for column in columns:
            e, a = values[f"{column}__e"], values[f"{column}__a"]
            if column in BOOKKEEPING:
                same = pd.isna(e) == pd.isna(a)
                if same and in_prior and column == "created_at":
                    same = _same(e, a)
                if same and in_prior and column == "updated_at" and _same(e, prior_rows.loc[key, "updated_at"]):
                    same = _same(a, e)  # untouched by the expected run: must be untouched here too
            else:
                same = _same(e, a)
            if not same and (key[0], key[1], column) not in expected_diffs:
                result.field_diffs += 1
                result.details.append(f"{key} {column}: expected {e!r}, got {a!r}")


def _compare_history(actual: pd.DataFrame, expected: pd.DataFrame, result: Comparison) -> None:
    """History intervals as multisets of states (their timestamps differ between runs)."""
    if expected.empty and actual.empty:
        return
    columns = [c for c in (expected.columns if not expected.empty else actual.columns) if c not in HISTORY_VALIDITY]

    def states(frame: pd.DataFrame) -> Counter:
        if frame.empty:
            return Counter()
        return Counter(tuple(None if pd.isna(v) else v for v in row) for row in frame[columns].itertuples(index=False))

    have, want = states(actual), states(expected)
    for state, count in (want - have).items():
        result.lost += count
        result.details.append(f"history state missing x{count}: {state}")
    for state, count in (have - want).items():
        result.duplicated += count
        result.details.append(f"history state extra x{count}: {state}")
