import pytest

from genesys_quality.transform.forms import template_versions_table
from genesys_quality.transform.raw import evaluations_to_raw
from genesys_quality.transform.scoring import SCORE_COLUMNS, recompute_scores
from genesys_quality_tests.transform import fixtures
from genesys_quality_tests.transform.doc_examples import doc_evaluation, doc_form

DOC_ID = "6f1c2a9e-3b7d-4c61-9a55-0d2e8b7f4a10"


def _scores(evaluations, forms=None):
    templates = template_versions_table(forms) if forms else fixtures.templates()
    return recompute_scores(evaluations_to_raw(evaluations, fixtures.MONTH), templates).set_index("evaluation_id")


def test_doc_example_recomputes_to_62_5():
    scores = recompute_scores(evaluations_to_raw([doc_evaluation()], "2025-03-01"), template_versions_table([(doc_form(), 1)]))
    assert list(scores.columns) == SCORE_COLUMNS
    (row,) = scores.to_dict("records")
    assert row["expected_overall"] == pytest.approx(62.5) and row["genesys_overall"] == 62.5
    assert row["expected_critical"] == pytest.approx(100.0)
    assert row["overall_matches"] and row["critical_matches"]


def test_every_hand_built_case_recomputes_and_unanswered_or_pending_ones_are_skipped():
    scores = _scores(fixtures.month_evaluations())
    assert scores["overall_matches"].all() and scores["critical_matches"].all()
    assert scores.loc["ev-multi", "expected_overall"] == pytest.approx(90.0)
    assert scores.loc["ev-na-group", "expected_overall"] == pytest.approx(75.0)
    assert scores.loc["ev-question-na", "expected_overall"] == pytest.approx(100.0)
    assert scores.loc["ev-weight-off", "expected_overall"] == pytest.approx(400 / 6)
    assert "ev-no-answers" not in scores.index and "ev-empty-answers" not in scores.index


def test_failed_kill_question_expects_zero_even_when_genesys_reports_the_computed_score():
    killed = fixtures.kill_evaluation()
    assert _scores([killed]).loc["ev-kill", "expected_overall"] == 0.0
    killed["answers"]["totalScore"] = 87.5
    killed["answers"]["anyFailedKillQuestions"] = False
    assert not _scores([killed]).loc["ev-kill", "overall_matches"]


def test_weight_mode_off_scores_every_group_with_weight_one():
    scaled = fixtures.weight_off_evaluation()
    scaled["evaluationForm"]["id"] = fixtures.FORM_V1
    row = _scores([scaled]).loc["ev-weight-off"]
    assert row["expected_overall"] == pytest.approx(62.5) and not row["overall_matches"]


@pytest.mark.parametrize(("reported", "accepted"), [(160 / 280 * 100, True), (60.0, True), (70.0, False)])
def test_critical_score_is_accepted_weighted_or_unweighted(reported, accepted):
    form = doc_form()
    form["id"] = "form-two-critical"
    form["questionGroups"][1]["questions"][0]["isCritical"] = True
    ev = fixtures.evaluation("ev-crit", "form-two-critical", doc_evaluation()["answers"]["questionGroupScores"],
                             total=62.5, critical=reported)
    row = _scores([ev], [(form, 1)]).loc["ev-crit"]
    assert bool(row["critical_matches"]) is accepted
    assert row["overall_matches"]


def test_month_without_final_answered_evaluations_gives_an_empty_frame_with_the_columns():
    scores = _scores([fixtures.no_answers_evaluation(), fixtures.empty_answers_evaluation()]).reset_index()
    assert scores.empty and list(scores.columns) == SCORE_COLUMNS
