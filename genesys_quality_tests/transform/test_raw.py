import json
from datetime import datetime, timezone

import pytest

from genesys_quality.transform import schemas
from genesys_quality.transform.raw import (
    EvaluationOutsideMonthError,
    MalformedEvaluationError,
    evaluations_to_raw,
    month_of,
)
from genesys_quality.transform.validation import schema_failures
from genesys_quality_tests.transform import fixtures
from genesys_quality_tests.transform.doc_examples import doc_evaluation

DOC_ID = "6f1c2a9e-3b7d-4c61-9a55-0d2e8b7f4a10"


def test_doc_example_becomes_one_typed_row_with_utc_timestamps():
    row = evaluations_to_raw([doc_evaluation()], "2025-03-01").to_pylist()[0]
    assert row["evaluation_id"] == DOC_ID
    assert row["evaluation_context_id"] == "ec000000-aaaa-4bbb-8ccc-444444444444"
    assert row["evaluation_version"] == 1
    assert row["conversation_id"] == "b0e3f1d2-7a44-4e1b-8c2d-5f6a7b8c9d01"
    assert row["template_id"] == "9a7d4c3e-1111-4b2a-8f00-aa55bb66cc77"
    assert row["template_context_id"] == "c0c0c0c0-2222-4d3e-9abc-0123456789ab"
    assert (row["agent_id"], row["evaluator_id"], row["queue_id"]) == (
        "a2a2a2a2-4444-4b4b-9c9c-d0d0d0d0d0d0", "e1e1e1e1-3333-4a4a-8b8b-c9c9c9c9c9c9", "d4d4d4d4-7777-4e4e-8f8f-111111111111")
    assert row["date_submitted"] == datetime(2025, 3, 4, 14, 5, 12, 345000, tzinfo=timezone.utc)
    assert row["date_modified"] == datetime(2025, 3, 6, 16, 22, 41, 812000, tzinfo=timezone.utc)
    assert (row["overall_score"], row["critical_score"], row["any_failed_kill_question"]) == (62.5, 100.0, False)
    assert row["ai_scoring_pending"] is None
    assert row["evaluation_month"] == "2025-03-01"


def test_raw_table_has_exactly_the_model_schema_and_validates():
    raw = fixtures.month_raw()
    assert raw.schema == schemas.arrow_schema(schemas.RawEvaluations)
    assert schema_failures(raw, schemas.RawEvaluations).empty


def test_unknown_payload_fields_survive_in_payload():
    raw = fixtures.month_raw()
    payload = json.loads(raw.column("payload")[0].as_py())
    assert payload["brandNewField"] == {"addedBy": "Genesys", "nested": [1, 2]}
    assert payload == fixtures.month_evaluations()[0]
    assert "\n" not in raw.column("payload")[0].as_py()


def test_missing_optional_fields_are_null_and_context_id_falls_back_to_id():
    minimal = {"id": "ev-min", "status": "PENDING", "createdDate": "2025-03-09T00:00:00Z", "evaluationForm": {"id": "f"},
               "agent": None}
    row = evaluations_to_raw([minimal], "2025-03-01").to_pylist()[0]
    assert row["evaluation_context_id"] == "ev-min"
    for column in ("evaluation_version", "conversation_id", "agent_id", "template_context_id", "overall_score",
                   "critical_score", "any_failed_kill_question", "date_released", "conversation_date"):
        assert row[column] is None, column


def test_empty_page_gives_empty_table_with_schema():
    table = evaluations_to_raw([], "2025-03-01")
    assert table.num_rows == 0 and table.schema == schemas.arrow_schema(schemas.RawEvaluations)


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        (("answers", "totalScore"), "ninety", "answers.totalScore", ["str", "'ninety'", "a number"]),
        (("createdDate",), "yesterday", "createdDate", ["str", "ISO-8601"]),
        (("status",), 3, "status", ["int", "a string"]),
        (("version",), "1", "version", ["str", "an integer"]),
        (("answers", "anyFailedKillQuestions"), "no", "answers.anyFailedKillQuestions", ["a boolean"]),
        (("evaluationForm",), "9a7d", "evaluationForm", ["str", "a JSON object"]),
    ],
)
def test_wrong_type_raises_naming_evaluation_field_type_and_expectation(path, value, field, words):
    ev = doc_evaluation()
    target = ev
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(MalformedEvaluationError) as raised:
        evaluations_to_raw([fixtures.kill_evaluation(), ev], "2025-03-01")
    message = str(raised.value)
    assert DOC_ID in message and repr(field) in message
    assert all(word in message for word in words), message
    assert raised.value.entity_id == DOC_ID and raised.value.field == field


@pytest.mark.parametrize("path", [("id",), ("status",), ("createdDate",), ("evaluationForm", "id")])
def test_missing_required_field_raises_naming_it(path):
    ev = doc_evaluation()
    target = ev
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    with pytest.raises(MalformedEvaluationError, match="is missing but required") as raised:
        evaluations_to_raw([ev], "2025-03-01")
    assert raised.value.field == ".".join(path)
    if path != ("id",):
        assert DOC_ID in str(raised.value)


def test_unknown_status_names_the_value_and_the_known_ones():
    ev = doc_evaluation()
    ev["status"] = "ARCHIVED"
    with pytest.raises(MalformedEvaluationError) as raised:
        evaluations_to_raw([ev], "2025-03-01")
    assert "'ARCHIVED'" in str(raised.value) and "PENDING, INPROGRESS, FINISHED, INREVIEW, RETRACTED" in str(raised.value)


def test_evaluation_created_in_another_month_is_refused_naming_it():
    ev = doc_evaluation()
    ev["createdDate"] = "2025-04-01T00:00:00.000Z"
    with pytest.raises(EvaluationOutsideMonthError, match=DOC_ID):
        evaluations_to_raw([ev], "2025-03-01")


def test_invalid_partition_key_is_refused():
    with pytest.raises(ValueError, match="YYYY-MM-01"):
        evaluations_to_raw([doc_evaluation()], "2025-03-04")


def test_month_of_uses_utc():
    assert month_of("2025-03-31T23:30:00-02:00") == "2025-04-01"
    assert month_of("2025-03-01T00:00:00.000Z") == "2025-03-01"
    assert month_of(datetime(2025, 12, 31, 23, 59)) == "2025-12-01"


def test_answer_tree_is_kept_typed_beside_the_payload_and_null_without_answers():
    raw = fixtures.month_raw()
    by_id = dict(zip(raw.column("evaluation_id").to_pylist(), raw.column("question_group_scores").to_pylist()))
    payloads = dict(zip(raw.column("evaluation_id").to_pylist(), raw.column("payload").to_pylist()))
    groups = by_id[DOC_ID]
    sent = json.loads(payloads[DOC_ID])["answers"]["questionGroupScores"]
    assert [g["questionGroupId"] for g in groups] == [g["questionGroupId"] for g in sent]
    assert [q["score"] for q in groups[1]["questionScores"]] == [q.get("score") for q in sent[1]["questionScores"]]
    assert by_id["ev-no-answers"] is None and by_id["ev-empty-answers"] == []
