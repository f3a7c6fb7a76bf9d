"""Asset checks: blocking pandera/referential/score checks per month, and reconciliation after the load.

The checks are emitted by the assets themselves (`check_specs`), so each one reads only its own
month, batch by batch. The logic lives in `transform.validation`; this module only turns its
findings into `AssetCheckResult`s with the first failing rows as a table in the UI.
"""


import random
import time
from collections.abc import Iterator

import dagster as dg
import pandas as pd
import pyarrow as pa

from genesys_quality.metadata import FAILURE_ROWS_SHOWN, failures_table
from genesys_quality.resources import GenesysResource, genesys_client
from genesys_quality.storage.parquet import MonthParquet
from genesys_quality.transform import schemas
from genesys_quality.transform.schemas import BASELINE_QUESTION_ID, FINAL_STATUSES
from genesys_quality.transform.validation import (
    item_range_failures,
    referential_failures,
    schema_failures,
    score_failures,
)


def _spec(name: str, asset: str, description: str, blocking: bool = True) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name, asset=asset, blocking=blocking, description=description)


RAW_EVALUATIONS_CHECKS = [
    _spec("raw_evaluations_schema", "raw_evaluations", "Types, nullability, status enum, unique evaluation id."),
]
TEMPLATE_VERSIONS_CHECKS = [
    _spec("template_versions_schema", "template_versions", "Types, nullability, question types, version ordinals."),
]
NORMALIZED_ITEMS_CHECKS = [
    _spec(
        "normalized_items_schema",
        "normalized_items",
        "Types, nullability, enums, unique (evaluation_id, question_id), 0 ≤ overall_score ≤ 100, "
        "0 ≤ item_score ≤ item_max_score.",
    ),
    _spec(
        "normalized_items_referential",
        "normalized_items",
        "Every template_id is in the month's template_versions; every question_id/answer_id exists in its form version.",
    ),
    _spec(
        "normalized_items_score_recomputation",
        "normalized_items",
        "Recomputes overall and critical scores from answers and the pinned form version (genesys-api.md §4) "
        "and compares with Genesys's totalScore (tolerance 0.01): detects template-version drift.",
    ),
]
QUALITY_EVALUATIONS_CHECKS = [
    _spec(
        "quality_evaluations_reconciliation",
        "quality_evaluations",
        "Warehouse vs Genesys for the month: evaluations by status, sum and mean of overall scores, and a "
        "re-fetched sample of evaluations. WARN within tolerance, ERROR beyond.",
        blocking=False,
    ),
]


class _Accumulator:
    """Failure count and the first rows of one check across batches."""

    def __init__(self, name: str, description: str):
        self.name, self.description = name, description
        self.count = 0
        self.evaluations: set[str] = set()
        """Distinct evaluations among the failures (when the failures name them)."""
        self.first: list[pd.DataFrame] = []
        self.shown = 0
        self.seconds = 0.0

    def add(self, failures: pd.DataFrame, seconds: float) -> None:
        self.seconds += seconds
        if failures is None or failures.empty:
            return
        self.count += len(failures)
        if "evaluation_id" in failures.columns:
            self.evaluations.update(failures["evaluation_id"].dropna().astype(str))
        if self.shown < FAILURE_ROWS_SHOWN:
            take = failures.head(FAILURE_ROWS_SHOWN - self.shown)
            self.first.append(take)
            self.shown += len(take)

    def result(self, asset: str, extra: dict | None = None) -> dg.AssetCheckResult:
        metadata: dict = {"failures": self.count, "seconds": round(self.seconds, 3), **(extra or {})}
        if self.evaluations:
            metadata["evaluations_failing"] = len(self.evaluations)
        if self.first:
            metadata["first_failures"] = failures_table(pd.concat(self.first, ignore_index=True))
        return dg.AssetCheckResult(
            check_name=self.name,
            asset_key=asset,
            passed=self.count == 0,
            severity=dg.AssetCheckSeverity.ERROR,
            description=self.description if self.count == 0 else f"{self.count} failure(s){self._where()}: {self.description}",
            metadata=metadata,
        )

    def _where(self) -> str:
        return f" in {len(self.evaluations)} evaluation(s)" if self.evaluations else ""


def _timed(fn, *args, **kwargs):
    started = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - started


RAW_CHECK_BATCH_ROWS = 5_000
"""Raw rows hold each evaluation's JSON (~7.5 KB): 50,000 at a time peaked at 2.4 GiB on a 1M month."""


def raw_evaluations_checks(month: MonthParquet) -> Iterator[dg.AssetCheckResult]:
    acc = _Accumulator("raw_evaluations_schema", RAW_EVALUATIONS_CHECKS[0].description)
    for batch in month.iter_batches(RAW_CHECK_BATCH_ROWS):
        acc.add(*_timed(schema_failures, batch, schemas.RawEvaluations))
    yield acc.result("raw_evaluations")


def template_versions_checks(table: pa.Table) -> Iterator[dg.AssetCheckResult]:
    acc = _Accumulator("template_versions_schema", TEMPLATE_VERSIONS_CHECKS[0].description)
    acc.add(*_timed(schema_failures, schemas.to_pandas(table), schemas.TemplateVersions))
    yield acc.result("template_versions")


class NormalizedMonthValidator:
    """Runs the three blocking checks of `normalized_items` batch by batch as the month is written."""

    def __init__(self, template_versions: pa.Table):
        self.template_versions = template_versions
        self.schema = _Accumulator("normalized_items_schema", NORMALIZED_ITEMS_CHECKS[0].description)
        self.referential = _Accumulator("normalized_items_referential", NORMALIZED_ITEMS_CHECKS[1].description)
        self.scores = _Accumulator("normalized_items_score_recomputation", NORMALIZED_ITEMS_CHECKS[2].description)
        self._counts = {"baseline_rows": 0, "pending_rows": 0, "evaluations_rescored": 0}

    def add(self, raw_batch: pa.Table, items: pa.Table) -> None:
        frame = schemas.to_pandas(items)
        self.schema.add(*_timed(_schema_and_ranges, frame))
        self.referential.add(*_timed(referential_failures, items, self.template_versions))
        scored, seconds = _timed(score_failures, raw_batch, self.template_versions, items=items)
        self.scores.add(scored, seconds)
        self._counts["baseline_rows"] += int((frame["question_id"] == BASELINE_QUESTION_ID).sum())
        self._counts["pending_rows"] += int((frame["score_calculation_status"] == "pending").sum())

    def counts(self) -> dict:
        return dict(self._counts)

    def check_results(self) -> Iterator[dg.AssetCheckResult]:
        for acc in (self.schema, self.referential, self.scores):
            yield acc.result("normalized_items")


def _schema_and_ranges(frame: pd.DataFrame) -> pd.DataFrame:
    failures = [schema_failures(frame, schemas.NormalizedItems), item_range_failures(frame)]
    failures = [f for f in failures if f is not None and not f.empty]
    return pd.concat(failures, ignore_index=True) if failures else pd.DataFrame()


class ReconciliationConfig(dg.Config):
    sample_size: int = 20
    """Evaluations re-fetched one by one through GET /quality/conversations/{cid}/evaluations/{eid}."""
    drift_tolerance: float = 0.01
    """Share of evaluations allowed to differ before the check reports ERROR instead of WARN."""
    score_tolerance: float = 0.01


def reconcile(
    context: dg.AssetExecutionContext,
    config: ReconciliationConfig,
    month: str,
    warehouse,
    genesys: GenesysResource,
) -> list[dg.AssetCheckResult]:
    """Compare the warehouse's view of the month with what Genesys serves now."""
    from genesys_quality.reconciliation import reconcile_month

    with genesys_client(genesys) as client:
        before = client.stats
        report = reconcile_month(
            client,
            warehouse,
            month,
            sample_size=config.sample_size,
            score_tolerance=config.score_tolerance,
            rng=random.Random(month),
        )
        after = client.stats
    requests = after.requests - before.requests
    retries = after.retries - before.retries
    drift_share = report.differences_count / max(report.evaluations_compared, 1)
    severity = dg.AssetCheckSeverity.WARN if drift_share <= config.drift_tolerance else dg.AssetCheckSeverity.ERROR
    metadata = {
        "evaluations_compared": report.evaluations_compared,
        "differences": report.differences_count,
        "drift_share": round(drift_share, 5),
        "pending_in_genesys": report.pending_in_genesys,
        "warehouse_by_status": dg.MetadataValue.json(report.warehouse_by_status),
        "genesys_by_status": dg.MetadataValue.json(report.genesys_by_status),
        "warehouse_sum_overall": report.warehouse_sum,
        "genesys_sum_overall": report.genesys_sum,
        "warehouse_mean_overall": report.warehouse_mean,
        "genesys_mean_overall": report.genesys_mean,
        "sampled": report.sampled,
        "sample_differences": report.sample_differences,
        "genesys_listing": report.listing,
        "request_cost": requests,
        "retries": retries,
        "seconds": round(report.seconds, 3),
    }
    if report.differences_count:
        metadata["first_differences"] = failures_table(report.differences)
    return [
        dg.AssetCheckResult(
            check_name="quality_evaluations_reconciliation",
            asset_key="quality_evaluations",
            passed=report.differences_count == 0,
            severity=severity,
            metadata=metadata,
            description=(
                "Warehouse matches Genesys for the month."
                if report.differences_count == 0
                else f"{report.differences_count} evaluation(s) differ between the warehouse and Genesys."
            ),
        )
    ]


__all__ = [
    "FINAL_STATUSES",
    "NORMALIZED_ITEMS_CHECKS",
    "QUALITY_EVALUATIONS_CHECKS",
    "RAW_EVALUATIONS_CHECKS",
    "TEMPLATE_VERSIONS_CHECKS",
    "NormalizedMonthValidator",
    "ReconciliationConfig",
    "reconcile",
]
