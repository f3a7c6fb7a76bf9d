"""A new evaluation-form version is published; the template-version sensor re-extracts the months that use it.

`.venv/bin/python scripts/sensor_demo.py` runs it end to end on loopback and in a temporary home:
two months loaded through the real job, the sensor's baseline tick, a form version published in
the simulator (plus one rescore in an affected month, so the re-run has something to show), a
second tick, and the requested runs executed as the sensor asked. It prints what was published,
which months ran, and what each run changed in the warehouse.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import dagster as dg

from genesys_quality.demo import QUIET
from genesys_quality.metadata import materialized_values
from genesys_quality.simulator import Simulator, SimulatorConfig

MERGE_COUNTS = ("inserted", "updated", "unchanged", "soft_deleted", "history_rows_written")


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    values = materialized_values(result, asset)
    if values is None:
        raise RuntimeError(f"the run did not materialize {asset}")
    return values


def _run(job, instance, month: str, tags: dict[str, str] | None = None) -> str:
    result = job.execute_in_process(
        partition_key=month, tags=tags or {}, instance=instance, run_config=QUIET, raise_on_error=False
    )
    if not result.success:
        failures = [event.message for event in result.all_events if event.is_failure]
        raise RuntimeError(f"run {result.run_id} for {month} failed: {failures}")
    merge = _metadata(result, "quality_evaluations")
    forms = _metadata(result, "template_versions")
    counts = ", ".join(f"{name.replace('_', ' ')} {merge[name]}" for name in MERGE_COUNTS)
    return (f"run {result.run_id[:8]}: {counts}; form versions {forms['form_versions']}"
            f" ({forms['fetched']} fetched, {forms['from_cache']} from cache)")


def _skip(result) -> str:
    reason = getattr(result, "skip_reason", result)
    return getattr(reason, "skip_message", None) or str(reason or "")


def _tick(sensor, defs, instance, cursor: str | None):
    context = dg.build_sensor_context(
        cursor=cursor, instance=instance,
        resources={"genesys": defs.resources["genesys"], "warehouse": defs.resources["warehouse"]},
    )
    return sensor(context)


def main() -> int:
    config = SimulatorConfig(seed=7, months=2, evaluations_per_month=40, rate_limit_per_minute=None)
    with tempfile.TemporaryDirectory(prefix="sensor_demo_") as home, Simulator(config) as sim:
        for name in [k for k in os.environ if k.startswith(("GENESYS_", "SNOWFLAKE_"))]:
            del os.environ[name]
        os.environ.update({
            "GENESYS_QUALITY_HOME": str(Path(home) / "genesys_quality"),
            "GENESYS_CLIENT_ID": sim.config.client_id,
            "GENESYS_CLIENT_SECRET": sim.config.client_secret,
            "GENESYS_API_BASE_URL": sim.base_url,
            "GENESYS_LOGIN_BASE_URL": sim.base_url,
        })
        from genesys_quality.definitions import defs
        from genesys_quality.sensors import template_version_sensor

        job = defs.resolve_job_def("quality_month_job")
        instance = dg.DagsterInstance.ephemeral()
        warehouse = defs.resources["warehouse"].get_warehouse()
        months = sim.org.months
        print(f"simulator {sim.base_url}, months {months}, {config.evaluations_per_month} evaluations each")

        print("\n1. Load both months")
        for month in months:
            print(f"  {month}: {_run(job, instance, month)}")

        baseline = _tick(template_version_sensor, defs, instance, None)
        print(f"\n2. Sensor baseline tick: {_skip(baseline)}")
        for context_id, version_id in sorted(json.loads(baseline.cursor).items()):
            print(f"  form context {context_id} -> latest published version {version_id}")

        usage = {ctx: warehouse.months_using_form_context(ctx, months) for ctx in sim.org.form_contexts()}
        context_id = max(sorted(usage), key=lambda ctx: len(usage[ctx]))
        published = sim.org.publish_form_version(context_id)
        affected = usage[context_id][-1]
        table = warehouse.read_table(affected, include_deleted=False)
        candidates = table[(table.template_context_id == context_id) & (table.status == "FINISHED")]
        old = candidates.sort_values("evaluation_id")["evaluation_id"].iloc[0]
        new = sim.org.rescore(old)
        print("\n3. Changes in Genesys (simulator)")
        print(f"  published form context {context_id}: new version {published['id']} ({published['name']});"
              f" months using the context: {usage[context_id]}")
        print(f"  rescored evaluation {old} of {affected} -> new version {new['id']}"
              f" (score {new['answers']['totalScore']:.2f})")

        tick = _tick(template_version_sensor, defs, instance, baseline.cursor)
        print(f"\n4. Sensor tick: {len(tick.run_requests)} run request(s)")
        for request in tick.run_requests:
            print(f"  run key {request.run_key}  partition {request.partition_key}")

        print("\n5. Requested runs (quality_month_job, the sensor's tags)")
        for request in tick.run_requests:
            print(f"  {request.partition_key}: {_run(job, instance, request.partition_key, request.tags)}")

        again = _tick(template_version_sensor, defs, instance, tick.cursor)
        print(f"\n6. Next tick: {len(again.run_requests)} run request(s) ({_skip(again)})")
        print("\nWarehouse after the re-extraction:")
        print(warehouse.month_summary().to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
