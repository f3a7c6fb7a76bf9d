"""The simulator's whole demo month through every transform: scores recompute and all checks pass."""

import pytest

from genesys_quality.simulator import Simulator, SimulatorConfig
from genesys_quality.transform import schemas
from genesys_quality.transform.forms import template_versions_table, version_ordinals
from genesys_quality.transform.normalize import normalize_items
from genesys_quality.transform.raw import evaluations_to_raw
from genesys_quality.transform.scoring import recompute_scores
from genesys_quality.transform.validation import (
    item_range_failures,
    referential_failures,
    schema_failures,
    score_failures,
)

MONTH = "2026-10-01"


@pytest.fixture(scope="module")
def demo_month():
    with Simulator(SimulatorConfig(seed=42, anchor_month="2026-11-01")) as sim:
        evaluations = sim.org.evaluations_in_month(MONTH)
        forms = sim.org.forms
    by_context: dict[str, list[dict]] = {}
    for form in forms:
        by_context.setdefault(form["contextId"], []).append(form)
    ordinals = {form_id: n for versions in by_context.values() for form_id, n in version_ordinals(versions).items()}
    templates = template_versions_table([(form, ordinals[form["id"]]) for form in forms])
    raw = evaluations_to_raw(evaluations, MONTH)
    return evaluations, raw, templates, normalize_items(raw, templates)


def test_every_final_evaluation_of_the_demo_month_recomputes_within_a_hundredth(demo_month):
    evaluations, raw, templates, _ = demo_month
    scores = recompute_scores(raw, templates)
    final_with_answers = [
        ev for ev in evaluations
        if ev["status"] in schemas.FINAL_STATUSES and (ev.get("answers") or {}).get("totalScore") is not None
        and not (ev.get("aiScoring") or {}).get("pending")
    ]
    assert len(scores) == len(final_with_answers) > 50
    assert (abs(scores["genesys_overall"] - scores["expected_overall"]) <= 0.01).all()
    assert scores["critical_matches"].all()


def test_every_check_passes_on_the_demo_month(demo_month):
    _, raw, templates, items = demo_month
    assert schema_failures(raw, schemas.RawEvaluations).empty
    assert schema_failures(templates, schemas.TemplateVersions).empty
    assert schema_failures(items, schemas.NormalizedItems).empty
    assert item_range_failures(items).empty
    assert referential_failures(raw, templates).empty
    assert referential_failures(items, templates).empty
    assert score_failures(raw, templates).empty


def test_demo_month_items_cover_every_row_kind(demo_month):
    evaluations, _, _, items = demo_month
    frame = schemas.to_pandas(items)
    assert set(frame["evaluation_id"]) == {ev["id"] for ev in evaluations}
    assert {"multipleChoiceQuestion", "multipleSelectQuestion", "freeTextQuestion"} <= set(frame["question_type"].dropna())
    multi = frame[frame["question_type"] == "multipleSelectQuestion"]
    assert multi["answer_id"].isna().all() and multi["item_max_score"].notna().all()
    assert frame["item_marked_na"].fillna(False).any()
    assert frame.loc[frame["item_marked_na"].fillna(False), "item_score"].isna().all()
    assert (frame["question_id"] == schemas.BASELINE_QUESTION_ID).sum() == sum(
        1 for ev in evaluations if not any(g.get("questionScores") for g in (ev.get("answers") or {}).get("questionGroupScores") or []))
