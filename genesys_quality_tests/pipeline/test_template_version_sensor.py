"""The template-version sensor against the simulator and a loaded warehouse."""

from __future__ import annotations

import json

import dagster as dg

from genesys_quality.sensors import template_version_sensor
from genesys_quality_tests.pipeline.conftest import MONTH_A, MONTH_B


def _tick(pipeline, cursor):
    res = pipeline.resources()
    context = dg.build_sensor_context(cursor=cursor, resources={"genesys": res["genesys"], "warehouse": res["warehouse"]})
    return template_version_sensor(context)


def test_baseline_then_new_version_requests_exactly_the_affected_months_once(pipeline, simulator, monkeypatch):
    monkeypatch.setenv("GENESYS_QUALITY_LOOKBACK_MONTHS", "600")
    for month in (MONTH_A, MONTH_B):
        pipeline.materialize(month)
    baseline = _tick(pipeline, None)
    assert not baseline.run_requests
    cursor = json.loads(baseline.cursor)
    assert set(cursor) == set(simulator.org.form_contexts())

    table = pipeline.table()
    context_id = table["template_context_id"].dropna().iloc[0]
    expected_months = sorted(set(table[table.template_context_id == context_id]["evaluation_month"].astype(str).str[:10]))
    published = simulator.org.publish_form_version(context_id)

    result = _tick(pipeline, baseline.cursor)
    assert sorted(r.partition_key for r in result.run_requests) == expected_months
    assert all(published["id"] in r.run_key for r in result.run_requests)
    assert json.loads(result.cursor)[context_id] == published["id"]

    again = _tick(pipeline, result.cursor)
    assert not again.run_requests


def test_api_error_skips_and_keeps_the_cursor(pipeline, simulator, monkeypatch):
    baseline = _tick(pipeline, None)
    monkeypatch.setenv("GENESYS_MAX_RETRIES", "0")
    simulator.faults.fail_next(20, kind="503", path_pattern="publishedforms")
    result = _tick(pipeline, baseline.cursor)
    skip = result if isinstance(result, dg.SkipReason) else result.skip_reason
    assert "cursor unchanged" in str(skip)
    assert getattr(result, "cursor", None) in (None, baseline.cursor)
