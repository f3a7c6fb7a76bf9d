"""Reading and writing Parquet on any UPath, atomically and in bounded memory.

A reader never sees half a file: local files are written under a temporary name and renamed;
S3 objects appear whole when the upload completes, and a write that fails is discarded rather
than uploaded (fsspec would otherwise upload whatever was buffered when the file is closed).
Large months stream through row groups. Every storage failure surfaces as a `StorageError`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from upath import UPath

from genesys_quality.storage.errors import is_object_store, translate_errors

ROW_GROUP_ROWS = 50_000
STALE_TEMP_SECONDS = 3600
"""A temporary file this old beside its target was left by a killed writer and is removed."""


@contextlib.contextmanager
def atomic_open(path: UPath, mode: str = "wb"):
    """Open `path` for writing so that readers see either the old object or the complete new one."""
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_open writes whole files: mode 'wb' or 'w', not {mode!r}.")
    with translate_errors(path, "write"):
        writer = _object_writer(path, text=mode == "w") if is_object_store(path) else _local_writer(path, mode)
        with writer as handle:
            yield handle


@contextlib.contextmanager
def _local_writer(path: UPath, mode: str):
    """A temporary file beside `path`, renamed over it only if the block completes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(path)
    tmp = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        with tmp.open(mode) as handle:
            yield handle
        os.replace(tmp.path, path.path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _remove_stale_temps(path: UPath) -> None:
    """A process killed mid-write (SIGKILL skips `finally`) leaves its temporary file behind."""
    now = time.time()
    for leftover in path.parent.glob(f".{path.name}.tmp-*"):
        with contextlib.suppress(FileNotFoundError):
            if now - leftover.stat().st_mtime > STALE_TEMP_SECONDS:
                leftover.unlink()


@contextlib.contextmanager
def _object_writer(path: UPath, text: bool):
    """An object-store file that is uploaded only if the block completes (no directories to create)."""
    raw = path.fs.open(path.path, "wb")
    try:
        if text:
            wrapper = io.TextIOWrapper(raw, encoding="utf-8")
            yield wrapper
            wrapper.flush()
            wrapper.detach()
        else:
            yield raw
    except BaseException:
        raw.discard()  # aborts a multipart upload; a one-shot upload never starts
        raw.closed = True  # so that garbage collection does not upload the buffer after all
        raise
    raw.close()


def write_table(table: pa.Table, path: UPath) -> int:
    """Write one table as a Parquet file; returns the bytes written."""
    with atomic_open(path) as handle:
        pq.write_table(table, handle, row_group_size=ROW_GROUP_ROWS, compression="zstd")
    with translate_errors(path, "read"):
        return path.stat().st_size


def write_json(obj: dict, path: UPath) -> None:
    with atomic_open(path, "w") as handle:
        handle.write(json.dumps(obj, indent=2, sort_keys=True))


def read_json(path: UPath) -> dict | None:
    with translate_errors(path, "read"):
        if not path.exists():
            return None
        with path.open("r") as handle:
            return json.load(handle)


class StreamingParquetWriter:
    """Append tables to one Parquet file without holding them all (a month can be millions of rows)."""

    def __init__(self, path: UPath, schema: pa.Schema, write_statistics: bool | list[str] = True):
        """`write_statistics`: the columns that get min/max statistics (all by default); on text columns
        nobody filters by they cost a fifth of the write."""
        self.path = path
        self.schema = schema
        self.rows = 0
        self._stack = contextlib.ExitStack()
        handle = self._stack.enter_context(atomic_open(path))
        self._writer = pq.ParquetWriter(handle, schema, compression="zstd", write_statistics=write_statistics)

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table.select(self.schema.names).cast(self.schema), row_group_size=ROW_GROUP_ROWS)
            self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()
        self._stack.close()

    def abort(self) -> None:
        """Drop the partial file (the temporary name is removed; the final name never appears)."""
        with contextlib.suppress(Exception):
            self._writer.close()
        with contextlib.suppress(Exception):
            self._stack.__exit__(RuntimeError, RuntimeError("aborted"), None)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_stream(tables: Iterable[pa.Table], path: UPath, schema: pa.Schema) -> int:
    """Stream tables into one Parquet file; returns the number of rows written."""
    with StreamingParquetWriter(path, schema) as writer:
        for table in tables:
            writer.write(table)
    return writer.rows


@dataclass(frozen=True)
class ParquetParts:
    """Part files to be combined into one Parquet file by the IO manager.

    With `dedup_key`, only the last row per key survives, "last" meaning the greatest
    `order_by` value and, on a tie, the later part (later pages hold the newer state).
    """

    parts: tuple[UPath, ...]
    schema: pa.Schema
    dedup_key: str | None = None
    order_by: str | None = None
    cleanup: UPath | None = None
    """A work folder to delete once the combined file is safely written."""


def _keep_masks(parts: tuple[UPath, ...], key: str, order_by: str | None) -> list[pa.Array]:
    """For each part, a boolean mask of the rows that survive de-duplication (small columns only)."""
    columns = [key] + ([order_by] if order_by else [])
    pieces = []
    for part_no, part in enumerate(parts):
        with translate_errors(part, "read"), part.open("rb") as handle:
            table = pq.read_table(handle, columns=columns)
        n = table.num_rows
        table = table.append_column("__part", pa.array([part_no] * n, pa.int32()))
        table = table.append_column("__row", pa.array(range(n), pa.int64()))
        pieces.append(table)
    if not pieces:
        return []
    allrows = pa.concat_tables(pieces)
    sort_keys = [(key, "ascending")]
    if order_by:
        sort_keys.append((order_by, "ascending"))
    sort_keys += [("__part", "ascending"), ("__row", "ascending")]
    allrows = allrows.sort_by(sort_keys)
    keys = allrows.column(key)
    # The last row of each run of equal keys wins.
    next_keys = pa.concat_arrays([keys.combine_chunks()[1:], pa.array([None], keys.type)])
    is_last = pc.fill_null(pc.not_equal(keys.combine_chunks(), next_keys), True)
    winners = allrows.filter(is_last)
    masks = []
    for part_no, part_rows in enumerate(pieces):
        rows = pc.filter(winners.column("__row"), pc.equal(winners.column("__part"), part_no))
        mask = pc.is_in(pa.array(range(part_rows.num_rows), pa.int64()), value_set=rows.combine_chunks())
        masks.append(mask)
    return masks


def combine_parts(parts: ParquetParts, dest: UPath) -> int:
    """Write `parts` into `dest` as one file (de-duplicated when asked); returns rows written."""
    masks = _keep_masks(parts.parts, parts.dedup_key, parts.order_by) if parts.dedup_key else None
    with StreamingParquetWriter(dest, parts.schema) as writer:
        for index, part in enumerate(parts.parts):
            with translate_errors(part, "read"), part.open("rb") as handle:
                table = pq.read_table(handle)
            if masks is not None:
                table = table.filter(masks[index])
            writer.write(table)
    return writer.rows


@dataclass(frozen=True)
class MonthParquet:
    """A lazily read Parquet file: what downstream assets receive instead of a DataFrame.

    Reading in batches keeps memory flat whatever the month's size.
    """

    path: UPath

    def num_rows(self) -> int:
        with translate_errors(self.path, "read"), self.path.open("rb") as handle:
            return pq.ParquetFile(handle).metadata.num_rows

    def schema(self) -> pa.Schema:
        with translate_errors(self.path, "read"), self.path.open("rb") as handle:
            return pq.ParquetFile(handle).schema_arrow

    def read(self, columns: list[str] | None = None) -> pa.Table:
        with translate_errors(self.path, "read"), self.path.open("rb") as handle:
            return pq.read_table(handle, columns=columns)

    def iter_batches(self, batch_rows: int = ROW_GROUP_ROWS, columns: list[str] | None = None) -> Iterator[pa.Table]:
        with translate_errors(self.path, "read"), self.path.open("rb") as handle:
            # Pre-buffering keeps the row groups already read cached until the end: +170 MiB over a 1M month.
            reader = pq.ParquetFile(handle, pre_buffer=False)
            for batch in reader.iter_batches(batch_size=batch_rows, columns=columns):
                yield pa.Table.from_batches([batch])


def remove_tree(path: UPath) -> None:
    """Delete a folder and everything in it (local or object store); a missing folder is fine."""
    with translate_errors(path, "delete"):
        if path.exists():
            path.fs.rm(path.path, recursive=True)
