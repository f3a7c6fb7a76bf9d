"""Every evaluation whose `createdDate` falls in one UTC month, streamed to Parquet part files.

Pages are buffered a few at a time and written as a part; the checkpoint is saved after each
part, so memory never grows with the month and a killed run resumes without refetching the
pages already on disk. Two strategies (genesys-api.md §1):

- `search` (default): `POST /evaluations/search` with a createdDate window. Deep page numbers
  are avoided by restarting the window at the last createdDate seen every `window_pages` pages,
  which is also how a resumed run continues. The new window leaves out (`NOT evaluationId`) the
  evaluations already read at that createdDate, so a restart re-reads nothing while an unread
  evaluation sharing it is still found; any overlap left is removed by de-duplication. The month
  then costs ⌈(N + 1) / page_size⌉ pages: search has no total, so it ends on a short page (an
  empty one when N is a multiple of the page size).
  The window is sent as [month start, next month start): the project reads DATE_RANGE as
  half-open, and were Genesys to include its end, an evaluation created at the next month's first
  millisecond would be dropped here as outside the month (never one of this month's last).
- `query`: for clients without `quality:evaluation:searchAny`: list users, then
  `GET /evaluations/query?evaluatorUserId=…` per user over an assigned-date window from the
  month start to 90 days after its end (evaluations stay editable 90 days), keeping those
  created in the month. It resumes at user granularity.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TypeVar

import pyarrow as pa
from upath import UPath

from genesys_quality.extraction.checkpoint import Checkpoint
from genesys_quality.extraction.malformed import MalformedMonthError, raw_rows
from genesys_quality.genesys.search import excluding_evaluations
from genesys_quality.storage.parquet import ParquetParts, remove_tree, write_table
from genesys_quality.transform import schemas
from genesys_quality.transform.fields import FieldTypeError
from genesys_quality.transform.raw import month_of

STRATEGIES = ("search", "query")
T = TypeVar("T")
EDITABLE_DAYS = 90


def month_window(month: str) -> tuple[datetime, datetime]:
    """[start, end) of a `YYYY-MM-01` month in UTC."""
    start = datetime.strptime(month, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    if start.day != 1:
        raise ValueError(f"Month {month!r} must be the first day of a month (YYYY-MM-01).")
    end = (start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1))
    return start, end


@dataclass
class ExtractionResult:
    month: str
    strategy: str
    rows: int
    pages: int
    parts: ParquetParts
    seconds: float
    resumed: bool
    pages_fetched_this_run: int
    outside_month: int
    high_water_changed: str | None
    request_stats: dict = field(default_factory=dict)


@dataclass
class MonthExtractor:
    """Extract one month with `client` into `work_dir` (parts + checkpoint)."""

    client: object
    month: str
    work_dir: UPath
    strategy: str = "search"
    page_size: int = 100
    pages_per_part: int = 10
    window_pages: int = 100
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    on_part: Callable[[Checkpoint], None] | None = None
    """Called after each part is safely saved (progress logging; tests use it to simulate a crash)."""

    _buffer: list[dict] = field(default_factory=list, init=False)
    _buffer_pages: int = field(default=0, init=False)

    def __post_init__(self):
        if self.strategy not in STRATEGIES:
            raise ValueError(f"Unknown extraction strategy {self.strategy!r}: use one of {', '.join(STRATEGIES)}.")
        if not 1 <= self.page_size <= 100:
            raise ValueError(f"page_size must be between 1 and 100 (Genesys caps pages at 100), got {self.page_size}.")
        self.start, self.end = month_window(self.month)

    def run(self) -> ExtractionResult:
        started = time.monotonic()
        self.work_dir.mkdir(parents=True, exist_ok=True)
        checkpoint = Checkpoint.load(self.work_dir, self.month, self.strategy)
        resumed = checkpoint is not None and (checkpoint.pages_done > 0 or checkpoint.complete)
        if checkpoint is None:
            self._remove_stale_parts()
            checkpoint = Checkpoint(month=self.month, strategy=self.strategy)
        self._outside = 0
        self._fetched = 0
        if not checkpoint.complete:
            pages = self._search_pages(checkpoint) if self.strategy == "search" else self._query_pages(checkpoint)
            for _ in pages:
                pass
            self._flush(checkpoint)
            if checkpoint.malformed:
                remove_tree(self.work_dir)  # the parts lack the malformed evaluations: never resume from them
                raise MalformedMonthError(self.month, checkpoint.malformed)
            checkpoint.complete = True
            checkpoint.save(self.work_dir)
        parts = ParquetParts(
            parts=tuple(self.work_dir / name for name in checkpoint.parts),
            schema=schemas.arrow_schema(schemas.RawEvaluations),
            dedup_key="evaluation_id",
            order_by="date_modified",
            cleanup=self.work_dir,
        )
        return ExtractionResult(
            month=self.month,
            strategy=self.strategy,
            rows=checkpoint.rows_written,
            pages=checkpoint.pages_done,
            parts=parts,
            seconds=time.monotonic() - started,
            resumed=resumed,
            pages_fetched_this_run=self._fetched,
            outside_month=self._outside,
            high_water_changed=checkpoint.high_water_changed,
        )

    # -- strategies ---------------------------------------------------------------------------

    def _search_pages(self, checkpoint: Checkpoint) -> Iterator[None]:
        window_start = _parse_iso(checkpoint.window_start) if checkpoint.window_start else self.start
        excluded = list(checkpoint.window_excluded)
        next_page = checkpoint.window_page + 1
        while True:
            pages = _prefetched(
                self.client.search_evaluation_pages(
                    window_start, self.end, date_field="createdDate", page_size=self.page_size,
                    start_page=next_page, extra_criteria=[excluding_evaluations(excluded)] if excluded else None,
                ),
                last=lambda page, start=window_start, first=next_page: (
                    page.is_last or self._restart_at(page, start, first) is not None
                ),
            )
            restarted = False
            with contextlib.closing(pages):
                for page in pages:
                    self._take(page.evaluations, checkpoint)
                    checkpoint.window_start = window_start.isoformat()
                    checkpoint.window_excluded = excluded
                    if self._buffer_pages >= self.pages_per_part or page.is_last:
                        self._flush(checkpoint, window_page=page.page_number)
                    yield None
                    if page.is_last:
                        return
                    newest = self._restart_at(page, window_start, next_page)
                    if newest is not None:
                        self._flush(checkpoint, window_page=page.page_number)
                        window_start, next_page = newest, 1
                        excluded = _read_at(page.evaluations, newest)
                        checkpoint.window_start, checkpoint.window_page = window_start.isoformat(), 0
                        checkpoint.window_excluded = excluded
                        checkpoint.save(self.work_dir)
                        restarted = True
                        break
            if not restarted:
                return

    def _restart_at(self, page, window_start: datetime, first_page: int) -> datetime | None:
        """The next window's start when `page` ends a window of `window_pages` pages (never the last page)."""
        if page.is_last or not page.evaluations or page.page_number < first_page + self.window_pages - 1:
            return None
        newest = _created(page.evaluations[-1])
        return newest if newest is not None and newest > window_start else None

    def _query_pages(self, checkpoint: Checkpoint) -> Iterator[None]:
        window_end = min(self.end + timedelta(days=EDITABLE_DAYS), self.now() + timedelta(days=1))
        done = set(checkpoint.users_done)
        for user in self.client.list_users():
            user_id = user["id"]
            if user_id in done:
                continue
            user_pages = self.client.query_evaluation_pages(
                evaluator_user_id=user_id, start_time=self.start, end_time=window_end, page_size=self.page_size
            )
            for page in _prefetched(user_pages, last=lambda page: page.is_last):
                self._take(page.evaluations, checkpoint)
                if self._buffer_pages >= self.pages_per_part:
                    self._flush(checkpoint)
                yield None
            self._flush(checkpoint)
            checkpoint.users_done.append(user_id)
            checkpoint.save(self.work_dir)

    # -- buffering ----------------------------------------------------------------------------

    def _take(self, evaluations: list[dict], checkpoint: Checkpoint) -> None:
        self._fetched += 1
        self._buffer_pages += 1
        for evaluation in evaluations:
            created = evaluation.get("createdDate") if isinstance(evaluation, dict) else None
            if isinstance(created, str) and _month_or_none(created) not in (self.month, None):
                self._outside += 1
                continue
            self._buffer.append(evaluation)

    def _flush(self, checkpoint: Checkpoint, window_page: int | None = None) -> None:
        """Write the buffered pages as one part, then record them in the checkpoint."""
        if self._buffer_pages == 0:
            return
        table, malformed = raw_rows(self._buffer, self.month) if self._buffer else (None, [])
        checkpoint.malformed.extend(m.as_dict() for m in malformed)
        if table is not None and table.num_rows:
            name = f"part-{len(checkpoint.parts) + 1:06d}.parquet"
            write_table(table, self.work_dir / name)
            checkpoint.parts.append(name)
            checkpoint.rows_written += table.num_rows
            checkpoint.high_water_changed = _max_iso(checkpoint.high_water_changed, table)
        checkpoint.pages_done += self._buffer_pages
        if window_page is not None:
            checkpoint.window_page = window_page
        checkpoint.save(self.work_dir)
        self._buffer, self._buffer_pages = [], 0
        if self.on_part:
            self.on_part(checkpoint)

    def _remove_stale_parts(self) -> None:
        """Parts not named by a checkpoint are leftovers of a crash before the first save."""
        for stale in self.work_dir.glob("part-*.parquet"):
            stale.unlink()


def _prefetched(pages: Iterator[T], last: Callable[[T], bool]) -> Iterator[T]:
    """`pages`, with the next page fetched in a background thread while the caller works on this one.

    The HTTP round trip (and Genesys's time to build the page) then overlaps the conversion and
    the Parquet write of the previous page, so a single-threaded extraction can keep up with the
    rate budget. Fetching stops after a page for which `last` is true, so no request is sent that
    the caller would not have sent; the client is thread-safe and its budget paces both threads.
    Errors are raised in the caller, in page order; leaving the loop early cancels the fetching.
    """
    handoff: queue.Queue = queue.Queue(maxsize=1)
    cancelled = threading.Event()

    def put(item) -> bool:
        while not cancelled.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def fetch() -> None:
        try:
            for page in pages:
                if not put(("page", page)) or last(page):
                    break
            put(("end", None))
        except BaseException as error:  # handed to the caller, which raises it
            put(("error", error))
        finally:
            pages_close = getattr(pages, "close", None)
            if pages_close:
                pages_close()

    worker = threading.Thread(target=fetch, name="genesys-page-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "page":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        cancelled.set()
        worker.join()


def _month_or_none(created: str) -> str | None:
    """The month of a createdDate, or None when it is not a date (reported as malformed, not dropped)."""
    try:
        return month_of(created)
    except FieldTypeError:
        return None


def _read_at(evaluations: list[dict], newest: datetime) -> list[str]:
    """Ids of the page's trailing evaluations created at `newest`: the next window starts at that
    createdDate and leaves them out, so a restart re-reads none of them. Ties on earlier pages (a
    page made only of ties) are not listed: the window then re-reads them and de-duplication drops
    them, so the exclusion never needs to be complete to be correct."""
    ids: list[str] = []
    for evaluation in reversed(evaluations):
        if _created(evaluation) != newest:
            break
        if isinstance(evaluation.get("id"), str) and evaluation["id"]:
            ids.append(evaluation["id"])
    return ids[::-1]


def _created(evaluation) -> datetime | None:
    """An evaluation's createdDate, or None when it has none that parses (it is reported as malformed)."""
    value = evaluation.get("createdDate") if isinstance(evaluation, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return _parse_iso(value)
    except ValueError:
        return None


def _parse_iso(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _max_iso(current: str | None, table: pa.Table) -> str | None:
    import pyarrow.compute as pc

    newest = pc.max(table.column("date_modified")).as_py()
    if newest is None:
        return current
    candidate = newest.isoformat()
    if current is None:
        return candidate
    return max(current, candidate, key=_parse_iso)
