"""Local Parquet writes are atomic and clean up after writers that were killed."""

from __future__ import annotations

import os
import time

import pyarrow as pa
import pytest
from upath import UPath

from genesys_quality.storage.parquet import STALE_TEMP_SECONDS, StreamingParquetWriter, write_table


def test_a_failed_streaming_write_leaves_neither_the_file_nor_a_temporary(tmp_path):
    target = UPath(tmp_path) / "normalized_items" / "2026-10-01.parquet"
    schema = pa.schema([("x", pa.int64())])
    with pytest.raises(RuntimeError), StreamingParquetWriter(target, schema) as writer:
        writer.write(pa.table({"x": [1, 2]}))
        raise RuntimeError("the step failed mid-month")
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_temporaries_left_by_a_killed_writer_are_removed_on_the_next_write(tmp_path):
    folder = tmp_path / "normalized_items"
    folder.mkdir()
    stale = folder / ".2026-10-01.parquet.tmp-deadbeef"
    fresh = folder / ".2026-10-01.parquet.tmp-cafef00d"
    stale.write_bytes(b"half a file")
    fresh.write_bytes(b"another writer, still running")
    old = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    write_table(pa.table({"x": [1]}), UPath(folder) / "2026-10-01.parquet")
    assert not stale.exists(), "a killed writer's temporary must not pile up"
    assert fresh.exists(), "a recent temporary may belong to a live writer"
    assert (folder / "2026-10-01.parquet").exists()
