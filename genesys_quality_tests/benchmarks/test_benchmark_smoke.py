"""The scale benchmark at CI size: every stage runs for real (processes, HTTP, DuckDB), correctness is asserted.

Timings are printed by the benchmark, never asserted here: a CI machine's speed is not a contract.
"""

from __future__ import annotations

import math

import pytest

from benchmarks import stages
from benchmarks.run import run_benchmark

N = 300


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    lines = []
    result = run_benchmark(N, seed=42, out=tmp_path_factory.mktemp("benchmark"), time_scale=20, log=lines.append)
    print("\n".join(lines))
    return result


@pytest.mark.slow
def test_all_three_normalizers_produce_the_same_item_scores(results):
    compare = results["stages"]["compare"]
    assert compare["same_key_sets"], compare
    assert set(compare["row_counts"]) == {"project", "duckdb_sql", "row_loop"}
    assert len(set(compare["row_counts"].values())) == 1
    for other, differences in compare["against"].items():
        assert differences["all_columns_equal"], (other, differences)


@pytest.mark.slow
def test_extraction_sends_one_request_per_page_and_form_and_is_never_throttled(results):
    extract, forms = results["stages"]["extract"], results["stages"]["template_versions"]
    served = extract["rows"]
    assert extract["pages"] == math.ceil((served + 1) / 100)
    assert extract["requests"] == extract["pages"] + 1 and extract["tokens"] == 1
    assert forms["requests"] == forms["form_contexts"] + 1  # the versions listing carries each version in full
    assert extract["requests"] + forms["requests"] <= math.ceil(served / 100) + forms["form_versions"] + 2
    assert extract["failures"] == forms["failures"] == 0
    assert extract["throttled_429"] == forms["throttled_429"] == results["simulator"]["rate_limited_429"] == 0


@pytest.mark.slow
def test_rerunning_an_unchanged_month_writes_no_rows(results):
    first, rerun = results["stages"]["warehouse_first_load"], results["stages"]["warehouse_unchanged_rerun"]
    assert first["inserted"] + first["deferred_rows"] == first["staged"] == results["stages"]["normalize"]["rows"]
    assert rerun["rows_written"] == 0 and rerun["unchanged"] == first["inserted"]


@pytest.mark.slow
def test_every_correctness_verdict_holds_and_every_stage_reports_its_figures(results):
    failed = [v for v in results["verdicts"] if v["kind"] == "correctness" and not v["ok"]]
    assert not failed, failed
    for name, stage in results["stages"].items():
        assert stage["seconds"] >= 0 and stage["peak_rss_mib"] > 0, name


def test_the_benchmark_normalizes_in_batches_of_the_assets_size():
    from genesys_quality import assets

    assert stages.NORMALIZE_BATCH_EVALUATIONS == assets.NORMALIZE_BATCH_EVALUATIONS
