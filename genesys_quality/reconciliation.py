"""Reconciliation: does the warehouse show, for one month, what Genesys shows now? (no Dagster imports)

Genesys side: the month re-read through search (one request per 100 evaluations) plus a sample
re-fetched one by one with the single-evaluation GET, the endpoint users see in the UI. A client
without the search permission (the `query` extraction strategy) re-reads the month the way that
strategy does, per evaluator.
Evaluations Genesys holds as not final (pending, in progress, in review, AI scoring pending) are
left out: the warehouse deliberately keeps their last final state.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pandas as pd

from genesys_quality.extraction.month import EDITABLE_DAYS, month_window
from genesys_quality.genesys.errors import NotFoundError, PermissionDeniedError
from genesys_quality.transform.raw import month_of
from genesys_quality.transform.schemas import FINAL_STATUSES


@dataclass
class ReconciliationReport:
    evaluations_compared: int = 0
    pending_in_genesys: int = 0
    warehouse_by_status: dict = field(default_factory=dict)
    genesys_by_status: dict = field(default_factory=dict)
    warehouse_sum: float = 0.0
    genesys_sum: float = 0.0
    warehouse_mean: float = 0.0
    genesys_mean: float = 0.0
    listing: str = "search"
    """How the month was re-read: `search`, or `query` when the client may not search."""
    sampled: int = 0
    sample_differences: int = 0
    differences: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0

    @property
    def differences_count(self) -> int:
        return len(self.differences)


def _is_final(evaluation: dict) -> bool:
    ai = evaluation.get("aiScoring") or {}
    return evaluation.get("status") in FINAL_STATUSES and not ai.get("pending")


def _score(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def reconcile_month(client, warehouse, month: str, sample_size: int = 20, score_tolerance: float = 0.01,
                    rng: random.Random | None = None) -> ReconciliationReport:
    started = time.monotonic()
    report = ReconciliationReport()
    genesys: dict[str, dict] = {}
    pending: set[str] = set()
    for evaluation in _month_in_genesys(client, month, report):
        if month_of(evaluation["createdDate"]) != month:
            continue
        if _is_final(evaluation):
            genesys[evaluation["id"]] = evaluation
        else:
            pending.add(evaluation["id"])
    report.pending_in_genesys = len(pending)
    ours = warehouse.evaluation_totals(month)
    ours = ours[~ours["evaluation_id"].isin(pending)].set_index("evaluation_id")
    their_scores = {eid: _score((ev.get("answers") or {}).get("totalScore")) for eid, ev in genesys.items()}
    diffs = []
    for eid in sorted(set(ours.index) | set(genesys)):
        ours_row = ours.loc[eid] if eid in ours.index else None
        theirs = genesys.get(eid)
        diff = _difference(eid, ours_row, theirs and theirs["status"], their_scores.get(eid), score_tolerance)
        if diff:
            diffs.append(diff)
    report.evaluations_compared = len(set(ours.index) | set(genesys))
    report.warehouse_by_status = {k: int(v) for k, v in ours["status"].value_counts().items()}
    report.genesys_by_status = {k: int(v) for k, v in pd.Series([e["status"] for e in genesys.values()]).value_counts().items()}
    our_scores = [s for s in ours["overall_score"].map(_score) if s is not None]
    their_present = [s for s in their_scores.values() if s is not None]
    report.warehouse_sum, report.genesys_sum = round(sum(our_scores), 4), round(sum(their_present), 4)
    report.warehouse_mean = round(report.warehouse_sum / len(our_scores), 4) if our_scores else 0.0
    report.genesys_mean = round(report.genesys_sum / len(their_present), 4) if their_present else 0.0

    candidates = sorted(set(ours.index) & set(genesys))
    for eid in (rng or random.Random(0)).sample(candidates, min(sample_size, len(candidates))):
        try:
            fetched = client.get_evaluation(ours.loc[eid, "conversation_id"], eid)
        except NotFoundError:
            fetched = None
        report.sampled += 1
        if fetched is not None and not _is_final(fetched):
            continue
        fetched_status = fetched.get("status") if fetched else None
        fetched_score = _score(((fetched or {}).get("answers") or {}).get("totalScore"))
        diff = _difference(eid, ours.loc[eid], fetched_status, fetched_score, score_tolerance, fetched=True)
        if diff:
            report.sample_differences += 1
            diffs.append(diff)
    report.differences = pd.DataFrame(diffs).drop_duplicates("evaluation_id") if diffs else pd.DataFrame()
    report.seconds = time.monotonic() - started
    return report


def _month_in_genesys(client, month: str, report: ReconciliationReport):
    """Every evaluation created in `month`: by search, or per evaluator when search is not permitted."""
    start, end = month_window(month)
    try:
        evaluations = list(client.search_evaluations(start, end - timedelta(milliseconds=1), date_field="createdDate"))
    except PermissionDeniedError as error:
        if "quality:evaluation:searchAny" not in error.missing_permissions:
            raise
        report.listing = "query"
        window_end = min(end + timedelta(days=EDITABLE_DAYS), datetime.now(timezone.utc) + timedelta(days=1))
        seen: dict[str, dict] = {}
        for user in client.list_users():
            for evaluation in client.query_evaluations(evaluator_user_id=user["id"], start_time=start, end_time=window_end):
                seen[evaluation["id"]] = evaluation
        evaluations = list(seen.values())
    return evaluations


def _difference(eid, ours_row, their_status, their_score, tolerance, fetched=False) -> dict | None:
    ours_status = None if ours_row is None else ours_row["status"]
    ours_score = None if ours_row is None else _score(ours_row["overall_score"])
    if ours_row is None:
        problem = "in Genesys, missing from the warehouse"
    elif their_status is None:
        problem = "in the warehouse, gone from Genesys"
    elif ours_status != their_status or not _same(ours_score, their_score, tolerance):
        problem = "re-fetched evaluation differs" if fetched else "status or score differs"
    else:
        return None
    return {"evaluation_id": eid, "problem": problem, "warehouse_status": ours_status, "genesys_status": their_status,
            "warehouse_score": ours_score, "genesys_score": their_score}


def _same(a: float | None, b: float | None, tolerance: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tolerance
