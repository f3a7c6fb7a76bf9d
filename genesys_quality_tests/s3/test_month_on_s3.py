"""A month through real Dagster runs with its Parquet on SeaweedFS (S3), read back with boto3 + pyarrow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genesys_quality.extraction import MonthExtractor
from genesys_quality.genesys import GenesysClient
from genesys_quality_tests.pipeline.conftest import MONTH_B, materialization_metadata
from genesys_quality_tests.s3.conftest import ADMIN_SECRET

SMALL_PAGES = {"ops": {"raw_evaluations": {"config": {"page_size": 5, "pages_per_part": 1}}}}
PARQUET_ASSETS = ("raw_evaluations", "template_versions", "normalized_items")


class Crash(Exception):
    """Stands in for the process dying right after a part and its checkpoint reached S3."""


@pytest.mark.slow
def test_month_lands_on_s3_at_the_documented_layout_with_the_warehouse_row_counts(
    s3_pipeline, s3_env, s3_client, simulator, pipeline_env
):
    result = s3_pipeline.materialize(MONTH_B)

    keys = s3_env.keys(s3_client)
    month_files = {f"{asset}/{MONTH_B}.parquet" for asset in PARQUET_ASSETS}
    assert month_files <= keys
    cached_forms = keys - month_files
    assert cached_forms and all(k.startswith("_cache/form_versions/") and k.endswith(".json") for k in cached_forms)
    assert not any(k.startswith("_work/") for k in keys), "the finished extraction and the access probe leave nothing"

    raw = s3_env.read_parquet(s3_client, f"raw_evaluations/{MONTH_B}.parquet")
    expected_ids = {e["id"] for e in simulator.org.evaluations_in_month(MONTH_B)}
    assert raw.num_rows == len(expected_ids)
    assert set(raw.column("evaluation_id").to_pylist()) == expected_ids

    items = s3_env.read_parquet(s3_client, f"normalized_items/{MONTH_B}.parquet")
    loaded = materialization_metadata(result, "quality_evaluations")
    warehouse_rows = s3_pipeline.table(MONTH_B)
    assert loaded["staged"] == items.num_rows
    assert len(warehouse_rows) == loaded["inserted"] == items.num_rows - loaded["deferred_rows"]
    assert set(warehouse_rows["evaluation_id"]) <= expected_ids

    raw_meta = materialization_metadata(result, "raw_evaluations")
    assert str(raw_meta["path"]) == f"{s3_env.url}/raw_evaluations/{MONTH_B}.parquet"
    assert Path(pipeline_env, "warehouse.duckdb").is_file(), "DuckDB stays a local file"
    assert ADMIN_SECRET not in repr(result.all_events)


@pytest.mark.slow
def test_extraction_killed_after_page_k_resumes_from_the_s3_checkpoint_with_the_remaining_pages_only(
    s3_pipeline, s3_env, s3_client, simulator
):
    storage = s3_pipeline.resources()["storage"]
    crash_after = 3

    def crash(checkpoint):
        if checkpoint.pages_done >= crash_after:
            raise Crash()

    client = GenesysClient(simulator.config.client_id, simulator.config.client_secret, api_base_url=simulator.base_url,
                           login_base_url=simulator.base_url, requests_per_minute=None)
    with client, pytest.raises(Crash):
        MonthExtractor(client, MONTH_B, storage.work_dir("raw_evaluations", MONTH_B), page_size=5,
                       pages_per_part=1, on_part=crash).run()

    work = f"_work/raw_evaluations/{MONTH_B}/"
    saved = s3_env.keys(s3_client, work)
    parts = {f"{work}part-{n:06d}.parquet" for n in range(1, crash_after + 1)}
    assert saved == parts | {f"{work}checkpoint.json"}
    checkpoint = json.loads(
        s3_client.get_object(Bucket=s3_env.bucket, Key=f"{s3_env.prefix}/{work}checkpoint.json")["Body"].read()
    )
    assert checkpoint["pages_done"] == crash_after and not checkpoint["complete"]

    resumed = s3_pipeline.materialize(MONTH_B, run_config=SMALL_PAGES)

    meta = materialization_metadata(resumed, "raw_evaluations")
    assert meta["resumed_from_checkpoint"] is True
    assert meta["pages_fetched_this_run"] == meta["pages"] - crash_after
    raw = s3_env.read_parquet(s3_client, f"raw_evaluations/{MONTH_B}.parquet")
    expected_ids = {e["id"] for e in simulator.org.evaluations_in_month(MONTH_B)}
    assert sorted(raw.column("evaluation_id").to_pylist()) == sorted(expected_ids)
    assert not s3_env.keys(s3_client, "_work/"), "the work folder is removed once the month file is whole"
    assert not s3_pipeline.table(MONTH_B).duplicated(["evaluation_id", "question_id"]).any()
