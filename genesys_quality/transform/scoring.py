"""An independent recomputation of Genesys scores (genesys-api.md §4), to validate what we load.

overall = 100 · Σ_g w(g)·pts(g) / Σ_g w(g)·max(g) over scored questions (multiple choice, and
multiple select through its option sub-questions), N/A questions and groups excluded from both
sides, w(g) = 1 when the form's `weightMode` is OFF; any failed fatal ("kill") question → 0.
The critical score's weighting is undocumented, so either the weighted or the unweighted formula
is accepted (and 0 after a failed kill question, which Genesys may or may not zero too).
Evaluations without answers or whose score is not final are not checked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow

from genesys_quality.transform import schemas
from genesys_quality.transform.normalize import normalize_items

TOLERANCE = 0.01
SCORED_TYPES = ("multipleChoiceQuestion", "multipleSelectQuestion")
SCORE_COLUMNS = [
    "evaluation_id", "template_id", "genesys_overall", "expected_overall",
    "genesys_critical", "expected_critical", "overall_matches", "critical_matches",
]
_ITEM_COLUMNS = [
    "evaluation_id", "template_id", "score_calculation_status", "overall_score", "critical_score",
    "any_failed_kill_question", "question_type", "item_marked_na", "item_score", "item_max_score",
    "section_weight", "is_critical", "is_kill",
]


def recompute_scores(
    raw: pyarrow.Table, template_versions: pyarrow.Table, tolerance: float = TOLERANCE
) -> pd.DataFrame:
    """One row per final evaluation with answers: Genesys's scores beside ours, and whether they match."""
    return scores_from_items(normalize_items(raw, template_versions), template_versions, tolerance)


def scores_from_items(
    items: pyarrow.Table, template_versions: pyarrow.Table, tolerance: float = TOLERANCE
) -> pd.DataFrame:
    """`recompute_scores` for callers that already hold the `normalized_items` of the same batch."""
    df = schemas.to_pandas(items.select(_ITEM_COLUMNS))
    df = df[(df["score_calculation_status"] == "final") & df["overall_score"].notna()]
    evaluations = df.drop_duplicates("evaluation_id").set_index("evaluation_id")
    counted = ~df["item_marked_na"].fillna(False) & df["item_max_score"].notna()
    scored = df[df["question_type"].isin(SCORED_TYPES) & counted]
    totals = _group_totals(scored, _weight_off_templates(template_versions))
    totals = totals.reindex(evaluations.index, fill_value=0.0)

    reported_kill = evaluations["any_failed_kill_question"].fillna(False).to_numpy(dtype=bool)
    killed = totals["failed_kill"].to_numpy(dtype=bool) | reported_kill
    computed = _percent(totals["weighted_points"], totals["weighted_max"])
    expected_overall = np.where(killed, 0.0, computed)
    weighted_critical = _percent(totals["weighted_critical_points"], totals["weighted_critical_max"])
    unweighted_critical = _percent(totals["critical_points"], totals["critical_max"])

    genesys_overall = evaluations["overall_score"].to_numpy(dtype=float)
    genesys_critical = evaluations["critical_score"].to_numpy(dtype=float, na_value=np.nan)
    critical_matches = (
        _close(genesys_critical, weighted_critical, tolerance)
        | _close(genesys_critical, unweighted_critical, tolerance)
        | (killed & _close(genesys_critical, np.zeros(len(killed)), tolerance))
    )
    closer_unweighted = np.abs(genesys_critical - unweighted_critical) < np.abs(genesys_critical - weighted_critical)
    return pd.DataFrame(
        {
            "evaluation_id": evaluations.index.to_numpy(),
            "template_id": evaluations["template_id"].to_numpy(),
            "genesys_overall": genesys_overall,
            "expected_overall": expected_overall,
            "genesys_critical": genesys_critical,
            "expected_critical": np.where(closer_unweighted, unweighted_critical, weighted_critical),
            "overall_matches": _close(genesys_overall, expected_overall, tolerance),
            "critical_matches": critical_matches,
        },
        columns=SCORE_COLUMNS,
    ).reset_index(drop=True)


def _group_totals(scored: pd.DataFrame, weight_off: set[str]) -> pd.DataFrame:
    weight = scored["section_weight"].fillna(1.0).to_numpy(dtype=float)
    weight = np.where(scored["template_id"].isin(weight_off).to_numpy(), 1.0, weight)
    points = scored["item_score"].fillna(0.0).to_numpy(dtype=float)
    maximum = scored["item_max_score"].to_numpy(dtype=float)
    critical = scored["is_critical"].fillna(False).to_numpy(dtype=bool)
    kill = scored["is_kill"].fillna(False).to_numpy(dtype=bool)
    parts = pd.DataFrame(
        {
            "evaluation_id": scored["evaluation_id"].to_numpy(),
            "weighted_points": weight * points,
            "weighted_max": weight * maximum,
            "weighted_critical_points": np.where(critical, weight * points, 0.0),
            "weighted_critical_max": np.where(critical, weight * maximum, 0.0),
            "critical_points": np.where(critical, points, 0.0),
            "critical_max": np.where(critical, maximum, 0.0),
            "failed_kill": (kill & (points < maximum)).astype(float),
        }
    )
    totals = parts.groupby("evaluation_id", sort=False).sum()
    totals["failed_kill"] = totals["failed_kill"] > 0
    return totals


def _weight_off_templates(template_versions: pyarrow.Table) -> set[str]:
    modes = schemas.to_pandas(template_versions.select(["template_id", "weight_mode"])).drop_duplicates("template_id")
    return set(modes.loc[modes["weight_mode"].str.upper() == "OFF", "template_id"])


def _percent(points: pd.Series, maximum: pd.Series) -> np.ndarray:
    points, maximum = points.to_numpy(dtype=float), maximum.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(maximum > 0, 100.0 * points / maximum, np.nan)


def _close(genesys: np.ndarray, expected: np.ndarray, tolerance: float) -> np.ndarray:
    """Within tolerance; with nothing to score (expected NaN) Genesys may send NULL or 0."""
    nothing_to_score = np.isnan(expected) & (np.isnan(genesys) | (np.abs(genesys) <= tolerance))
    return (np.abs(genesys - expected) <= tolerance) | nothing_to_score
