import pandas as pd
import pyarrow
import pyarrow.compute as pc
import pytest

from genesys_quality.transform import schemas
from genesys_quality.transform.forms import template_versions_table
from genesys_quality.transform.normalize import normalize_items
from genesys_quality.transform.raw import evaluations_to_raw
from genesys_quality.transform.validation import (
    REFERENTIAL_FAILURE_COLUMNS,
    ValidationOutcome,
    item_range_failures,
    referential_failures,
    schema_failures,
    score_failures,
)
from genesys_quality_tests.transform import fixtures

DOC_ID = "6f1c2a9e-3b7d-4c61-9a55-0d2e8b7f4a10"


@pytest.fixture(scope="module")
def month():
    raw, templates = fixtures.month_raw(), fixtures.templates()
    return raw, templates, normalize_items(raw, templates)


def _items_frame(month) -> pd.DataFrame:
    return schemas.to_pandas(month[2])


def test_good_month_passes_every_check(month):
    raw, templates, items = month
    assert schema_failures(raw, schemas.RawEvaluations).empty
    assert schema_failures(templates, schemas.TemplateVersions).empty
    assert schema_failures(items, schemas.NormalizedItems).empty
    assert item_range_failures(items).empty
    assert referential_failures(raw, templates).empty
    assert referential_failures(items, templates).empty
    assert score_failures(raw, templates).empty


def test_nested_answer_column_of_another_type_is_a_schema_failure_without_pandas_objects(month):
    raw = month[0]
    position = raw.schema.get_field_index("question_group_scores")
    changed = raw.set_column(position, "question_group_scores", pyarrow.array([None] * raw.num_rows, pyarrow.list_(pyarrow.string())))
    failures = schema_failures(changed, schemas.RawEvaluations)
    assert failures[["column", "check"]].values.tolist() == [["question_group_scores", "arrow_type"]]
    missing = schema_failures(raw.drop_columns(["question_group_scores"]), schemas.RawEvaluations)
    assert "question_group_scores" in set(missing["failure_case"])


def test_type_change_in_a_raw_column_is_a_schema_failure(month):
    frame = schemas.to_pandas(month[0])
    frame["overall_score"] = frame["overall_score"].astype(str)
    failures = schema_failures(frame, schemas.RawEvaluations)
    assert list(failures.columns) == ["column", "check", "failure_case", "index"]
    assert "overall_score" in set(failures["column"])
    assert failures["check"].str.contains("dtype").any()


def test_duplicate_keys_are_schema_failures(month):
    frame = _items_frame(month)
    doubled = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    failures = schema_failures(doubled, schemas.NormalizedItems)
    assert not failures.empty
    assert failures["check"].str.contains("unique").any()


def test_overall_score_out_of_range_is_a_schema_failure(month):
    frame = _items_frame(month)
    frame.loc[0, "overall_score"] = 130.0
    failures = schema_failures(frame, schemas.NormalizedItems)
    assert ((failures["column"] == "overall_score") & (failures["failure_case"] == "130.0")).any()


def test_item_score_above_its_maximum_is_a_range_failure(month):
    frame = _items_frame(month)
    frame.loc[0, "item_score"] = 5.0
    failures = item_range_failures(frame)
    assert failures[["check", "evaluation_id", "question_id", "value", "limit"]].to_dict("records") == [
        {"check": "item_score <= item_max_score", "evaluation_id": DOC_ID, "question_id": fixtures.Q1, "value": 5.0, "limit": 1.0}]


def test_missing_template_is_a_referential_failure(month):
    raw, templates, items = month
    without_v2 = templates.filter(pc.not_equal(templates.column("template_id"), fixtures.FORM_V2))
    for table in (raw, items):
        failures = referential_failures(table, without_v2)
        missing = failures[failures["check"] == "missing_template"]
        assert set(missing["evaluation_id"]) == {"ev-multi", "ev-na-group"}
        assert set(missing["template_id"]) == {fixtures.FORM_V2}
        assert set(failures["check"]) == {"missing_template"}


def test_unknown_answer_id_is_a_referential_failure_in_raw_and_items():
    def break_answer(ev):
        ev["answers"]["questionGroupScores"][1]["questionScores"][0]["answerId"] = "a3-gone"

    raw = evaluations_to_raw(fixtures.replace_in(fixtures.month_evaluations(), DOC_ID, break_answer), fixtures.MONTH)
    templates = fixtures.templates()
    for table in (raw, normalize_items(raw, templates)):
        failures = referential_failures(table, templates)
        assert list(failures.columns) == REFERENTIAL_FAILURE_COLUMNS
        assert failures[["check", "evaluation_id", "question_id", "answer_id"]].to_dict("records") == [
            {"check": "unknown_answer", "evaluation_id": DOC_ID, "question_id": fixtures.Q3, "answer_id": "a3-gone"}]


def test_unknown_multiple_select_option_is_found_in_the_raw_payload():
    def break_option(ev):
        ev["answers"]["questionGroupScores"][2]["questionScores"][0]["multipleSelectQuestionOptionScores"][1]["questionId"] = "s-gone"

    raw = evaluations_to_raw(fixtures.replace_in(fixtures.month_evaluations(), "ev-multi", break_option), fixtures.MONTH)
    failures = referential_failures(raw, fixtures.templates())
    assert set(zip(failures["check"], failures["question_id"])) == {("unknown_question", "s-gone"), ("unknown_answer", "s-gone")}


def test_wrong_weights_in_a_form_version_fail_score_recomputation():
    form = fixtures.form_v1()
    form["questionGroups"][1]["weight"] = 30.0
    templates = template_versions_table([(form, 1), (fixtures.form_v2(), 2), (fixtures.form_v3_weight_off(), 3)])
    failures = score_failures(fixtures.month_raw(), templates)
    assert list(failures["evaluation_id"]) == [DOC_ID]
    row = failures.iloc[0]
    assert row["genesys_overall"] == 62.5 and row["expected_overall"] == pytest.approx(100 * (80 + 60) / (80 + 120))
    assert row["template_id"] == fixtures.FORM_V1 and row["template_version"] == 1
    assert not row["overall_matches"]


def test_validation_outcome_reports_count_and_first_twenty_failures():
    failures = pd.DataFrame({"evaluation_id": [f"ev-{n}" for n in range(25)]})
    outcome = ValidationOutcome.from_failures(failures, "score recomputation")
    assert (outcome.passed, outcome.failure_count, len(outcome.failures)) == (False, 25, 20)
    assert "25 failure(s)" in outcome.description
    passed = ValidationOutcome.from_failures(failures.iloc[:0], "score recomputation")
    assert passed.passed and passed.failure_count == 0 and passed.description == "score recomputation: passed"


def test_arrow_and_pandas_inputs_give_the_same_schema_failures(month):
    frame = _items_frame(month)
    frame.loc[1, "item_score"] = -1.0
    from_pandas = schema_failures(frame, schemas.NormalizedItems)
    from_arrow = schema_failures(pyarrow.Table.from_pandas(frame, schema=schemas.arrow_schema(schemas.NormalizedItems), preserve_index=False), schemas.NormalizedItems)
    assert from_pandas.equals(from_arrow) and not from_pandas.empty


def test_a_month_without_evaluations_passes_every_check():
    raw, templates = evaluations_to_raw([], fixtures.MONTH), template_versions_table([])
    items = normalize_items(raw, templates)
    assert schema_failures(raw, schemas.RawEvaluations).empty
    assert schema_failures(items, schemas.NormalizedItems).empty
    assert schema_failures(templates, schemas.TemplateVersions).empty
    assert item_range_failures(items).empty
    assert referential_failures(raw, templates).empty and referential_failures(items, templates).empty
    assert score_failures(raw, templates).empty
