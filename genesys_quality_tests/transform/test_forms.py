import pytest

from genesys_quality.transform import schemas
from genesys_quality.transform.forms import (
    MalformedFormError,
    form_to_template_rows,
    template_versions_table,
    version_ordinals,
)
from genesys_quality.transform.validation import schema_failures
from genesys_quality_tests.transform import fixtures


def _rows(form: dict, version: int = 1) -> list[dict]:
    return form_to_template_rows(form, version).to_pylist()


def test_doc_form_has_one_row_per_answer_option_and_one_for_free_text():
    rows = _rows(fixtures.form_v1())
    assert [(r["question_id"][:2], r["answer_text"]) for r in rows] == [
        ("q1", "Yes"), ("q1", "No"), ("q2", "Yes"), ("q2", "No"),
        ("q3", "Excellent"), ("q3", "Good"), ("q3", "Poor"), ("q4", None)]
    free_text = rows[-1]
    assert free_text["question_type"] == "freeTextQuestion"
    assert free_text["answer_id"] is None and free_text["answer_value"] is None and free_text["question_max_score"] is None
    resolution = rows[4]
    assert resolution["question_max_score"] == 4.0 and resolution["section_weight"] == 60.0
    assert resolution["section_name"] == "Resolution" and resolution["section_na_enabled"] is True
    assert rows[2]["is_kill"] is True and rows[2]["is_critical"] is True
    assert {r["template_name"] for r in rows} == {"Inbound Support QA"}
    assert {r["template_version"] for r in rows} == {1}
    assert {r["weight_mode"] for r in rows} == {"SCALED"}


def test_multiple_select_parent_row_sums_sub_question_maxima_and_subs_carry_parent_id():
    rows = [r for r in _rows(fixtures.form_v2(), 2) if r["section_id"] == fixtures.G3]
    parent = rows[0]
    assert parent["question_id"] == fixtures.Q5 and parent["question_type"] == "multipleSelectQuestion"
    assert parent["answer_id"] is None and parent["parent_question_id"] is None
    assert parent["question_max_score"] == 4.0
    subs = rows[1:7]
    assert {r["parent_question_id"] for r in subs} == {fixtures.Q5}
    assert [r["question_id"] for r in subs] == [fixtures.S1, fixtures.S1, fixtures.S2, fixtures.S2, fixtures.S3, fixtures.S3]
    assert [r["answer_text"] for r in subs[:2]] == ["Selected", "Unselected"]
    assert subs[2]["question_max_score"] == 2.0 and subs[2]["question_text"] == "Offered the satisfaction survey"
    assert {r["question_type"] for r in subs} == {"multipleChoiceQuestion"}
    read_only = rows[7]
    assert read_only["question_type"] == "readOnlyTextBlockQuestion" and read_only["answer_id"] is None


def test_weight_mode_off_is_kept_with_the_forms_weights():
    rows = _rows(fixtures.form_v3_weight_off(), 3)
    assert {r["weight_mode"] for r in rows} == {"OFF"}
    assert {r["section_weight"] for r in rows} == {40.0, 60.0}


def test_template_versions_table_validates_and_keeps_a_repeated_version_once():
    table = template_versions_table([*fixtures.all_forms(), (fixtures.form_v1(), 1)])
    assert table.schema == schemas.arrow_schema(schemas.TemplateVersions)
    assert schema_failures(table, schemas.TemplateVersions).empty
    assert table.num_rows == 8 + (8 + 1 + 6 + 1) + 8
    assert template_versions_table([]).schema == schemas.arrow_schema(schemas.TemplateVersions)


def test_one_version_with_two_ordinals_is_refused():
    with pytest.raises(ValueError, match="two ordinals"):
        template_versions_table([(fixtures.form_v1(), 1), (fixtures.form_v1(), 2)])


def test_version_ordinals_follow_the_ascending_listing():
    assert version_ordinals([{"id": "v-a", "published": True}, {"id": "v-b"}, {"id": "v-c"}]) == {"v-a": 1, "v-b": 2, "v-c": 3}
    with pytest.raises(MalformedFormError, match="twice"):
        version_ordinals([{"id": "v-a"}, {"id": "v-a"}])


def test_malformed_form_names_form_and_json_path():
    form = fixtures.form_v1()
    form["questionGroups"][1]["questions"][0]["answerOptions"][1]["value"] = "two"
    with pytest.raises(MalformedFormError) as raised:
        form_to_template_rows(form, 1)
    assert fixtures.FORM_V1 in str(raised.value)
    assert raised.value.field == "questionGroups[1].questions[0].answerOptions[1].value"
    assert "expected an integer" in str(raised.value)


def test_unknown_question_type_and_missing_ids_are_refused():
    form = fixtures.form_v1()
    form["questionGroups"][0]["questions"][0]["type"] = "sliderQuestion"
    with pytest.raises(MalformedFormError, match="sliderQuestion"):
        form_to_template_rows(form, 1)
    form = fixtures.form_v1()
    del form["contextId"]
    with pytest.raises(MalformedFormError, match="contextId"):
        form_to_template_rows(form, 1)
    with pytest.raises(ValueError, match=">= 1"):
        form_to_template_rows(fixtures.form_v1(), 0)
