"""The month-partitioned asset graph: raw_evaluations → template_versions → normalized_items → quality_evaluations.

Each asset is a thin wiring of the libraries below it; see DESIGN.md §4 for what each holds.
"""


import contextlib
import os
import resource
import time

import dagster as dg
import pandas as pd

from genesys_quality import checks
from genesys_quality.extraction import MonthExtractor
from genesys_quality.extraction.forms import FormVersionCache, pin_form_versions
from genesys_quality.extraction.lock import MonthBusyError, extraction_lock
from genesys_quality.extraction.malformed import MalformedMonthError
from genesys_quality.genesys.errors import PermissionDeniedError
from genesys_quality.metadata import column_schema, failures_table
from genesys_quality.partitions import monthly_partitions, validate_month_key
from genesys_quality.resources import GenesysResource, ParquetStorage, WarehouseResource, genesys_client
from genesys_quality.storage.parquet import MonthParquet, StreamingParquetWriter, combine_parts, remove_tree
from genesys_quality.transform import schemas
from genesys_quality.transform.forms import template_versions_table
from genesys_quality.transform.normalize import STATISTICS_COLUMNS, raw_columns
from genesys_quality.transform.stream import normalize_stream

GROUP = "genesys_quality"
NORMALIZE_BATCH_EVALUATIONS = 2_000
"""Raw rows per normalization batch. A few batches are in flight at once (read ahead, normalized, written
behind); at 2,000 (~33,000 item rows) the stage stays well under 1 GiB at 1M evaluations and costs no more
CPU than bigger batches (benchmarks/RESULTS.md)."""
WAREHOUSE_POOL = "genesys_quality_warehouse"
SEARCH_PERMISSION = "quality:evaluation:searchAny"


class ExtractionConfig(dg.Config):
    strategy: str = os.environ.get("GENESYS_QUALITY_EXTRACTION_STRATEGY", "search")
    """`search` (POST /evaluations/search, needs quality:evaluation:searchAny) or `query` (per-user fan-out)."""
    page_size: int = 100
    pages_per_part: int = 10
    """Pages buffered per Parquet part; a killed run refetches at most this many pages."""


FAILED_CHECKS = "failed_blocking_checks"
"""normalized_items metadata: the names of its blocking checks that failed (read by quality_evaluations)."""


def _peak_rss_mib() -> float:
    """Peak resident memory of the step's process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _request_metadata(stats_before, stats_after) -> dict:
    return {
        "requests": stats_after.requests - stats_before.requests,
        "retries": stats_after.retries - stats_before.retries,
        "throttled_429": stats_after.throttled - stats_before.throttled,
        "bytes_received": stats_after.bytes_received - stats_before.bytes_received,
    }


def _month_asset(model, check_specs, **kwargs):
    """What every asset shares: month partitions, the group, its column schema and its checks."""
    return dg.asset(
        partitions_def=monthly_partitions,
        group_name=GROUP,
        metadata={"dagster/column_schema": column_schema(model)},
        check_specs=check_specs,
        **kwargs,
    )


PARQUET_ASSET = {"io_manager_key": "parquet_io_manager", "kinds": {"python", "parquet"}}


@contextlib.contextmanager
def _extraction_failures(strategy: str):
    """Extraction errors as Dagster failures that count what went wrong and say what to do."""
    try:
        yield
    except MalformedMonthError as error:
        raise dg.Failure(
            description=str(error),
            metadata={
                "malformed_evaluations": len(error.malformed),
                "first_malformed": failures_table(pd.DataFrame(error.malformed)),
            },
            allow_retries=False,
        ) from error
    except PermissionDeniedError as error:
        if strategy != "search" or SEARCH_PERMISSION not in error.missing_permissions:
            raise
        raise dg.Failure(
            description=f"{error} Or extract without search: set GENESYS_QUALITY_EXTRACTION_STRATEGY=query "
            "(per-user queries, needing quality:evaluation:view and directory:user:view).",
            metadata={"missing_permissions": ", ".join(error.missing_permissions)},
            allow_retries=False,
        ) from error
    except MonthBusyError as error:
        raise dg.Failure(description=str(error)) from error


@_month_asset(schemas.RawEvaluations, checks.RAW_EVALUATIONS_CHECKS, **PARQUET_ASSET)
def raw_evaluations(
    context: dg.AssetExecutionContext, config: ExtractionConfig, genesys: GenesysResource, storage: ParquetStorage
):
    """Every evaluation created in the month (UTC), latest state, answers included, raw JSON kept."""
    month = validate_month_key(context.partition_key)
    started = time.monotonic()
    storage.check_access()  # a storage problem fails here, before any Genesys request
    work_dir = storage.work_dir("raw_evaluations", month)
    path = storage.asset_path("raw_evaluations", month)
    with _extraction_failures(config.strategy), extraction_lock(work_dir, month), genesys_client(genesys) as client:
        before = client.stats
        result = MonthExtractor(
            client,
            month,
            work_dir,
            strategy=config.strategy,
            page_size=config.page_size,
            pages_per_part=config.pages_per_part,
            on_part=lambda cp: context.log.debug(f"{month}: {cp.pages_done} pages, {cp.rows_written} rows saved"),
        ).run()
        after = client.stats
        rows = combine_parts(result.parts, path)
        remove_tree(work_dir)
    month_parquet = MonthParquet(path)
    metadata = {
        "rows": rows,
        "pages": result.pages,
        "pages_fetched_this_run": result.pages_fetched_this_run,
        "resumed_from_checkpoint": result.resumed,
        "duplicates_removed": result.rows - rows,
        "outside_month": result.outside_month,
        "high_water_changed_date": result.high_water_changed or "",
        "strategy": result.strategy,
        "source": "embedded simulator" if genesys.uses_simulator else "Genesys Cloud",
        "seconds": round(time.monotonic() - started, 2),
        "peak_rss_mib": _peak_rss_mib(),
        "parquet_bytes": path.stat().st_size,
        **_request_metadata(before, after),
    }
    yield dg.Output(month_parquet, metadata=metadata)
    yield from checks.raw_evaluations_checks(month_parquet)


@_month_asset(schemas.TemplateVersions, checks.TEMPLATE_VERSIONS_CHECKS, **PARQUET_ASSET)
def template_versions(
    context: dg.AssetExecutionContext, raw_evaluations: MonthParquet, genesys: GenesysResource, storage: ParquetStorage
):
    """Every published form version the month's evaluations reference, pinned by version id."""
    started = time.monotonic()
    refs = raw_evaluations.read(columns=["template_id", "template_context_id"])
    pairs = refs.group_by(["template_id", "template_context_id"]).aggregate([]).to_pylist()
    references = {row["template_id"]: row["template_context_id"] for row in pairs}
    with genesys_client(genesys) as client:
        before = client.stats
        pinned = pin_form_versions(client, references, FormVersionCache(storage.cache_dir("form_versions")))
        after = client.stats
    table = template_versions_table(pinned.forms)
    counted = refs.group_by("template_id").aggregate([("template_id", "count")])
    per_version = dict(zip(counted.column("template_id").to_pylist(), counted.column("template_id_count").to_pylist()))
    missing = {
        form_id: {"reason": reason, "evaluations": per_version.get(form_id, 0)}
        for form_id, reason in pinned.missing.items()
    }
    without_form = sum(entry["evaluations"] for entry in missing.values())
    if missing:
        context.log.warning(
            f"{len(missing)} form version(s) could not be fetched, so {without_form} evaluation(s) cannot be "
            f"normalized and the month's referential check will block its load: {missing}"
        )
    metadata = {
        "form_versions": len(pinned.forms),
        "fetched": pinned.fetched,
        "from_cache": pinned.from_cache,
        "missing": len(missing),
        "missing_form_versions": dg.MetadataValue.json(missing),
        "evaluations_without_form_version": without_form,
        "rows": table.num_rows,
        "seconds": round(time.monotonic() - started, 2),
        "peak_rss_mib": _peak_rss_mib(),
        **_request_metadata(before, after),
    }
    yield dg.Output(table, metadata=metadata)
    yield from checks.template_versions_checks(table)


@_month_asset(schemas.NormalizedItems, checks.NORMALIZED_ITEMS_CHECKS, **PARQUET_ASSET)
def normalized_items(
    context: dg.AssetExecutionContext,
    raw_evaluations: MonthParquet,
    template_versions: MonthParquet,
    storage: ParquetStorage,
):
    """One row per (evaluation, question), joined to the pinned form version; vectorised, batch by batch.

    The next raw batch is read and the previous batch's items written and checked on other threads
    while this one is normalized (`normalize_stream`); the JSON `payload` is not read (unless the month
    was extracted before `question_group_scores` existed).
    """
    month = validate_month_key(context.partition_key)
    started = time.monotonic()
    forms = template_versions.read()
    validator = checks.NormalizedMonthValidator(forms)
    path = storage.asset_path("normalized_items", month)
    schema = schemas.arrow_schema(schemas.NormalizedItems)
    batches = raw_evaluations.iter_batches(NORMALIZE_BATCH_EVALUATIONS, columns=raw_columns(raw_evaluations.schema()))
    with StreamingParquetWriter(path, schema, write_statistics=STATISTICS_COLUMNS) as writer:
        evaluations = normalize_stream(
            batches, forms, [lambda raw_batch, items: writer.write(items), validator.add]
        )
    month_parquet = MonthParquet(path)
    counts = validator.counts()
    check_results = list(validator.check_results())
    metadata = {
        "rows": writer.rows,
        "evaluations": evaluations,
        "baseline_rows": counts["baseline_rows"],
        "pending_rows": counts["pending_rows"],
        FAILED_CHECKS: dg.MetadataValue.json(sorted(r.check_name for r in check_results if not r.passed)),
        "seconds": round(time.monotonic() - started, 2),
        "peak_rss_mib": _peak_rss_mib(),
    }
    yield dg.Output(month_parquet, metadata=metadata)
    yield from check_results


@_month_asset(
    schemas.WarehouseRows, checks.QUALITY_EVALUATIONS_CHECKS, kinds={"duckdb", "snowflake"}, pool=WAREHOUSE_POOL
)
def quality_evaluations(
    context: dg.AssetExecutionContext,
    config: checks.ReconciliationConfig,
    normalized_items: MonthParquet,
    warehouse: WarehouseResource,
    genesys: GenesysResource,
):
    """The warehouse table: staging, row-count parity, then one transactional MERGE for the month."""
    month = validate_month_key(context.partition_key)
    started = time.monotonic()
    _refuse_months_that_failed_their_checks(context, month)
    target = warehouse.get_warehouse()
    target.ensure_tables()
    result = target.load_month(
        month=month,
        batches=normalized_items.iter_batches(),
        expected_rows=normalized_items.num_rows(),
    )
    metadata = {
        "staged": result.staged,
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "soft_deleted": result.soft_deleted,
        "deferred_rows": result.deferred_rows,
        "deferred_evaluations": result.deferred_evaluations,
        "history_rows_written": result.history_rows_written,
        "merge_seconds": round(result.seconds, 2),
        "seconds": round(time.monotonic() - started, 2),
        "peak_rss_mib": _peak_rss_mib(),
        "warehouse": warehouse.backend,
        "table": f"{warehouse.schema_name}.{warehouse.table}",
    }
    check_results = checks.reconcile(context, config, month, target, genesys)
    return dg.MaterializeResult(metadata=metadata, check_results=check_results)


def _refuse_months_that_failed_their_checks(context: dg.AssetExecutionContext, month: str) -> None:
    """Blocking checks stop the load only inside their own run; a later run that loads the month
    alone (from the UI, say) reads the verdict recorded with the month's normalized_items instead."""
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=normalized_items.key, asset_partitions=[month]), limit=1
    ).records
    recorded = records[0].asset_materialization.metadata.get(FAILED_CHECKS) if records else None
    failed = recorded.value if recorded is not None else []
    if failed:
        raise dg.Failure(
            description=(
                f"normalized_items for {month} failed the blocking checks {', '.join(failed)} "
                f"(run {records[0].run_id}); nothing was loaded. Fix the cause shown in those checks, "
                "then materialize normalized_items and quality_evaluations for the month together."
            )
        )


ASSETS = [raw_evaluations, template_versions, normalized_items, quality_evaluations]
