"""A month interrupted before an upgrade that changed `raw_evaluations` restarts cleanly after it.

Its part files lack the new columns, so combining them with new parts would fail (or mix
schemas); the extractor must ignore that checkpoint, drop the old parts and fetch the month again.
"""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from upath import UPath

from genesys_quality.extraction import Checkpoint
from genesys_quality.extraction.checkpoint import CHECKPOINT_FILE
from genesys_quality.storage.parquet import combine_parts
from genesys_quality_tests.extraction.test_search_windows import MONTH, Crash, extract, sim  # noqa: F401


def test_a_checkpoint_whose_parts_have_an_older_schema_is_not_resumed_and_the_month_is_fetched_again(sim, tmp_path):  # noqa: F811
    oracle = [e["id"] for e in sim.org.evaluations_in_month(MONTH)]
    work_dir = tmp_path / "work"

    def crash(checkpoint):
        if checkpoint.pages_done >= 3:
            raise Crash()

    with pytest.raises(Crash):
        extract(sim, work_dir, page_size=5, pages_per_part=1, on_part=crash)
    # Make the saved state look like an older release's: parts without the typed answer column,
    # and a checkpoint that predates the schema fingerprint.
    saved = json.loads((work_dir / CHECKPOINT_FILE).read_text())
    for name in saved["parts"]:
        part = work_dir / name
        pq.write_table(pq.read_table(part).drop_columns(["question_group_scores"]), part)
    del saved["parts_schema"]
    (work_dir / CHECKPOINT_FILE).write_text(json.dumps(saved))
    assert Checkpoint.load(UPath(work_dir), MONTH, "search") is None

    result, ids, searches = extract(sim, work_dir, page_size=5, pages_per_part=1)

    assert not result.resumed and sorted(ids) == sorted(oracle)
    assert searches == result.pages_fetched_this_run == len(oracle) // 5 + 1
    assert combine_parts(result.parts, UPath(tmp_path / "raw.parquet")) == len(oracle)
    assert "question_group_scores" in pq.read_schema(tmp_path / "raw.parquet").names
