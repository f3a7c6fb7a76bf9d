"""The preflight: prove the storage works before an extraction spends an hour of API budget.

A run that would fail on its first Parquet write (wrong credentials, missing bucket, a policy
without PutObject) fails here instead, in a few requests, with a message naming the endpoint,
the bucket and the missing permission. It lists the prefix, checks the bucket is visible, then
writes, reads back and deletes one small object under `<prefix>/_work/`.

The visibility check is there because of s3fs: making a "folder" first asks whether the bucket
exists (HeadBucket, then GetBucketLocation) and, when neither answers, tries to create the bucket.
A policy that allows ListBucket only under the prefix refuses HeadBucket, so without
s3:GetBucketLocation the extraction would fail on its first folder with a bare "Access Denied".
"""

from __future__ import annotations

import uuid

from genesys_quality.storage.errors import StorageError, endpoint_of, translate_errors
from genesys_quality.storage.location import StorageLocation

PROBE_BODY = b"genesys_quality storage access check\n"


def check_access(location: StorageLocation) -> None:
    """Raise StorageError unless this process may list, write, read and delete under `location`."""
    root = location.root()
    if location.is_s3:
        bucket = location.bucket
        key_prefix = root.path[len(bucket) :].strip("/")
        with translate_errors(root, "list"):
            # One real ListObjectsV2: unlike s3fs' exists(), it tells a missing bucket from bad credentials.
            root.fs.call_s3("list_objects_v2", Bucket=bucket, Prefix=f"{key_prefix}/" if key_prefix else "", MaxKeys=1)
            bucket_visible = root.fs.exists(bucket)
        if not bucket_visible:
            raise StorageError(
                f"The credentials may list {root} but S3 at {endpoint_of(root)} refuses both HeadBucket and "
                f"GetBucketLocation on bucket '{bucket}', so s3fs would try to create the bucket whenever it prepares "
                f"a folder, and fail: grant s3:GetBucketLocation on arn:aws:s3:::{bucket} (docs/production.md, "
                "'IAM policy')."
            )
    else:
        with translate_errors(root, "write"):
            (root / "_work").mkdir(parents=True, exist_ok=True)
    probe = root / "_work" / f"access-check-{uuid.uuid4().hex}"
    with translate_errors(probe, "write"):
        probe.write_bytes(PROBE_BODY)
    with translate_errors(probe, "read"):
        probe.read_bytes()
    with translate_errors(probe, "delete"):
        probe.unlink()
