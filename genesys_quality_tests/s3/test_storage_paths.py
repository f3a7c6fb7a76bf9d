"""A hostile storage URL, asset name or partition key can never address anything outside the prefix.

Pure path construction: every rejection happens before any request, so no server is needed.
"""

from __future__ import annotations

import pytest

from genesys_quality import deployment
from genesys_quality.deployment import ConfigurationError
from genesys_quality.resources import ParquetStorage
from genesys_quality.storage.location import StorageConfigError, location_from_url

BASE = "s3://genesys-quality-test/tenant-a/quality"


@pytest.mark.parametrize(
    "url",
    [
        "s3://genesys-quality-test/../tenant-b",
        "s3://genesys-quality-test/tenant-a/../../tenant-b",
        "s3://genesys-quality-test/./tenant-a",
        "s3://genesys-quality-test//etc/passwd",
        "s3:///etc/passwd",
        "s3://../etc",
        "s3://Genesys_Quality/tenant-a",
        "s3://genesys-quality-test/tenant a",
        "s3://genesys-quality-test/%2e%2e/tenant-b",
        "s3://genesys-quality-test/tenant-a\\..\\tenant-b",
        "s3://genesys-quality-test/tenant-a\n",
        "https://genesys-quality-test.s3.amazonaws.com/tenant-a",
    ],
)
def test_storage_url_that_could_leave_its_prefix_is_refused(url):
    with pytest.raises(StorageConfigError):
        location_from_url(url)


@pytest.mark.parametrize(
    "hostile",
    [
        "..", "../2026-10-01", "2026-10-01/../../tenant-b", "/etc/passwd", "a/b", ".hidden", "", "x" * 129,
        "2026-10-01\x00", "2026-10-01\n",
    ],
)
def test_partition_key_or_asset_name_that_could_leave_the_prefix_is_refused(hostile):
    storage = ParquetStorage(base_url=BASE)
    with pytest.raises(StorageConfigError):
        storage.asset_path("raw_evaluations", hostile)
    with pytest.raises(StorageConfigError):
        storage.asset_path(hostile, "2026-10-01")
    with pytest.raises(StorageConfigError):
        storage.work_dir("raw_evaluations", hostile)
    with pytest.raises(StorageConfigError):
        storage.cache_dir(hostile)


def test_valid_segments_stay_below_the_prefix():
    storage = ParquetStorage(base_url=BASE + "/")
    assert str(storage.asset_path("raw_evaluations", "2026-10-01")) == f"{BASE}/raw_evaluations/2026-10-01.parquet"
    assert str(storage.work_dir("raw_evaluations", "2026-10-01")) == f"{BASE}/_work/raw_evaluations/2026-10-01"
    assert str(storage.cache_dir("form_versions")) == f"{BASE}/_cache/form_versions"


def test_hostile_storage_url_stops_the_code_location_at_load_naming_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("GENESYS_QUALITY_HOME", str(tmp_path))
    for name in ("GENESYS_CLIENT_ID", "GENESYS_CLIENT_SECRET", "GENESYS_QUALITY_WAREHOUSE",
                 "GENESYS_QUALITY_DEPLOYMENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GENESYS_QUALITY_STORAGE_URL", "s3://genesys-quality-test/tenant-a/../../tenant-b")

    with pytest.raises(ConfigurationError, match=r"GENESYS_QUALITY_STORAGE_URL.*'\.\.'"):
        deployment.resources("local")
