"""The figures of a benchmark run, judged against issue 7's targets, as text or a Markdown table.

`python -m benchmarks.report benchmarks/out/*/results.json` prints the Markdown table of several
runs (the one in benchmarks/RESULTS.md); with `--compact`, one row per run (the README's).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

PIPELINE_STAGES = ("extract", "template_versions", "normalize", "warehouse_first_load", "warehouse_unchanged_rerun")
"""The stages of the month pipeline itself (generation, references and the comparison are not)."""
RSS_LIMIT_MIB = 1024
ROWS = (
    ("generate", "generate month (JSON lines)"),
    ("extract", "extraction over HTTP → raw Parquet"),
    ("template_versions", "template versions over HTTP"),
    ("normalize", "normalization (project)"),
    ("reference_duckdb", "reference: DuckDB SQL flatten"),
    ("reference_row_loop", "reference: row loop"),
    ("warehouse_first_load", "warehouse MERGE, first load"),
    ("warehouse_unchanged_rerun", "warehouse MERGE, unchanged re-run"),
)


def rows_per_second(stage: dict | None) -> float | None:
    if not _done(stage) or not stage.get("seconds"):
        return None
    return stage["rows"] / stage["seconds"]


def _done(stage: dict | None) -> bool:
    return stage is not None and "error" not in stage


def _error_line(stage: dict) -> str:
    lines = [line for line in stage["error"].splitlines() if line.strip()]
    return next((line for line in reversed(lines) if "Error" in line), lines[-1] if lines else "")


def verdicts(results: dict) -> list[dict]:
    """Each check with its kind: `correctness` (must hold at any size) or `target` (a performance goal).

    A check whose stages did not complete is left out; the failed stages are a correctness failure.
    """
    s = results["stages"]
    checks = []

    def check(kind: str, name: str, ok: bool, detail: str) -> None:
        checks.append({"kind": kind, "name": name, "ok": bool(ok), "detail": detail})

    def done(*names: str) -> bool:
        return all(_done(s.get(name)) for name in names)

    failed = [name for name, stage in s.items() if not _done(stage)]
    check("correctness", "every stage completed", not failed,
          "; ".join(f"{name}: {_error_line(s[name])}" for name in failed) or "all completed")
    if done("compare"):
        compare = s["compare"]
        check("correctness", "same (evaluation_id, question_id, item_score) multiset from every normalizer",
              compare["same_key_sets"], f"row counts {compare['row_counts']}; differences {compare['against']}")
    if done("extract", "template_versions"):
        extract, forms = s["extract"], s["template_versions"]
        failures = extract["failures"] + forms["failures"]
        check("correctness", "0 failed requests", failures == 0, f"{failures} failed")
        throttled = extract["throttled_429"] + forms["throttled_429"] + results["simulator"]["rate_limited_429"]
        check("correctness", "no 429 caused by the client", throttled == 0,
              f"client saw {extract['throttled_429'] + forms['throttled_429']}, simulator sent "
              f"{results['simulator']['rate_limited_429']}")
        requests = extract["requests"] + forms["requests"]
        tokens = extract["tokens"] + forms["tokens"]
        evaluations = extract["rows"]
        bound = math.ceil(evaluations / 100) + forms["form_versions"] + tokens
        pages = extract["pages"]
        check("correctness", "requests: search pages ≤ ⌈(N+1)/100⌉ (window restarts re-read nothing; search has "
              "no total, so the month ends on a short or empty page), one versions listing per form (plus a GET "
              "only for a version the listing did not carry in full), one token per client",
              pages <= math.ceil((evaluations + 1) / 100)
              and forms["form_contexts"] + forms["tokens"] <= forms["requests"]
              <= forms["form_contexts"] + forms["form_versions"] + forms["tokens"]
              and extract["tokens"] == 1 and forms["tokens"] == 1,
              f"{pages} pages for {evaluations:,} evaluations; {forms['requests']} requests for "
              f"{forms['form_versions']} versions of {forms['form_contexts']} forms")
        check("target", "requests ≤ ⌈N/100⌉ + form versions + tokens", requests <= bound,
              f"{requests} requests (extraction {extract['requests']}, template versions {forms['requests']}) "
              f"vs bound {bound} = ⌈{evaluations:,}/100⌉ + {forms['form_versions']} + {tokens}")
        check("target", "budget used ≥ 95%", extract["budget_used"] >= 0.95,
              f"{extract['requests_per_minute_achieved']:,.0f} of {extract['requests_per_minute_budget']:,.0f} "
              f"requests/min = {extract['budget_used']:.1%}")
    if done("warehouse_unchanged_rerun"):
        rerun = s["warehouse_unchanged_rerun"]
        check("correctness", "an unchanged re-run writes 0 rows", rerun["rows_written"] == 0,
              f"inserted {rerun['inserted']}, updated {rerun['updated']}, soft-deleted {rerun['soft_deleted']}, "
              f"history rows {rerun['history_rows_written']}")
    project, duckdb, loop = (rows_per_second(s.get(n)) for n in ("normalize", "reference_duckdb", "reference_row_loop"))
    if project and duckdb:
        check("target", "normalization ≥ 1.0× the DuckDB SQL reference", project >= duckdb,
              f"{project:,.0f} vs {duckdb:,.0f} rows/s = {project / duckdb:.2f}×")
    if project and loop:
        check("target", "normalization ≥ 15× the row loop", project >= 15 * loop,
              f"{project:,.0f} vs {loop:,.0f} rows/s = {project / loop:.1f}×")
    measured = [name for name in PIPELINE_STAGES if done(name)]
    if measured:
        peak = max(s[name]["peak_rss_mib"] for name in measured)
        check("target", f"peak RSS ≤ {RSS_LIMIT_MIB} MiB in every pipeline stage", peak <= RSS_LIMIT_MIB,
              f"max {peak:,.0f} MiB (" + ", ".join(f"{n} {s[n]['peak_rss_mib']:,.0f}" for n in measured) + ")")
    if done("warehouse_first_load", "warehouse_unchanged_rerun"):
        first, rerun = s["warehouse_first_load"], s["warehouse_unchanged_rerun"]
        fraction = rerun["merge_seconds"] / first["merge_seconds"] if first["merge_seconds"] else 0.0
        check("target", "unchanged re-run's MERGE ≤ 25% of the first load's", fraction <= 0.25,
              f"{rerun['merge_seconds']:.2f} s vs {first['merge_seconds']:.2f} s = {fraction:.0%} "
              f"(staging {rerun['staging_seconds']:.2f} s vs {first['staging_seconds']:.2f} s)")
    return checks


def summary_lines(results: dict) -> list[str]:
    s = results["stages"]
    served = s["extract"]["rows"] if _done(s.get("extract")) else "?"
    items = s["normalize"]["rows"] if _done(s.get("normalize")) else "?"
    lines = [
        f"Month {results['month']}: N = {results['n']:,} evaluations (seed {results['seed']}), "
        f"{served:,} served, {items:,} item rows; rate limit "
        f"{results['requests_per_minute']:,.0f}/min (300/min × {results['time_scale']:g})",
        "",
        f"{'stage':38s} {'rows':>12s} {'seconds':>9s} {'rows/s':>11s} {'requests':>9s} {'peak RSS MiB':>13s}",
    ]
    for key, label in ROWS:
        stage = s.get(key)
        if stage is None:
            lines.append(f"{label:38s} {'not run':>12s}")
            continue
        if not _done(stage):
            lines.append(f"{label:38s} {'FAILED':>12s}  {_error_line(stage)[:120]}")
            continue
        rate = rows_per_second(stage)
        requests = stage.get("requests", "")
        lines.append(f"{label:38s} {stage['rows']:>12,} {stage['seconds']:>9.2f} {rate:>11,.0f} {requests!s:>9s} "
                     f"{stage['peak_rss_mib']:>13,.0f}")
    simulator_rss = results.get("simulator", {}).get("peak_rss_mib") or 0
    lines.append(f"{'(simulator process, not counted)':38s} {'':>44s} {simulator_rss:>13,.0f}")
    lines.append("")
    for verdict in results["verdicts"]:
        mark = "ok  " if verdict["ok"] else ("FAIL" if verdict["kind"] == "correctness" else "miss")
        lines.append(f"[{mark}] {verdict['kind']:11s} {verdict['name']}: {verdict['detail']}")
    return lines


def markdown_table(runs: list[dict]) -> list[str]:
    """One column per run (N), one row per figure."""
    runs = sorted(runs, key=lambda r: r["n"])
    header = "| figure | " + " | ".join(f"N = {r['n']:,}" for r in runs) + " |"
    lines = [header, "|---|" + "---:|" * len(runs)]

    def row(label: str, cell) -> None:
        lines.append(f"| {label} | " + " | ".join(_cell(cell, r) for r in runs) + " |")

    def stage_cells(key: str, label: str) -> None:
        def fmt(r, what):
            st = r["stages"].get(key)
            if st is None:
                return "not run"
            if not _done(st):
                return "failed"
            if what == "rate":
                return f"{rows_per_second(st):,.0f} rows/s"
            if what == "seconds":
                return f"{st['seconds']:,.1f} s"
            return f"{st['peak_rss_mib']:,.0f} MiB"

        row(f"{label}: rows/s", lambda r: fmt(r, "rate"))
        row(f"{label}: seconds", lambda r: fmt(r, "seconds"))
        row(f"{label}: peak RSS", lambda r: fmt(r, "rss"))

    row("evaluations served / item rows",
        lambda r: f"{r['stages']['extract']['rows']:,} / {r['stages']['normalize']['rows']:,}")
    for key, label in ROWS:
        stage_cells(key, label)
    row("extraction: requests (pages + token)", lambda r: f"{r['stages']['extract']['requests']:,} "
        f"({r['stages']['extract']['pages']:,} + {r['stages']['extract']['tokens']})")
    row("template versions: requests", lambda r: str(r["stages"]["template_versions"]["requests"]))
    row("extraction: budget used", lambda r: f"{r['stages']['extract']['budget_used']:.1%} of "
        f"{r['stages']['extract']['requests_per_minute_budget']:,.0f}/min")
    row("failed requests / 429s", lambda r: f"{_failures(r)} / {r['simulator']['rate_limited_429']}")
    row("normalization ÷ DuckDB SQL", lambda r: f"{_ratio(r, 'reference_duckdb')}")
    row("CPU seconds: normalization / DuckDB SQL", lambda r: f"{r['stages']['normalize']['cpu_seconds']:,.1f} / "
        f"{r['stages']['reference_duckdb']['cpu_seconds']:,.1f}")
    row("normalization ÷ row loop", lambda r: f"{_ratio(r, 'reference_row_loop')}")
    row("unchanged re-run: rows written", lambda r: str(r["stages"]["warehouse_unchanged_rerun"]["rows_written"]))
    row("MERGE phase, re-run ÷ first load", lambda r: _merge_fraction(r))
    row("max peak RSS of the pipeline stages",
        lambda r: f"{max(r['stages'][n]['peak_rss_mib'] for n in PIPELINE_STAGES):,.0f} MiB")
    row("same key sets (all normalizers)", lambda r: "yes" if r["stages"]["compare"]["same_key_sets"] else "NO")
    row("all columns equal to the DuckDB SQL reference", lambda r: "yes" if all(
        p["all_columns_equal"] for p in r["stages"]["compare"]["against"].values()) else "NO")
    return lines


def compact_table(runs: list[dict]) -> list[str]:
    """One row per run: the headline figures and the reference ratios (the README's table)."""
    lines = [
        "| N | extraction | normalization | DuckDB SQL | row loop | ÷ DuckDB SQL | ÷ row loop "
        "| MERGE first / re-run | peak RSS: normalization / max stage |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(runs, key=lambda r: r["n"]):
        s = r["stages"]

        def rate(key: str) -> str:
            value = rows_per_second(s.get(key))
            return f"{value / 1000:,.0f}k rows/s" if value else ("failed" if key in s else "not run")

        def seconds(key: str) -> str:
            return f"{s[key]['seconds']:,.0f} s" if _done(s.get(key)) else "failed"

        peaks = [s[n]["peak_rss_mib"] for n in PIPELINE_STAGES if _done(s.get(n))]
        cells = [
            f"{r['n']:,}",
            _cell(lambda r: f"{s['extract']['seconds']:,.0f} s, {s['extract']['budget_used']:.0%} of budget", r),
            rate("normalize"), rate("reference_duckdb"), rate("reference_row_loop"),
            _ratio(r, "reference_duckdb"), _ratio(r, "reference_row_loop"),
            f"{seconds('warehouse_first_load')} / {seconds('warehouse_unchanged_rerun')}",
            _cell(lambda r: f"{s['normalize']['peak_rss_mib']:,.0f} / {max(peaks):,.0f} MiB", r),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _failures(results: dict) -> int:
    return results["stages"]["extract"]["failures"] + results["stages"]["template_versions"]["failures"]


def _cell(cell, results: dict) -> str:
    """A figure, or "—" when a stage it needs did not complete."""
    try:
        return cell(results)
    except (KeyError, TypeError, ZeroDivisionError):
        return "—"


def _ratio(results: dict, reference: str) -> str:
    ref = rows_per_second(results["stages"].get(reference))
    project = rows_per_second(results["stages"].get("normalize"))
    return f"{project / ref:.2f}×" if ref and project else "not run"


def _merge_fraction(results: dict) -> str:
    first = results["stages"]["warehouse_first_load"]
    rerun = results["stages"]["warehouse_unchanged_rerun"]
    fraction = rerun["merge_seconds"] / first["merge_seconds"]
    return f"{fraction:.0%} ({rerun['merge_seconds']:.1f} s / {first['merge_seconds']:.1f} s)"


def main(argv: list[str]) -> int:
    compact = "--compact" in argv
    runs = [json.loads(Path(path).read_text()) for path in argv if path != "--compact"]
    if not runs:
        print("usage: python -m benchmarks.report [--compact] RESULTS.json ...", file=sys.stderr)
        return 2
    print("\n".join(compact_table(runs) if compact else markdown_table(runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
