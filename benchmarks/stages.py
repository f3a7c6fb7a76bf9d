"""One benchmark stage per process: `python -m benchmarks.stages NAME PARAMS.json RESULT.json`.

Each stage composes the libraries exactly as `genesys_quality/assets.py` does, without Dagster (so
the figures are the libraries', not Dagster's), times only its own work (imports excluded) and
reports its process's peak RSS, which a separate process keeps from being hidden by another
stage's peak.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
from upath import UPath

NORMALIZE_BATCH_EVALUATIONS = 2_000
"""As `genesys_quality.assets.NORMALIZE_BATCH_EVALUATIONS` (not imported: that module imports Dagster)."""


def peak_rss_mib() -> float:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class Timer:
    def __enter__(self) -> "Timer":
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc_info) -> None:
        self.seconds = time.perf_counter() - self.started
        self.cpu_seconds = time.process_time() - self.cpu_started


def generate(jsonl: str, month: str, evaluations: int, seed: int) -> dict:
    """A month as the search endpoint returns it, one JSON evaluation per line, streamed to disk."""
    from genesys_quality.simulator import generate_month_jsonl

    with Timer() as timer:
        lines = generate_month_jsonl(jsonl, month, evaluations, seed)
    return {"rows": lines, "bytes": Path(jsonl).stat().st_size, **_times(timer)}


def extract(base_url: str, client_id: str, client_secret: str, month: str, work_dir: str, dest: str,
            requests_per_minute: float) -> dict:
    """`raw_evaluations`: MonthExtractor over HTTP, then the parts combined (as the asset does)."""
    from genesys_quality.extraction import MonthExtractor
    from genesys_quality.genesys import GenesysClient
    from genesys_quality.storage.parquet import combine_parts, remove_tree

    client = GenesysClient(client_id, client_secret, api_base_url=base_url, login_base_url=base_url,
                           requests_per_minute=requests_per_minute)
    with client, Timer() as timer:
        with Timer() as fetching:
            result = MonthExtractor(client, month, UPath(work_dir), page_size=100, pages_per_part=10).run()
        stats = client.stats
        rows = combine_parts(result.parts, UPath(dest))
        remove_tree(UPath(work_dir))
    achieved_per_minute = stats.requests / fetching.seconds * 60
    return {
        "rows": rows,
        "pages": result.pages,
        "duplicates_removed": result.rows - rows,
        **_request_fields(stats),
        "fetch_seconds": round(fetching.seconds, 3),
        "requests_per_minute_budget": requests_per_minute,
        "requests_per_minute_achieved": round(achieved_per_minute, 1),
        "budget_used": round(achieved_per_minute / requests_per_minute, 4),
        "bytes": Path(dest).stat().st_size,
        **_times(timer),
    }


def template_versions(base_url: str, client_id: str, client_secret: str, raw: str, cache_dir: str, dest: str,
                      requests_per_minute: float) -> dict:
    """`template_versions`: every form version the month references, pinned and flattened to rows."""
    from genesys_quality.extraction.forms import FormVersionCache, pin_form_versions
    from genesys_quality.genesys import GenesysClient
    from genesys_quality.storage.parquet import MonthParquet, write_table
    from genesys_quality.transform.forms import template_versions_table

    client = GenesysClient(client_id, client_secret, api_base_url=base_url, login_base_url=base_url,
                           requests_per_minute=requests_per_minute)
    with client, Timer() as timer:
        refs = MonthParquet(UPath(raw)).read(columns=["template_id", "template_context_id"])
        pairs = refs.group_by(["template_id", "template_context_id"]).aggregate([]).to_pylist()
        references = {row["template_id"]: row["template_context_id"] for row in pairs}
        pinned = pin_form_versions(client, references, FormVersionCache(UPath(cache_dir)))
        table = template_versions_table(pinned.forms)
        write_table(table, UPath(dest))
        stats = client.stats
    contexts = {form.get("contextId") for form, _ in pinned.forms}
    return {
        "rows": table.num_rows,
        "form_versions": len(pinned.forms),
        "form_contexts": len(contexts),
        "missing": len(pinned.missing),
        **_request_fields(stats),
        **_times(timer),
    }


def normalize(raw: str, template_versions: str, dest: str) -> dict:
    """`normalized_items`: raw batches through `normalize_stream` into one streamed Parquet file (as the asset does)."""
    from genesys_quality.storage.parquet import MonthParquet, StreamingParquetWriter
    from genesys_quality.transform import schemas
    from genesys_quality.transform.normalize import STATISTICS_COLUMNS, raw_columns
    from genesys_quality.transform.stream import normalize_stream

    with Timer() as timer:
        forms = MonthParquet(UPath(template_versions)).read()
        month = MonthParquet(UPath(raw))
        batches = month.iter_batches(NORMALIZE_BATCH_EVALUATIONS, columns=raw_columns(month.schema()))
        schema = schemas.arrow_schema(schemas.NormalizedItems)
        with StreamingParquetWriter(UPath(dest), schema, write_statistics=STATISTICS_COLUMNS) as writer:
            evaluations = normalize_stream(batches, forms, [lambda raw_batch, items: writer.write(items)])
    return {"rows": writer.rows, "evaluations": evaluations, **_times(timer)}


def reference_duckdb(jsonl: str, template_versions: str, dest: str, month: str) -> dict:
    from benchmarks.references import duckdb_normalize

    with Timer() as timer:
        rows = duckdb_normalize(Path(jsonl), Path(template_versions), Path(dest), month)
    return {"rows": rows, **_times(timer)}


def reference_row_loop(jsonl: str, template_versions: str, dest: str, month: str) -> dict:
    from benchmarks.references import row_loop_normalize

    with Timer() as timer:
        rows = row_loop_normalize(Path(jsonl), Path(template_versions), Path(dest), month)
    return {"rows": rows, **_times(timer)}


def warehouse(database: str, month: str, normalized: str) -> dict:
    """`quality_evaluations`: the month's rows staged in batches and MERGEd (as the asset does)."""
    from genesys_quality.storage.parquet import MonthParquet
    from genesys_quality.warehouse import DuckDBWarehouse

    items = MonthParquet(UPath(normalized))
    staged_at = {}

    def batches():
        yield from items.iter_batches()
        staged_at["seconds"] = time.perf_counter()

    with Timer() as timer:
        target = DuckDBWarehouse(database)
        target.ensure_tables()
        result = target.load_month(month=month, batches=batches(), expected_rows=items.num_rows())
    staging = staged_at["seconds"] - timer.started
    return {
        "rows": result.staged,
        **{k: v for k, v in result.as_dict().items() if k not in ("month", "seconds")},
        "rows_written": result.inserted + result.updated + result.soft_deleted + result.history_rows_written,
        "staging_seconds": round(staging, 3),
        "merge_seconds": round(timer.seconds - staging, 3),
        **_times(timer),
    }


def compare(outputs: dict[str, str], memory_limit: str = "1GB", temp_dir: str | None = None) -> dict:
    """Whether every normalizer produced the same multiset of (evaluation_id, question_id, item_score).

    The first output is compared with each other one exactly, in both directions (EXCEPT ALL;
    DuckDB spills to `temp_dir` beyond `memory_limit`), and on all columns by a multiset
    fingerprint (the sum of the rows' hashes), which stays cheap at tens of millions of rows.
    """
    import duckdb

    key = "evaluation_id, question_id, item_score"
    names = list(outputs)
    connection = duckdb.connect()
    connection.execute(f"SET memory_limit = '{memory_limit}'")
    connection.execute("SET preserve_insertion_order = false")
    if temp_dir:
        connection.execute(f"SET temp_directory = '{temp_dir}'")

    def differing(left: str, right: str) -> int:
        text = (f"SELECT count(*) FROM (SELECT {key} FROM read_parquet($left) "
                f"EXCEPT ALL SELECT {key} FROM read_parquet($right))")
        return connection.execute(text, {"left": outputs[left], "right": outputs[right]}).fetchone()[0]

    def fingerprint(name: str) -> str:
        text = "SELECT sum(hash(t)::HUGEINT) FROM read_parquet($path) AS t"
        return str(connection.execute(text, {"path": outputs[name]}).fetchone()[0])

    with Timer() as timer:
        rows = {name: pq.ParquetFile(path).metadata.num_rows for name, path in outputs.items()}
        first = names[0]
        first_fingerprint = fingerprint(first)
        pairs = {}
        for other in names[1:]:
            pairs[other] = {
                "keys_only_in_" + first: differing(first, other),
                "keys_only_in_" + other: differing(other, first),
                "all_columns_equal": fingerprint(other) == first_fingerprint,
            }
        connection.close()
    same_keys = len(set(rows.values())) == 1 and all(
        p["keys_only_in_" + first] == 0 and p["keys_only_in_" + other] == 0 for other, p in pairs.items()
    )
    return {"rows": rows[first], "row_counts": rows, "against": pairs, "same_key_sets": same_keys, **_times(timer)}


def _request_fields(stats) -> dict:
    return {
        "requests": stats.requests,
        "tokens": stats.tokens_fetched,
        "retries": stats.retries,
        "throttled_429": stats.throttled,
        "failures": stats.failures,
        "bytes_received": stats.bytes_received,
        "by_endpoint": stats.by_endpoint,
    }


def _times(timer: Timer) -> dict:
    return {"seconds": round(timer.seconds, 3), "cpu_seconds": round(timer.cpu_seconds, 3)}


STAGES = {
    "generate": generate,
    "extract": extract,
    "template_versions": template_versions,
    "normalize": normalize,
    "reference_duckdb": reference_duckdb,
    "reference_row_loop": reference_row_loop,
    "compare": compare,
    "warehouse": warehouse,
}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in STAGES:
        print(f"usage: python -m benchmarks.stages {{{','.join(STAGES)}}} PARAMS.json RESULT.json", file=sys.stderr)
        return 2
    name, params, result_path = argv
    result = STAGES[name](**json.loads(Path(params).read_text()))
    result["peak_rss_mib"] = peak_rss_mib()
    Path(result_path).write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
