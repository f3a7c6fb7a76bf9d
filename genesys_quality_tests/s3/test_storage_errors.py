"""Storage failures on a real S3 server become clear StorageErrors, before any Genesys request is made.

Wrong secret, missing bucket, a read-only identity, no credentials at all: each is a real answer
from SeaweedFS (or botocore), not a mock. Writes that fail are discarded, never half-uploaded.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from genesys_quality.resources import ParquetStorage
from genesys_quality.storage.errors import StorageError
from genesys_quality.storage.parquet import MonthParquet, StreamingParquetWriter, write_table
from genesys_quality_tests.pipeline.conftest import MONTH_B
from genesys_quality_tests.s3.conftest import (
    ADMIN_SECRET,
    READER_KEY,
    READER_SECRET,
    SCOPED_KEY,
    SCOPED_PREFIX,
    SCOPED_SECRET,
    use_aws_credentials,
)

WRONG_SECRET = "wrong-Secret-never-print-4b1e77"


def _step_failure_message(result) -> str:
    """The message of the StorageError that failed raw_evaluations (what the Dagster UI shows under the step)."""
    failure = next(event for event in result.all_events if event.is_step_failure)
    assert failure.step_key == "raw_evaluations"
    error = failure.step_failure_data.error.cause
    assert error.cls_name == "StorageError"
    return error.message


def _storage(target) -> ParquetStorage:
    return ParquetStorage(base_url=target.url, s3_endpoint_url=target.endpoint_url)


@pytest.mark.slow
def test_wrong_secret_fails_the_run_before_any_genesys_request_naming_endpoint_bucket_and_variables(
    s3_pipeline, s3_env, s3_client, simulator, monkeypatch, tmp_path
):
    use_aws_credentials(monkeypatch, "gq-test-admin", WRONG_SECRET, tmp_path)

    result = s3_pipeline.materialize(MONTH_B, raise_on_error=False)

    assert not result.success
    message = _step_failure_message(result)
    assert s3_env.endpoint_url in message and f"'{s3_env.bucket}'" in message
    assert "AWS_ACCESS_KEY_ID" in message and "AWS_SECRET_ACCESS_KEY" in message
    everything = repr(result.all_events)
    assert WRONG_SECRET not in everything and ADMIN_SECRET not in everything
    assert sum(simulator.stats.requests.values()) == 0, "the storage preflight runs before the extraction"
    assert s3_env.keys(s3_client) == set()


@pytest.mark.slow
def test_missing_bucket_fails_the_run_naming_the_bucket_and_how_to_create_it_and_creates_nothing(
    s3_pipeline, s3_env, s3_client, simulator, monkeypatch
):
    missing = "genesys-quality-no-such-bucket"
    monkeypatch.setenv("GENESYS_QUALITY_STORAGE_URL", f"s3://{missing}/{s3_env.prefix}")

    result = s3_pipeline.materialize(MONTH_B, raise_on_error=False)

    assert not result.success
    message = _step_failure_message(result)
    assert f"'{missing}'" in message and "does not exist" in message
    assert f"aws s3 mb s3://{missing}" in message and "GENESYS_QUALITY_STORAGE_URL" in message
    assert sum(simulator.stats.requests.values()) == 0
    assert missing not in {bucket["Name"] for bucket in s3_client.list_buckets()["Buckets"]}


def test_read_only_identity_is_told_which_permission_it_lacks(s3_target, monkeypatch, tmp_path):
    use_aws_credentials(monkeypatch, READER_KEY, READER_SECRET, tmp_path)

    with pytest.raises(StorageError) as error:
        _storage(s3_target).check_access()

    message = str(error.value)
    assert "s3:PutObject" in message and f"'{s3_target.bucket}'" in message and "docs/production.md" in message
    assert READER_SECRET not in message


def test_policy_limited_to_the_prefix_is_told_to_grant_get_bucket_location(s3_target, monkeypatch, tmp_path):
    use_aws_credentials(monkeypatch, SCOPED_KEY, SCOPED_SECRET, tmp_path)
    storage = ParquetStorage(
        base_url=f"s3://{s3_target.bucket}/{SCOPED_PREFIX}", s3_endpoint_url=s3_target.endpoint_url
    )

    with pytest.raises(StorageError) as error:
        storage.check_access()

    assert "s3:GetBucketLocation" in str(error.value) and f"arn:aws:s3:::{s3_target.bucket}" in str(error.value)
    # Why the preflight insists: this is what the extraction's first folder would otherwise meet.
    with pytest.raises(PermissionError):
        storage.work_dir("raw_evaluations", MONTH_B).mkdir(parents=True, exist_ok=True)


def test_no_credentials_at_all_says_which_variables_to_set(s3_target, monkeypatch, tmp_path):
    use_aws_credentials(monkeypatch, "unused", "unused", tmp_path)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

    expected = "No AWS credentials were found.*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    with pytest.raises(StorageError, match=expected):
        _storage(s3_target).check_access()


def test_admin_identity_passes_the_preflight_and_leaves_no_probe_behind(s3_target, s3_client, monkeypatch, tmp_path):
    use_aws_credentials(monkeypatch, "gq-test-admin", ADMIN_SECRET, tmp_path)

    _storage(s3_target).check_access()

    assert s3_target.keys(s3_client) == set()


def test_a_failed_write_leaves_the_previous_object_and_never_uploads_half_a_file(
    s3_target, s3_client, monkeypatch, tmp_path
):
    use_aws_credentials(monkeypatch, "gq-test-admin", ADMIN_SECRET, tmp_path)
    storage = _storage(s3_target)
    schema = pa.schema([("n", pa.int64())])
    existing = storage.asset_path("normalized_items", MONTH_B)
    write_table(pa.table({"n": [1, 2, 3]}, schema=schema), existing)
    fresh = storage.asset_path("normalized_items", "2026-11-01")

    for path in (existing, fresh):
        with pytest.raises(RuntimeError, match="died mid-month"):
            with StreamingParquetWriter(path, schema) as writer:
                writer.write(pa.table({"n": list(range(1000))}, schema=schema))
                raise RuntimeError("died mid-month")

    assert MonthParquet(existing).read().column("n").to_pylist() == [1, 2, 3]
    assert s3_target.keys(s3_client) == {f"normalized_items/{MONTH_B}.parquet"}
