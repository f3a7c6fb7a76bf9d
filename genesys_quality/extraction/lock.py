"""One extraction of a month at a time: a second run for the same month refuses instead of mixing files.

Two runs extracting one month into the same work folder would overwrite each other's part files
and checkpoint, and the first to finish would delete the folder under the other. Dagster's run
queue already keeps runs of one partition apart (dagster.yaml); this lock covers what bypasses
the queue (`dagster asset materialize`, scripts, notebooks). It is an OS file lock (flock), so
the kernel releases it when its holder dies, even by SIGKILL: a crashed run never blocks the
next one. Object stores have no such lock; on s3:// the run queue is the guard.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from upath import UPath


class MonthBusyError(RuntimeError):
    """Another process is extracting the same month into the same storage right now."""


def _is_local(path: UPath) -> bool:
    return getattr(path, "protocol", "") in ("", "file", "local")


@contextlib.contextmanager
def extraction_lock(work_dir: UPath, month: str) -> Iterator[None]:
    """Hold the month's extraction lock (a `.<month>.lock` file beside `work_dir`) or raise `MonthBusyError`."""
    if not _is_local(work_dir):
        yield
        return
    lock_path = Path(work_dir.path).parent / f".{month}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 256, 0).decode("utf-8", errors="replace").strip() or "another process"
            raise MonthBusyError(
                f"Month {month} is already being extracted into {work_dir} by {holder}. Runs for one month must "
                "not overlap: let that run finish, then re-run this one (under `dagster dev` or the daemon, the "
                "run queue of dagster.yaml does this for you)."
            ) from None
        os.ftruncate(fd, 0)
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        os.pwrite(fd, f"process {os.getpid()} on {socket.gethostname()} (since {started})".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
