"""Parquet on a real S3-compatible server: one SeaweedFS for the whole test session.

The server (`weed mini`, see seaweedfs.py) starts on free loopback ports the first time a test
asks for it and is stopped (SIGTERM, then SIGKILL) when the session ends. Each test gets its own
prefix in the shared bucket, so tests never see each other's objects. The pipeline fixtures
(simulator on loopback, temporary GENESYS_QUALITY_HOME, real Dagster runs) come from
genesys_quality_tests/pipeline/conftest.py; only the storage moves to S3, DuckDB stays local.
"""

from __future__ import annotations

import io
import re
import time
import uuid
from dataclasses import dataclass

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from genesys_quality_tests.pipeline.conftest import Pipeline, pipeline_env, simulator  # noqa: F401 (fixtures)
from genesys_quality_tests.s3.seaweedfs import SeaweedS3, start_seaweedfs

BUCKET = "genesys-quality-test"
ADMIN_KEY = "gq-test-admin"
ADMIN_SECRET = "gq-admin-Secret-7c1e5a90"
READER_KEY = "gq-test-reader"
READER_SECRET = "gq-reader-Secret-3b8d2f41"
"""A valid identity that may only list and read the bucket (no s3:PutObject, no s3:DeleteObject)."""
SCOPED_KEY = "gq-test-scoped"
SCOPED_SECRET = "gq-scoped-Secret-e5a1c093"
SCOPED_PREFIX = "scoped"
"""An identity allowed everything under `<bucket>/scoped/` and nothing on the bucket itself — like an
AWS policy whose s3:ListBucket carries an s3:prefix condition (HeadBucket, GetBucketLocation refused)."""


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory) -> SeaweedS3:
    reader = {
        "name": "reader",
        "credentials": [{"accessKey": READER_KEY, "secretKey": READER_SECRET}],
        "actions": [f"Read:{BUCKET}", f"List:{BUCKET}"],
    }
    scoped = {
        "name": "scoped",
        "credentials": [{"accessKey": SCOPED_KEY, "secretKey": SCOPED_SECRET}],
        "actions": [f"{action}:{BUCKET}/{SCOPED_PREFIX}/*" for action in ("Read", "Write", "List")],
    }
    server = start_seaweedfs(
        tmp_path_factory.mktemp("seaweedfs"), BUCKET, ADMIN_KEY, ADMIN_SECRET, [reader, scoped]
    )
    try:
        _wait_for_bucket(server)
        print(f"\nSeaweedFS S3 at {server.endpoint_url} serving bucket {BUCKET} after {server.started_in_seconds:.1f}s")
        yield server
    finally:
        print(f"\nSeaweedFS stopped in {server.stop():.1f}s")


def _client(server: SeaweedS3):
    return boto3.client(
        "s3", endpoint_url=server.endpoint_url, aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key, region_name="us-east-1",
    )


def _wait_for_bucket(server: SeaweedS3, timeout: float = 30.0) -> None:
    """`-bucket` creates the bucket just after the gateway starts answering."""
    client = _client(server)
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.head_bucket(Bucket=server.bucket)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="session")
def s3_client(seaweed):
    """boto3 with the admin identity: how the tests look at what the pipeline wrote."""
    return _client(seaweed)


@dataclass(frozen=True)
class S3Target:
    endpoint_url: str
    bucket: str
    prefix: str

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def keys(self, client, under: str = "") -> set[str]:
        """Every object key below the prefix (or `under` inside it), relative to the prefix."""
        start = f"{self.prefix}/{under}"
        found = set()
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
            found.update(item["Key"][len(self.prefix) + 1 :] for item in page.get("Contents", []))
        return found

    def read_parquet(self, client, relative_key: str) -> pa.Table:
        body = client.get_object(Bucket=self.bucket, Key=f"{self.prefix}/{relative_key}")["Body"].read()
        return pq.read_table(io.BytesIO(body))


def use_aws_credentials(monkeypatch, key: str, secret: str, tmp_path) -> None:
    """Exactly these credentials: no profile, config file, session token or instance metadata can interfere."""
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def s3_target(seaweed, request) -> S3Target:
    """A prefix of the shared bucket that belongs to this test only."""
    name = re.sub(r"[^A-Za-z0-9_-]", "-", request.node.name)[:48].strip("-")
    return S3Target(seaweed.endpoint_url, seaweed.bucket, f"{name}-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def s3_env(pipeline_env, s3_target, monkeypatch, tmp_path) -> S3Target:
    """The local deployment with GENESYS_QUALITY_STORAGE_URL on SeaweedFS and the admin credentials."""
    monkeypatch.setenv("GENESYS_QUALITY_STORAGE_URL", s3_target.url)
    monkeypatch.setenv("GENESYS_QUALITY_S3_ENDPOINT_URL", s3_target.endpoint_url)
    use_aws_credentials(monkeypatch, ADMIN_KEY, ADMIN_SECRET, tmp_path)
    return s3_target


@pytest.fixture
def s3_pipeline(s3_env, pipeline_env) -> Pipeline:
    return Pipeline(pipeline_env)
