"""One month materialization in a child process, optionally killed with SIGKILL at a chosen point.

The test keeps the simulator in its own process, so it outlives the kill, and starts this worker
through a forkserver that has already imported Dagster and the pipeline: a run starts in a
fraction of a second instead of seconds of imports.

Kill points (`spec["kill"] = {"phase": "normalize" | "merge", "point": k, "delay": s}`): the
worker counts the instrumented steps of that phase as the real run reaches them and, at the k-th,
sends itself SIGKILL, at once or `s` seconds later from a timer thread so that the signal lands
inside whatever runs next (an Arrow kernel, a DuckDB statement, a file rename). SIGKILL cannot be
caught: no `finally`, no rollback, no atexit runs, exactly as after `kill -9` or the OOM killer.
The point is first appended to `kill_log`, so the test knows where it struck. Kills during
extraction come from the test itself (the simulator sees the pages being fetched).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import traceback

import dagster as dg

from genesys_quality import assets as assets_module
from genesys_quality import checks as checks_module
from genesys_quality.assets import ASSETS
from genesys_quality.deployment import resources
from genesys_quality.transform import stream as stream_module
from genesys_quality.warehouse import base as warehouse_base
from genesys_quality.warehouse import duckdb_warehouse

PHASES = ("normalize", "merge")
_SESSION_CALLS = ("execute", "fetch_rows", "fetch_arrow", "stage", "begin", "commit", "rollback")


class Points:
    """Counts the instrumented points of each phase; kills the process at the chosen one."""

    def __init__(self, kill: dict | None, kill_log: str | None):
        self.reached: dict[str, list[str]] = {phase: [] for phase in PHASES}
        self.kill = kill
        self.kill_log = kill_log
        self.in_load = False

    def __call__(self, phase: str, name: str) -> None:
        self.reached[phase].append(name)
        kill = self.kill
        if not kill or kill["phase"] != phase or len(self.reached[phase]) != kill["point"]:
            return
        with open(self.kill_log, "a") as log:
            log.write(json.dumps({"phase": phase, "point": kill["point"], "name": name, "delay": kill["delay"]}) + "\n")
            log.flush()
            os.fsync(log.fileno())
        if kill["delay"] <= 0:
            os.kill(os.getpid(), signal.SIGKILL)  # does not return
        else:
            timer = threading.Timer(kill["delay"], os.kill, (os.getpid(), signal.SIGKILL))
            timer.daemon = True
            timer.start()


def _instrument(points: Points, load_intervals: list) -> None:
    """Wrap the steps of normalization and of the warehouse load (this process only)."""

    def around(phase, name, fn):
        def wrapper(*args, **kwargs):
            points(phase, f"{name}:before")
            out = fn(*args, **kwargs)
            points(phase, f"{name}:after")
            return out

        return wrapper

    stream_module.normalize_items = around("normalize", "normalize_items", stream_module.normalize_items)
    validator = checks_module.NormalizedMonthValidator
    validator.add = around("normalize", "validator.add", validator.add)
    validator.counts = around("normalize", "validator.counts", validator.counts)
    writer_class = assets_module.StreamingParquetWriter

    class CountedWriter(writer_class):
        write = around("normalize", "parquet.write", writer_class.write)
        close = around("normalize", "parquet.close+rename", writer_class.close)

    assets_module.StreamingParquetWriter = CountedWriter

    session = duckdb_warehouse._DuckDBSession
    for method in _SESSION_CALLS:
        original = getattr(session, method)

        def call(self, *args, _original=original, _method=method, **kwargs):
            if not points.in_load:
                return _original(self, *args, **kwargs)
            statement = getattr(args[0], "name", "") if args and _method not in ("stage",) else ""
            label = f"{_method} {statement}".strip()
            points("merge", f"{label}:before")
            out = _original(self, *args, **kwargs)
            if _method == "commit":
                points("merge", f"{label}:after")
            return out

        setattr(session, method, call)

    load_month = warehouse_base.Warehouse.load_month

    def timed_load(self, *args, **kwargs):
        points.in_load = True
        started = time.time()
        try:
            return load_month(self, *args, **kwargs)
        finally:
            points.in_load = False
            load_intervals.append([started, time.time()])

    warehouse_base.Warehouse.load_month = timed_load


def _plain(value):
    value = getattr(value, "value", value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (dict, list)):
        return json.loads(json.dumps(value, default=str))
    return str(value)


def _summary(result: dg.ExecuteInProcessResult) -> dict:
    metadata, failures, checks = {}, [], {}
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        metadata[mat.asset_key.to_user_string()] = {k: _plain(v) for k, v in mat.metadata.items()}
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            user = data.user_failure_data
            failures.append(
                {
                    "step": event.step_key,
                    "error_class": data.error.cls_name if data.error else None,
                    "message": data.error.to_string() if data.error else "",
                    "description": user.description if user else None,
                    "metadata": {k: _plain(v) for k, v in (user.metadata if user else {}).items()},
                }
            )
    for evaluation in result.get_asset_check_evaluations():
        checks[evaluation.check_name] = {
            "passed": evaluation.passed,
            "metadata": {k: _plain(v) for k, v in evaluation.metadata.items()},
            "description": evaluation.description,
        }
    return {"success": result.success, "metadata": metadata, "failures": failures, "checks": checks}


def _resources(overrides: dict, snowflake: dict | None) -> dict:
    """The local deployment's resources, with settings changed (`overrides`) or Snowflake as the warehouse."""
    found = resources("local")
    for key, update in overrides.items():
        resource = found[key]
        settings = {name: getattr(resource, name) for name in type(resource).model_fields}
        found[key] = type(resource)(**{**settings, **update})
    if snowflake is not None:
        from dagster_snowflake import SnowflakeResource

        from genesys_quality.snowflake_resource import SnowflakeWarehouseResource

        found["warehouse"] = SnowflakeWarehouseResource(snowflake=SnowflakeResource(**snowflake))
    return found


def main(spec: dict) -> None:
    """Entry point of the child: run `spec["month"]` and write a JSON summary to `spec["result_path"]`."""
    with open(spec["log_path"], "ab", buffering=0) as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    for name in list(os.environ):
        if name.startswith(("GENESYS_", "SNOWFLAKE_")):
            del os.environ[name]
    os.environ.update(spec["env"])
    points = Points(spec.get("kill"), spec.get("kill_log"))
    load_intervals: list = []
    _instrument(points, load_intervals)
    try:
        result = dg.materialize(
            ASSETS,
            partition_key=spec["month"],
            resources=_resources(spec.get("resource_overrides") or {}, spec.get("snowflake")),
            instance=dg.DagsterInstance.get() if "DAGSTER_HOME" in spec["env"] else dg.DagsterInstance.ephemeral(),
            run_config=spec.get("run_config") or {},
            raise_on_error=False,
            selection=spec.get("selection"),
        )
        summary = _summary(result)
    except Exception as error:  # the run could not even start (configuration, partition key)
        summary = {"success": False, "exception": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
    summary["points"] = points.reached
    summary["load_intervals"] = load_intervals
    tmp = spec["result_path"] + ".tmp"
    with open(tmp, "w") as handle:
        json.dump(summary, handle, default=str)
    os.replace(tmp, spec["result_path"])
