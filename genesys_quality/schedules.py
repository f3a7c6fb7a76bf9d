"""The daily refresh: re-read the current month and the ones still editable.

Evaluations stay editable for 90 days after creation and Genesys has no "changed since" filter,
so change is captured by re-materializing the recent months and letting the MERGE keep only
the difference.
"""


import os
from datetime import datetime

import dagster as dg

from genesys_quality.jobs import quality_month_job
from genesys_quality.partitions import start_month

DEFAULT_CRON = "0 3 * * *"
DEFAULT_LOOKBACK_MONTHS = 3


def lookback_months() -> int:
    value = os.environ.get("GENESYS_QUALITY_LOOKBACK_MONTHS", str(DEFAULT_LOOKBACK_MONTHS)).strip()
    if not value.isdigit():
        raise ValueError(f"GENESYS_QUALITY_LOOKBACK_MONTHS={value!r} must be a whole number of months, e.g. 3.")
    return int(value)


def refresh_months(moment: datetime, lookback: int, first_month: str | None = None) -> list[str]:
    """The month of `moment` (UTC) and the `lookback` months before it, oldest first, not before the start."""
    year, month = moment.year, moment.month
    months = []
    for _ in range(lookback + 1):
        months.append(f"{year:04d}-{month:02d}-01")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    first = first_month or start_month()
    return [m for m in reversed(months) if m >= first]


@dg.schedule(
    job=quality_month_job,
    cron_schedule=os.environ.get("GENESYS_QUALITY_REFRESH_CRON", DEFAULT_CRON),
    execution_timezone="UTC",
    description="Re-materializes the current month and the lookback months before it (evaluations stay editable 90 days).",
)
def daily_refresh(context: dg.ScheduleEvaluationContext):
    moment = context.scheduled_execution_time
    day = moment.strftime("%Y-%m-%d")
    return [
        dg.RunRequest(run_key=f"daily-refresh-{day}-{month}", partition_key=month, tags={"genesys_quality/trigger": "daily_refresh"})
        for month in refresh_months(moment, lookback_months())
    ]


SCHEDULES = [daily_refresh]
