import threading

import pyarrow
import pytest

from genesys_quality.transform.normalize import normalize_items
from genesys_quality.transform.raw import evaluations_to_raw
from genesys_quality.transform.stream import normalize_stream
from genesys_quality_tests.transform import fixtures
from genesys_quality_tests.transform.synthetic import replicate


@pytest.fixture(scope="module")
def raw() -> pyarrow.Table:
    return evaluations_to_raw(replicate(fixtures.month_evaluations(), 45), fixtures.MONTH)


def _batches(raw: pyarrow.Table, size: int = 7):
    for start in range(0, raw.num_rows, size):
        yield raw.slice(start, size)


def test_streamed_batches_reach_every_consumer_in_order_with_the_rows_of_one_batch(raw):
    written, checked, threads = [], [], set()

    def write(raw_batch, items):
        threads.add(threading.current_thread().name)
        written.append(items)

    evaluations = normalize_stream(_batches(raw), fixtures.templates(), [write, lambda r, i: checked.append(r)])
    assert evaluations == raw.num_rows
    assert pyarrow.concat_tables(written).combine_chunks().equals(normalize_items(raw, fixtures.templates()).combine_chunks())
    assert pyarrow.concat_tables(checked).equals(raw)
    assert threading.current_thread().name not in threads  # the write ran behind, on its own thread


def test_a_failing_consumer_stops_the_stream_and_its_error_is_raised(raw):
    read = []

    def batches():
        for batch in _batches(raw, 3):
            read.append(batch)
            yield batch

    def write(raw_batch, items):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        normalize_stream(batches(), fixtures.templates(), [write])
    assert len(read) < raw.num_rows / 3  # the reader stopped early instead of reading the whole month


def test_a_failing_read_is_raised_in_the_caller_and_the_source_is_closed(raw):
    closed = threading.Event()

    def batches():
        try:
            yield raw.slice(0, 5)
            raise ValueError("row group 2 is corrupt")
        finally:
            closed.set()

    with pytest.raises(ValueError, match="corrupt"):
        normalize_stream(batches(), fixtures.templates(), [lambda r, i: None])
    assert closed.is_set()


def test_a_malformed_batch_stops_the_stream_without_handing_it_to_the_consumers(raw):
    def drop_id(ev):
        del ev["answers"]["questionGroupScores"][0]["questionScores"][0]["questionId"]

    bad = evaluations_to_raw(fixtures.replace_in(fixtures.month_evaluations(), "ev-multi", drop_id), fixtures.MONTH)
    seen = []
    with pytest.raises(ValueError, match="ev-multi.*questionId"):
        normalize_stream(iter([raw.slice(0, 5), bad, raw.slice(5, 5)]), fixtures.templates(), [lambda r, i: seen.append(r)])
    assert [batch.num_rows for batch in seen] in ([], [5])
