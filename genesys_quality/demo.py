"""`python -m genesys_quality.demo`: materialize the latest months end to end and print the result.

With no Genesys credentials this runs on the embedded simulator, local Parquet and DuckDB, and
records the runs in the Dagster instance at DAGSTER_HOME, so `dagster dev` shows them afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timezone

import dagster as dg

from genesys_quality.metadata import materialized_values

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
"""Only warnings and errors on the terminal; the full event log is in the Dagster UI."""


def latest_months(count: int, today: datetime | None = None) -> list[str]:
    """The current UTC month and the `count - 1` before it, oldest first, as partition keys."""
    today = today or datetime.now(timezone.utc)
    year, month = today.year, today.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}-01")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(keys))


def _merge_summary(result) -> str:
    """The MERGE counts of the run's warehouse load, e.g. ' — inserted 1753, updated 0, …'."""
    meta = materialized_values(result, "quality_evaluations")
    if meta is None:
        return ""
    counts = ("inserted", "updated", "unchanged", "soft_deleted", "deferred_rows")
    return " — " + ", ".join(f"{name.replace('_', ' ')} {meta.get(name, 0)}" for name in counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--months", type=int, default=3, help="how many recent months to materialize")
    args = parser.parse_args(argv)

    os.environ.setdefault("DAGSTER_HOME", os.path.abspath(".dagster_home"))
    os.makedirs(os.environ["DAGSTER_HOME"], exist_ok=True)
    from genesys_quality.definitions import defs

    job = defs.resolve_job_def("quality_month_job")
    instance = dg.DagsterInstance.get()
    for month in latest_months(args.months):
        result = job.execute_in_process(
            partition_key=month, instance=instance, raise_on_error=False, run_config=QUIET
        )
        status = "ok" if result.success else "FAILED"
        print(f"{month}: run {result.run_id[:8]} {status}{_merge_summary(result)}", flush=True)
        if not result.success:
            for event in result.all_events:
                if event.is_failure:
                    print(f"  {event.message}", file=sys.stderr)
            return 1
    warehouse = defs.resources["warehouse"].get_warehouse()
    summary = warehouse.month_summary()
    print()
    print("quality_evaluations by month (warehouse):")
    print(summary.to_string(index=False))
    print()
    print("Open the Dagster UI on the same runs:  DAGSTER_HOME=$PWD/.dagster_home .venv/bin/dagster dev")
    return 0


if __name__ == "__main__":
    sys.exit(main())
