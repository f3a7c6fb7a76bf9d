"""Stream a generated month to disk for benchmarks: one compact JSON evaluation per line, as search returns it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .config import SimulatorConfig
from .organisation import Organisation


def generate_month_jsonl(path: str | os.PathLike, month: str, n: int, seed: int = 42) -> int:
    """Write month `month` of an organisation with `n` evaluations per month; returns the number of lines.

    The file holds the current state (seeded rescores add versions, seeded deletions remove some),
    so the line count is close to, not exactly, `n`. Written to a temporary name and renamed, so a
    failure never leaves a half-written file at `path`.
    """
    org = Organisation(SimulatorConfig(seed=seed, anchor_month=month, months=1, evaluations_per_month=n))
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    count = 0
    encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    try:
        with partial.open("w", encoding="utf-8") as handle:
            for evaluation in org.iter_month_evaluations(month):
                handle.write(encode(evaluation))
                handle.write("\n")
                count += 1
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return count
