"""One exception for every storage failure, with a message that says where, why and what to do.

s3fs turns S3 answers into bare `PermissionError("Forbidden")` or `FileNotFoundError`, and
botocore raises its own types; neither names the endpoint, the bucket or the setting to fix.
Everything that touches storage runs inside `translate_errors`, which re-raises those as a
`StorageError` built from the S3 error code. No message ever contains a credential.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from upath import UPath

CREDENTIALS_HINT = (
    "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)"
)
POLICY_HINT = "grant the IAM policy in docs/production.md ('S3 setup')"

_CREDENTIAL_CODES = {
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "InvalidToken",
    "ExpiredToken",
    "TokenRefreshRequired",
    "InvalidClientTokenId",
}
_DENIED_CODES = {"AccessDenied", "AllAccessDisabled", "Forbidden", "403"}
_MISSING_CODES = {"NoSuchKey", "NotFound", "404"}
_IAM_ACTION = {"list": "s3:ListBucket", "read": "s3:GetObject", "write": "s3:PutObject", "delete": "s3:DeleteObject"}


class StorageError(Exception):
    """Reading or writing Parquet, checkpoints or the form cache failed; the message says how to fix it."""


def is_object_store(path: UPath) -> bool:
    return getattr(path, "protocol", "") in ("s3", "s3a")


def bucket_of(path: UPath) -> str:
    return path.path.lstrip("/").split("/", 1)[0]


def endpoint_of(path: UPath) -> str:
    """The S3 endpoint a path is reached through, as a user would recognise it in the settings."""
    endpoint = (getattr(path, "storage_options", {}).get("client_kwargs") or {}).get("endpoint_url")
    return endpoint or "the AWS S3 endpoint"


def _s3_error(error: BaseException) -> tuple[str | None, str]:
    """The S3 error code and message carried by `error` or anything in its cause chain."""
    seen = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        response = getattr(current, "response", None)
        if isinstance(response, dict) and isinstance(response.get("Error"), dict):
            details = response["Error"]
            return str(details.get("Code") or ""), str(details.get("Message") or "")
        current = current.__cause__ or current.__context__
    return None, str(error)


def _is_storage_failure(error: BaseException) -> bool:
    if isinstance(error, OSError):
        return True
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # s3fs (and so botocore) is not installed: only local storage is possible
        return False
    return isinstance(error, (BotoCoreError, ClientError))


def _botocore_kind(error: BaseException) -> str | None:
    try:
        from botocore import exceptions as boto
    except ImportError:
        return None
    chain, current = [], error
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for item in chain:
        if isinstance(item, (boto.NoCredentialsError, boto.PartialCredentialsError)):
            return "no-credentials"
        if isinstance(item, (boto.EndpointConnectionError, boto.ConnectTimeoutError, boto.ReadTimeoutError)):
            return "unreachable"
    return None


def storage_failure(error: BaseException, path: UPath, action: str) -> StorageError:
    """A StorageError explaining why `action` (list, read, write, delete) on `path` failed."""
    if not is_object_store(path):
        if isinstance(error, PermissionError):
            return StorageError(
                f"Permission denied to {action} {path}: make the folder writable by this user, or point "
                "GENESYS_QUALITY_STORAGE_URL / GENESYS_QUALITY_HOME elsewhere."
            )
        if isinstance(error, FileNotFoundError) and action in ("read", "delete"):
            return StorageError(f"{path} does not exist (could not {action} it).")
        reason = getattr(error, "strerror", None) or str(error)
        return StorageError(
            f"Could not {action} {path}: {reason}. Check GENESYS_QUALITY_STORAGE_URL / GENESYS_QUALITY_HOME "
            "and the free space of that disk."
        )

    bucket, endpoint = bucket_of(path), endpoint_of(path)
    where = f"bucket '{bucket}' at {endpoint}"
    kind = _botocore_kind(error)
    if kind == "no-credentials":
        return StorageError(
            f"No AWS credentials were found to {action} {path} ({where}): set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an IAM role."
        )
    if kind == "unreachable":
        return StorageError(
            f"Could not reach {endpoint} to {action} {path}: check GENESYS_QUALITY_S3_ENDPOINT_URL (unset it for "
            "AWS) and that the endpoint is reachable from this machine."
        )
    code, message = _s3_error(error)
    if code in _CREDENTIAL_CODES:
        return StorageError(
            f"S3 rejected the credentials for {where} ({code}: {message}): {CREDENTIALS_HINT}."
        )
    if code == "AuthorizationHeaderMalformed":
        return StorageError(
            f"S3 refused the request signature region for {where} ({message}): set AWS_REGION to the bucket's region."
        )
    if code == "NoSuchBucket":
        return StorageError(
            f"The S3 {where} does not exist: create it (e.g. `aws s3 mb s3://{bucket}`) or fix the bucket in "
            "GENESYS_QUALITY_STORAGE_URL (s3://bucket/prefix)."
        )
    if code in _DENIED_CODES or (code is None and isinstance(error, PermissionError)):
        iam_action = _IAM_ACTION.get(action, "the S3 permissions")
        if code in ("AccessDenied", "AllAccessDisabled"):
            # S3 checked the signature first: the credentials are genuine, their policy is too narrow.
            return StorageError(
                f"S3 denied {action} of {path} ({where}, {code}): the credentials are valid but lack "
                f"{iam_action}; {POLICY_HINT}."
            )
        return StorageError(
            f"S3 answered 403 Forbidden to {action} {path} ({where}): either the credentials are wrong "
            f"({CREDENTIALS_HINT}) or they lack {iam_action}; {POLICY_HINT}."
        )
    if code in _MISSING_CODES or (code is None and isinstance(error, FileNotFoundError)):
        return StorageError(f"{path} does not exist in {where} (could not {action} it).")
    return StorageError(f"Could not {action} {path} ({where}): {code + ': ' if code else ''}{message}.")


@contextlib.contextmanager
def translate_errors(path: UPath, action: str) -> Iterator[None]:
    """Re-raise storage failures inside the block as a StorageError about `action` on `path`."""
    try:
        yield
    except StorageError:
        raise
    except Exception as error:
        if not _is_storage_failure(error):
            raise
        raise storage_failure(error, path, action) from error
