"""The template-version sensor: a newly published form version re-extracts the months that use the form.

Genesys has no notification topic for forms (genesys-api.md §6), so the sensor polls the latest
published version of every form context. Its cursor is `{contextId: versionId}`; the first tick
only records that baseline. A new version for a known context requests one run per month in the
lookback whose warehouse rows use that context; the run key carries the version ids, so a later
version re-runs the month and a repeated tick never duplicates.
"""


import json
from datetime import datetime, timezone

import dagster as dg

from genesys_quality.genesys.errors import GenesysError
from genesys_quality.jobs import quality_month_job
from genesys_quality.resources import GenesysResource, WarehouseResource, genesys_client
from genesys_quality.schedules import lookback_months, refresh_months


def changed_contexts(previous: dict[str, str], current: dict[str, str]) -> dict[str, str]:
    """Known form contexts whose latest published version id changed (context -> new version id)."""
    return {ctx: vid for ctx, vid in current.items() if ctx in previous and previous[ctx] != vid}


@dg.sensor(
    job=quality_month_job,
    minimum_interval_seconds=300,
    description="Re-extracts the affected months when a new evaluation-form version is published.",
)
def template_version_sensor(context: dg.SensorEvaluationContext, genesys: GenesysResource, warehouse: WarehouseResource):
    try:
        with genesys_client(genesys) as client:
            forms = client.list_published_forms(latest_per_context=True)
    except GenesysError as error:
        return dg.SkipReason(f"Could not list published forms, will retry next tick (cursor unchanged): {error}")
    current = {form["contextId"]: form["id"] for form in forms if form.get("contextId") and form.get("id")}
    if context.cursor is None:
        return dg.SensorResult(skip_reason=f"Baseline recorded for {len(current)} form(s).", cursor=json.dumps(current, sort_keys=True))
    previous = json.loads(context.cursor)
    changed = changed_contexts(previous, current)
    gone = sorted(set(previous) - set(current))
    if gone:
        context.log.info(f"Form context(s) no longer published (deleted or unpublished): {gone}")
    if not changed:
        reason = "No new form versions." + (f" {len(gone)} form(s) no longer published." if gone else "")
        return dg.SensorResult(skip_reason=reason, cursor=json.dumps(current, sort_keys=True))
    months = refresh_months(datetime.now(timezone.utc), lookback_months())
    target = warehouse.get_warehouse()
    by_month: dict[str, list[str]] = {}
    for context_id, version_id in sorted(changed.items()):
        for month in target.months_using_form_context(context_id, months):
            by_month.setdefault(month, []).append(version_id)
    run_requests = [
        dg.RunRequest(
            run_key=f"form-versions-{month}-{'-'.join(sorted(versions))}",
            partition_key=month,
            tags={"genesys_quality/trigger": "template_version_sensor", "genesys_quality/form_versions": ",".join(sorted(versions))},
        )
        for month, versions in sorted(by_month.items())
    ]
    return dg.SensorResult(
        run_requests=run_requests,
        cursor=json.dumps(current, sort_keys=True),
        skip_reason=None if run_requests else f"New version(s) {sorted(changed.values())} but no month in the lookback uses them.",
    )


SENSORS = [template_version_sensor]
