"""A month through normalization batch by batch, in bounded memory, with both cores busy.

Run one after the other, the Parquet decode of the next raw batch and the encode of the previous
batch's items (each single-threaded in Arrow, without the GIL) leave a core idle while the other
normalizes. Here a reader thread decodes ahead and each consumer (the Parquet writer, the checks)
runs on its own thread behind, all through queues of `DEPTH` batches: a month of any size holds at
most a handful of batches. Batches stay in order; the first error of any thread stops the others
and is raised in the caller's thread, after every thread has finished (so a writer is never closed
while another thread still writes to it).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Sequence

import pyarrow

from genesys_quality.transform.lookup import TemplateLookup
from genesys_quality.transform.normalize import normalize_items

DEPTH = 1
"""Batches waiting in each queue (besides the one each thread works on)."""
_POLL_SECONDS = 0.05
_END = object()


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def normalize_stream(
    raw_batches: Iterable[pyarrow.Table],
    template_versions: pyarrow.Table,
    consumers: Sequence[Callable[[pyarrow.Table, pyarrow.Table], None]],
) -> int:
    """Normalize every raw batch and hand `(raw_batch, items)` to each consumer, in order; returns the evaluations seen."""
    lookup = TemplateLookup.build(template_versions)
    stop = threading.Event()
    raw_queue: queue.Queue = queue.Queue(DEPTH)
    item_queues = [queue.Queue(DEPTH) for _ in consumers]
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_read, args=(raw_batches, raw_queue, stop), name="normalize-read", daemon=True)]
    threads += [
        threading.Thread(target=_consume, args=(consume, items, stop, errors), name=f"normalize-write-{n}", daemon=True)
        for n, (consume, items) in enumerate(zip(consumers, item_queues))
    ]
    for thread in threads:
        thread.start()
    evaluations = 0
    try:
        while not stop.is_set():
            raw = _get(raw_queue, stop)
            if raw is _END or raw is None:
                break
            if isinstance(raw, _Failed):
                raise raw.error
            items = normalize_items(raw, lookup)
            for item_queue in item_queues:
                _put(item_queue, (raw, items), stop)
            evaluations += raw.num_rows
            del raw, items
        for item_queue in item_queues:
            _put(item_queue, _END, stop)
        for thread in threads[1:]:
            thread.join()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return evaluations


def _read(batches: Iterable[pyarrow.Table], out: queue.Queue, stop: threading.Event) -> None:
    iterator = iter(batches)
    try:
        for batch in iterator:
            if not _put(out, batch, stop):
                return
        _put(out, _END, stop)
    except BaseException as error:  # handed to the caller's thread, which raises it
        _put(out, _Failed(error), stop)
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()  # a generator's `with` blocks (open files) end in the thread that ran it


def _consume(consume: Callable, items: queue.Queue, stop: threading.Event, errors: list) -> None:
    while True:
        work = _get(items, stop)
        if work is _END or work is None:
            return
        try:
            consume(*work)
        except BaseException as error:  # the caller's thread raises it once every thread has stopped
            errors.append(error)
            stop.set()
            return
        del work


def _put(out: queue.Queue, item, stop: threading.Event) -> bool:
    """Put `item`, waiting for room unless stopped; whether it was put."""
    while not stop.is_set():
        try:
            out.put(item, timeout=_POLL_SECONDS)
            return True
        except queue.Full:
            continue
    return False


def _get(source: queue.Queue, stop: threading.Event):
    """The next item, or None once stopped."""
    while not stop.is_set():
        try:
            return source.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            continue
    return None
