"""The full fault suite and its table: `.venv/bin/python -m genesys_quality_tests.faults.run_suite`.

Runs every scenario in genesys_quality_tests/faults with 10 seeds per kill scenario (CI runs the
same tests with FAULT_SEEDS=3, its default) and the long variants (a 429 storm with Retry-After up
to 30 s), then prints the table as Markdown: scenario, runs, survived, rows lost, rows duplicated,
unexpected rows, field differences, seconds; `--notes` adds where each kill struck. Extra arguments
go to pytest (`-k merge`, `-x`). The exit status is pytest's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

COLUMNS = ("scenario", "runs", "survived", "lost", "duplicated", "extra", "field_diffs", "seconds")


def markdown(rows: list[dict], notes: bool) -> str:
    lines = ["| " + " | ".join(COLUMNS).replace("field_diffs", "field diffs") + " |",
             "|" + "|".join("---" if c == "scenario" else "---:" for c in COLUMNS) + "|"]
    for row in rows:
        values = [row[c] if c != "seconds" else f"{row[c]:.1f}" for c in COLUMNS]
        lines.append("| " + " | ".join(str(v) for v in values) + " |")
    if notes:
        for row in rows:
            lines += [f"\n{row['scenario']}:"] + [f"  - {note}" for note in row["notes"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds per kill scenario (default 10)")
    parser.add_argument("--notes", action="store_true", help="also print where each kill struck")
    args, pytest_args = parser.parse_known_args(argv)
    os.environ["FAULT_SEEDS"] = str(args.seeds)
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "faults.json"
        os.environ["FAULT_REPORT"] = str(report)
        status = pytest.main(["-q", "-p", "no:cacheprovider", str(Path(__file__).parent), *pytest_args])
        rows = json.loads(report.read_text()) if report.exists() else []
    print(f"\nFault suite, FAULT_SEEDS={args.seeds}:\n")
    print(markdown(rows, args.notes))
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
