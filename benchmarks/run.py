"""`python -m benchmarks.run --n 10000 --seed 42 --out benchmarks/out`: one month of N evaluations, every stage.

1. generate the month with the simulator's generator, streamed to a JSON-lines file (as search returns it);
2. serve the same month from the simulator in its own process, rate-limited to 300 requests/min × the
   time scale, and extract it over HTTP with a client held to the same budget;
3. pin its template versions over HTTP; 4. normalize it (the project's normalizer);
5. the two reference normalizers on the JSON lines: DuckDB SQL, and the row loop (N ≤ --row-loop-max);
6. check that all produce the same (evaluation_id, question_id, item_score) multiset;
7. MERGE into a DuckDB warehouse file, then again unchanged.

Each stage runs in its own process (`benchmarks.stages`) and reports rows, seconds, rows/s, requests
and peak RSS; the summary prints the targets of issue 7 with the measured figures. Correctness
failures (different key sets, failed requests, 429s, rows written by the unchanged re-run) make the
exit status 1; timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import summary_lines, verdicts
from benchmarks.simulator_process import REPO, SimulatorProcess, SimulatorSettings

BASE_REQUESTS_PER_MINUTE = 300
"""Genesys's rate limit per client-credentials token (genesys-api.md §5.4)."""
CLIENT_ID, CLIENT_SECRET = "demo-client", "demo-secret"
"""The simulator's demo credentials (not a secret)."""


def run_stage(name: str, params: dict, work: Path) -> dict:
    """Run one stage in a fresh interpreter and return its result (with its own peak RSS)."""
    params_path, result_path = work / f".{name}.params.json", work / f".{name}.result.json"
    params_path.write_text(json.dumps(params))
    result_path.unlink(missing_ok=True)
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.stages", name, str(params_path), str(result_path)],
        cwd=REPO, capture_output=True, text=True,
    )
    if completed.returncode != 0 or not result_path.exists():
        raise RuntimeError(f"stage {name} failed (exit {completed.returncode}):\n{completed.stderr[-4000:]}")
    result = json.loads(result_path.read_text())
    result["process_seconds"] = round(time.perf_counter() - started, 3)
    params_path.unlink()
    result_path.unlink()
    return result


def run_benchmark(
    n: int,
    seed: int,
    out: Path,
    month: str = "2026-10-01",
    time_scale: float = 2.0,
    row_loop_max: int = 100_000,
    keep: bool = False,
    log=print,
) -> dict:
    """Run every stage on one month of `n` evaluations; returns the results (also written to results.json)."""
    work = Path(out).resolve() / f"n{n}-seed{seed}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    files = {
        name: str(work / file)
        for name, file in {
            "jsonl": "month.jsonl", "raw": "raw_evaluations.parquet", "extract_work": "_work",
            "form_cache": "_cache/form_versions", "template_versions": "template_versions.parquet",
            "normalized": "normalized_items.parquet", "reference_duckdb": "reference_duckdb.parquet",
            "reference_row_loop": "reference_row_loop.parquet", "warehouse": "warehouse.duckdb",
            "spill": "_spill",
        }.items()
    }
    rate = BASE_REQUESTS_PER_MINUTE * time_scale
    results: dict = {
        "n": n, "seed": seed, "month": month, "time_scale": time_scale,
        "requests_per_minute": rate, "stages": {},
    }
    stages = results["stages"]

    def stage(name: str, params: dict, key: str | None = None) -> None:
        """Run a stage; a failure is recorded (and shown) instead of losing the figures of the others."""
        key = key or name
        log(f"[{time.strftime('%H:%M:%S')}] {key} ...")
        try:
            stages[key] = run_stage(name, params, work)
            log(f"           {_short(stages[key])}")
        except RuntimeError as error:
            stages[key] = {"error": str(error)[-3000:]}
            log(f"           FAILED: {_last_line(str(error))}")
        (work / "results.json").write_text(json.dumps(results, indent=2))

    stage("generate", {"jsonl": files["jsonl"], "month": month, "evaluations": n, "seed": seed})
    settings = SimulatorSettings(seed=seed, month=month, evaluations=n, requests_per_minute=rate)
    with SimulatorProcess(settings) as simulator:
        client = {"base_url": simulator.base_url, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                  "requests_per_minute": rate}
        before = simulator.stats()
        stage("extract", {**client, "month": month, "work_dir": files["extract_work"], "dest": files["raw"]})
        stage("template_versions", {**client, "raw": files["raw"], "cache_dir": files["form_cache"],
                                    "dest": files["template_versions"]})
        after = simulator.stats()
        results["simulator"] = {
            "rate_limited_429": after["rate_limited"] - before["rate_limited"],
            "responses": {code: count - before["responses"].get(code, 0) for code, count in after["responses"].items()},
            "peak_rss_mib": simulator.peak_rss_mib(),
        }
    stage("normalize", {"raw": files["raw"], "template_versions": files["template_versions"],
                        "dest": files["normalized"]})
    reference = {"jsonl": files["jsonl"], "template_versions": files["template_versions"], "month": month}
    stage("reference_duckdb", {**reference, "dest": files["reference_duckdb"]})
    outputs = {"project": files["normalized"], "duckdb_sql": files["reference_duckdb"]}
    if n <= row_loop_max:
        stage("reference_row_loop", {**reference, "dest": files["reference_row_loop"]})
        outputs["row_loop"] = files["reference_row_loop"]
    if not keep:
        Path(files["jsonl"]).unlink(missing_ok=True)
    stage("compare", {"outputs": outputs, "temp_dir": files["spill"]})
    warehouse = {"database": files["warehouse"], "month": month, "normalized": files["normalized"]}
    stage("warehouse", warehouse, key="warehouse_first_load")
    stage("warehouse", warehouse, key="warehouse_unchanged_rerun")
    results["verdicts"] = verdicts(results)
    (work / "results.json").write_text(json.dumps(results, indent=2))
    if not keep:
        for name in ("raw", "normalized", "reference_duckdb", "reference_row_loop", "warehouse"):
            Path(files[name]).unlink(missing_ok=True)
        shutil.rmtree(files["spill"], ignore_errors=True)
    return results


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return next((line for line in reversed(lines) if "Error" in line), lines[-1] if lines else text)


def _short(result: dict) -> str:
    rate = f"{result['rows'] / result['seconds']:,.0f} rows/s" if result.get("seconds") else ""
    seconds, rss = result.get("seconds", 0), result["peak_rss_mib"]
    return f"{result.get('rows', 0):,} rows  {seconds:.2f} s  {rate}  peak RSS {rss:.0f} MiB"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, required=True, help="evaluations in the month")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    parser.add_argument("--month", default="2026-10-01", help="YYYY-MM-01")
    parser.add_argument("--time-scale", type=float, default=2.0,
                        help="run the 300 requests/min budget k times faster (simulator and client alike)")
    parser.add_argument("--row-loop-max", type=int, default=100_000,
                        help="skip the row-loop reference above this N (it holds every row as a dict: 5.7 GiB at 100k)")
    parser.add_argument("--keep", action="store_true", help="keep the data files (JSON lines, Parquet, DuckDB)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.n < 1:
        print("--n must be at least 1", file=sys.stderr)
        return 2
    results = run_benchmark(args.n, args.seed, args.out, args.month, args.time_scale, args.row_loop_max, args.keep)
    print()
    for line in summary_lines(results):
        print(line)
    return 0 if all(v["ok"] for v in results["verdicts"] if v["kind"] == "correctness") else 1


if __name__ == "__main__":
    sys.exit(main())
