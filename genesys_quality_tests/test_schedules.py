"""The daily refresh asks for the current month and the lookback months, across month and year ends."""

from __future__ import annotations

from datetime import datetime, timezone

import dagster as dg
import pytest

from genesys_quality.schedules import daily_refresh, refresh_months


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 1, 15, 3, tzinfo=timezone.utc), ["2025-10-01", "2025-11-01", "2025-12-01", "2026-01-01"]),
        (datetime(2026, 3, 1, 3, tzinfo=timezone.utc), ["2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01"]),
        (datetime(2025, 12, 31, 23, 59, tzinfo=timezone.utc), ["2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01"]),
        (datetime(2024, 2, 29, 3, tzinfo=timezone.utc), ["2024-01-01", "2024-02-01"]),
    ],
)
def test_refresh_covers_current_month_and_three_before_without_going_before_start(moment, expected):
    assert refresh_months(moment, 3, first_month="2024-01-01") == expected


def test_lookback_is_configurable():
    assert refresh_months(datetime(2026, 5, 2, tzinfo=timezone.utc), 1, first_month="2024-01-01") == ["2026-04-01", "2026-05-01"]


def test_schedule_requests_one_run_per_month_with_a_per_day_run_key(monkeypatch):
    monkeypatch.delenv("GENESYS_QUALITY_LOOKBACK_MONTHS", raising=False)
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2027, 1, 1, 3, tzinfo=timezone.utc))
    requests = daily_refresh(context)
    assert [r.partition_key for r in requests] == ["2026-10-01", "2026-11-01", "2026-12-01", "2027-01-01"]
    assert len({r.run_key for r in requests}) == 4
    assert all("2027-01-01" in r.run_key for r in requests)


def test_a_non_numeric_lookback_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("GENESYS_QUALITY_LOOKBACK_MONTHS", "three")
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2027, 1, 1, 3, tzinfo=timezone.utc))
    with pytest.raises(Exception, match="GENESYS_QUALITY_LOOKBACK_MONTHS"):
        daily_refresh(context)
