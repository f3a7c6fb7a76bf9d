"""Where Parquet and checkpoints live: a local folder or `s3://bucket/prefix`, behind one UPath.

Every path the pipeline writes is built here from an asset name and a partition key, both
validated, so a hostile configuration value can never escape the storage prefix.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property

from upath import UPath

_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.=-]{0,127}")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


class StorageConfigError(ValueError):
    """The storage URL or a path segment is unusable; the message says which and why."""


def safe_segment(value: str, what: str) -> str:
    """A single path segment: letters, digits, `_ . = -`, not starting with a dot (no `..`)."""
    if not isinstance(value, str) or not _SEGMENT.fullmatch(value) or ".." in value:
        raise StorageConfigError(
            f"{what} {value!r} cannot be used in a storage path: use letters, digits, '_', '-', '.', '=' "
            "(not starting with '.', no '..', at most 128 characters)."
        )
    return value


@dataclass(frozen=True)
class StorageLocation:
    """A base URL plus the fsspec options needed to reach it (endpoint override for S3-compatible stores).

    Every path of one location shares one filesystem object, created for this location only (not
    fsspec's process-wide instance cache): the credentials in the environment when the location is
    first used are the ones it uses, and a location built after they change sees the new ones.
    """

    url: str
    storage_options: dict = field(default_factory=dict)

    @property
    def is_s3(self) -> bool:
        return self.url.startswith("s3://")

    @property
    def bucket(self) -> str | None:
        return self.url[len("s3://") :].split("/", 1)[0] if self.is_s3 else None

    @cached_property
    def _root(self) -> UPath:
        if self.is_s3:
            return UPath(self.url, skip_instance_cache=True, **self.storage_options)
        return UPath(os.path.abspath(os.path.expanduser(self.url)))

    def root(self) -> UPath:
        return self._root

    def path(self, *segments: str) -> UPath:
        """`root / seg / seg …` with every segment validated."""
        path = self.root()
        for segment in segments:
            path = path / safe_segment(segment, "path segment")
        return path


def location_from_url(url: str, endpoint_url: str | None = None, region: str | None = None) -> StorageLocation:
    """Build a location from a plain path or an `s3://bucket/prefix` URL.

    S3 credentials come from the standard AWS variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN, AWS_PROFILE); `endpoint_url` points at an S3-compatible server.
    """
    if not url:
        raise StorageConfigError("The storage URL is empty: set GENESYS_QUALITY_STORAGE_URL or GENESYS_QUALITY_HOME.")
    if "://" in url and not url.startswith("s3://") and not url.startswith("file://"):
        raise StorageConfigError(f"Storage URL {url!r}: only local paths and s3://bucket/prefix are supported.")
    if url.startswith("file://"):
        url = url[len("file://") :]
    options: dict = {}
    if url.startswith("s3://"):
        bucket, _, prefix = url[len("s3://") :].partition("/")
        if not bucket:
            raise StorageConfigError(f"Storage URL {url!r} names no bucket: use s3://bucket/prefix.")
        if not _BUCKET.fullmatch(bucket) or ".." in bucket:
            raise StorageConfigError(
                f"Storage URL {url!r}: {bucket!r} is not a valid S3 bucket name (3-63 lowercase letters, digits, "
                "'.' and '-', starting and ending with a letter or digit)."
            )
        segments = prefix.rstrip("/").split("/") if prefix.rstrip("/") else []
        for part in segments:
            if not part:
                raise StorageConfigError(f"Storage URL {url!r} has an empty path segment ('//'): remove it.")
            safe_segment(part, "S3 prefix segment")
        client_kwargs = {}
        if endpoint_url:
            client_kwargs["endpoint_url"] = endpoint_url
        if region:
            client_kwargs["region_name"] = region
        if client_kwargs:
            options["client_kwargs"] = client_kwargs
    return StorageLocation(url=url.rstrip("/"), storage_options=options)
