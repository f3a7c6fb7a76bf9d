import json

import pyarrow
import pytest

from genesys_quality.transform import schemas
from genesys_quality.transform import normalize
from genesys_quality.transform.normalize import normalize_items, raw_columns
from genesys_quality.transform.payload import QUESTION_GROUP_SCORES
from genesys_quality.transform.raw import MalformedEvaluationError, evaluations_to_raw
from genesys_quality.transform.validation import schema_failures
from genesys_quality_tests.transform import fixtures
from genesys_quality_tests.transform.synthetic import replicate

DOC_ID = "6f1c2a9e-3b7d-4c61-9a55-0d2e8b7f4a10"


@pytest.fixture(scope="module")
def items() -> pyarrow.Table:
    return normalize_items(fixtures.month_raw(), fixtures.templates())


def _rows(items: pyarrow.Table, evaluation_id: str) -> list[dict]:
    return [row for row in items.to_pylist() if row["evaluation_id"] == evaluation_id]


def test_output_schema_is_exactly_the_model_schema_and_validates(items):
    assert items.schema == schemas.arrow_schema(schemas.NormalizedItems)
    assert schema_failures(items, schemas.NormalizedItems).empty


def test_doc_example_maps_to_one_row_per_question_joined_to_its_form_version(items):
    rows = _rows(items, DOC_ID)
    assert [r["question_id"] for r in rows] == [fixtures.Q1, fixtures.Q2, fixtures.Q3, fixtures.Q4]
    assert [r["answer_text"] for r in rows] == ["Yes", "Yes", "Good", "Customer asked about a refund timeline."]
    assert [r["item_score"] for r in rows] == [1.0, 1.0, 2.0, None]
    assert [r["item_max_score"] for r in rows] == [1.0, 1.0, 4.0, None]
    assert [r["section_score"] for r in rows] == [80.0, 80.0, 120.0, 120.0]
    assert [r["section_max_score"] for r in rows] == [80.0, 80.0, 240.0, 240.0]
    assert [r["item_weight"] for r in rows] == [40.0, 40.0, 60.0, 60.0]
    assert rows[0]["section_name"] == "Greeting & Verification"
    assert rows[1]["comments"] == "Verified DOB and postcode." and rows[1]["is_kill"] is True
    first = rows[0]
    assert (first["template_name"], first["template_version"], first["overall_score"], first["raw_score"]) == (
        "Inbound Support QA", 1, 62.5, 4.0)
    assert first["score_calculation_status"] == "final" and first["evaluation_month"] == fixtures.MONTH
    assert first["question_context_id"] == "qc1-bbbb-0000-0000-000000000001"


def test_multiple_select_is_one_parent_row_with_summed_scores_and_ticked_texts_in_form_order(items):
    rows = _rows(items, "ev-multi")
    assert fixtures.S1 not in {r["question_id"] for r in rows}
    (multi,) = [r for r in rows if r["question_id"] == fixtures.Q5]
    assert multi["item_score"] == 2.0 and multi["item_max_score"] == 4.0
    assert multi["answer_id"] is None
    assert multi["answer_text"] == "Offered a callback; Mentioned the FAQ page"
    assert multi["question_type"] == "multipleSelectQuestion" and multi["section_name"] == "Offers"


def test_free_text_keeps_the_text_and_has_no_scores(items):
    (free,) = [r for r in _rows(items, "ev-multi") if r["question_id"] == fixtures.Q4]
    assert free["answer_text"] == free["comments"] == "Customer wanted a refund."
    assert free["item_score"] is None and free["item_max_score"] is None and free["answer_id"] is None
    (read_only,) = [r for r in _rows(items, "ev-multi") if r["question_id"] == fixtures.Q6]
    assert read_only["item_score"] is None and read_only["answer_text"] is None


def test_group_marked_na_marks_its_questions_na_with_null_score_but_keeps_the_max(items):
    (na,) = [r for r in _rows(items, "ev-na-group") if r["question_id"] == fixtures.Q3]
    assert na["item_marked_na"] is True and na["item_score"] is None and na["item_max_score"] == 4.0
    others = [r for r in _rows(items, "ev-na-group") if r["question_id"] != fixtures.Q3]
    assert {r["item_marked_na"] for r in others} == {False}
    (question_na,) = [r for r in _rows(items, "ev-question-na") if r["question_id"] == fixtures.Q3]
    assert question_na["item_marked_na"] is True and question_na["item_score"] is None


def test_failed_kill_question_is_flagged_on_its_row_and_the_evaluation(items):
    rows = _rows(items, "ev-kill")
    assert [r["failed_kill_question"] for r in rows][:2] == [False, True]
    assert {r["any_failed_kill_question"] for r in rows} == {True}
    assert {r["overall_score"] for r in rows} == {0.0}


@pytest.mark.parametrize("evaluation_id", ["ev-no-answers", "ev-empty-answers"])
def test_evaluation_without_question_scores_keeps_one_baseline_row(items, evaluation_id):
    (baseline,) = _rows(items, evaluation_id)
    assert baseline["question_id"] == schemas.BASELINE_QUESTION_ID
    for column in ("section_id", "section_name", "question_text", "question_type", "answer_id", "answer_text",
                   "item_score", "item_max_score", "item_marked_na", "raw_score", "overall_score"):
        assert baseline[column] is None, column
    assert baseline["score_calculation_status"] == "pending"
    assert baseline["template_version"] == 1


def test_question_id_is_never_null(items):
    assert items.column("question_id").null_count == 0


def test_ai_scoring_pending_makes_a_finished_evaluation_pending():
    ev = fixtures.kill_evaluation()
    ev["aiScoring"] = {"pending": True}
    items = normalize_items(evaluations_to_raw([ev], fixtures.MONTH), fixtures.templates())
    assert set(items.column("score_calculation_status").to_pylist()) == {"pending"}


def test_same_question_ids_in_two_versions_join_to_the_evaluations_own_version(items):
    assert {r["template_version"] for r in _rows(items, "ev-weight-off")} == {3}
    assert {r["template_version"] for r in _rows(items, DOC_ID)} == {1}


def test_unknown_template_question_and_answer_keep_their_rows_with_null_joined_columns():
    def break_ids(ev):
        ev["answers"]["questionGroupScores"][0]["questionScores"][0]["answerId"] = "no-such-answer"
        ev["answers"]["questionGroupScores"][1]["questionScores"][0]["questionId"] = "no-such-question"

    evaluations = fixtures.replace_in(fixtures.month_evaluations(), DOC_ID, break_ids)
    items = normalize_items(evaluations_to_raw(evaluations, fixtures.MONTH), fixtures.templates())
    rows = _rows(items, DOC_ID)
    assert len(rows) == 4
    assert rows[0]["answer_id"] == "no-such-answer" and rows[0]["answer_text"] is None and rows[0]["item_score"] == 1.0
    assert rows[2]["question_id"] == "no-such-question" and rows[2]["question_text"] is None
    assert rows[2]["section_name"] == "Resolution"

    without_v2 = fixtures.templates().filter(pyarrow.compute.not_equal(fixtures.templates().column("template_id"), fixtures.FORM_V2))
    orphan_rows = _rows(normalize_items(fixtures.month_raw(), without_v2), "ev-multi")
    assert len(orphan_rows) == 6
    assert {r["template_name"] for r in orphan_rows} == {None} and {r["question_text"] for r in orphan_rows} == {None}
    (multi,) = [r for r in orphan_rows if r["question_id"] == fixtures.Q5]
    assert multi["item_score"] == 2.0 and multi["answer_id"] is None


def test_nested_type_change_in_a_payload_raises_naming_the_evaluation_and_field():
    def stringify(ev):
        ev["answers"]["questionGroupScores"][1]["questionScores"][0]["score"] = "two"

    evaluations = fixtures.replace_in(fixtures.month_evaluations(), "ev-kill", stringify)
    with pytest.raises(MalformedEvaluationError) as raised:
        normalize_items(evaluations_to_raw(evaluations, fixtures.MONTH), fixtures.templates())
    assert "'ev-kill'" in str(raised.value) and "questionScores/[]/score" in str(raised.value)
    assert "string" in str(raised.value)


def test_question_score_without_question_id_is_refused():
    def drop_id(ev):
        del ev["answers"]["questionGroupScores"][0]["questionScores"][1]["questionId"]

    evaluations = fixtures.replace_in(fixtures.month_evaluations(), "ev-multi", drop_id)
    with pytest.raises(MalformedEvaluationError, match="ev-multi.*questionId"):
        normalize_items(evaluations_to_raw(evaluations, fixtures.MONTH), fixtures.templates())


def _extracted_before_typed_answers(raw: pyarrow.Table) -> pyarrow.Table:
    """`raw_evaluations` as written before `question_group_scores` existed: the answers only in `payload`."""
    return raw.drop_columns([QUESTION_GROUP_SCORES])


def test_month_extracted_before_typed_answers_normalizes_from_the_payload_to_the_same_rows():
    raw = fixtures.month_raw()
    legacy = _extracted_before_typed_answers(raw)
    assert normalize_items(legacy, fixtures.templates()).equals(normalize_items(raw, fixtures.templates()))
    assert raw_columns(raw.schema) == [name for name in raw.column_names if name != "payload"]
    assert raw_columns(legacy.schema) == legacy.column_names


def test_pretty_printed_payloads_parse_like_compact_ones():
    raw = _extracted_before_typed_answers(fixtures.month_raw())
    pretty = [json.dumps(json.loads(p), indent=2) for p in raw.column("payload").to_pylist()]
    raw_pretty = raw.set_column(raw.schema.get_field_index("payload"), raw.schema.field("payload"), pyarrow.array(pretty))
    assert normalize_items(raw_pretty, fixtures.templates()).equals(normalize_items(raw, fixtures.templates()))


def test_threaded_normalization_gives_the_single_thread_rows(monkeypatch):
    raw = evaluations_to_raw(replicate(fixtures.month_evaluations(), 30), fixtures.MONTH)
    templates = fixtures.templates()
    single = normalize_items(raw, templates)
    monkeypatch.setattr(normalize, "MIN_ROWS_PER_THREAD", 1)
    monkeypatch.setattr(normalize.pyarrow, "cpu_count", lambda: 4)
    threaded = normalize_items(raw, templates)
    assert threaded.column(0).num_chunks == 4  # the threaded path ran: one chunk per slice
    assert threaded.combine_chunks().equals(single.combine_chunks())


def test_batches_normalized_separately_concatenate_to_the_one_batch_result():
    raw = evaluations_to_raw(replicate(fixtures.month_evaluations(), 60), fixtures.MONTH)
    templates = fixtures.templates()
    whole = normalize_items(raw, templates)
    parts = [normalize_items(raw.slice(start, 37), templates) for start in range(0, raw.num_rows, 37)]
    assert pyarrow.concat_tables(parts).combine_chunks().equals(whole.combine_chunks())
    assert whole.num_rows == 7 * 28 + (4 + 6 + 4 + 4)


def test_empty_batch_gives_an_empty_table_with_the_schema():
    empty = normalize_items(evaluations_to_raw([], fixtures.MONTH), fixtures.templates())
    assert empty.num_rows == 0 and empty.schema == schemas.arrow_schema(schemas.NormalizedItems)


@pytest.mark.parametrize("bad_payload", ["", "[1, 2]", '{"id": "x"} {"id": "y"}'])
def test_payload_that_is_not_one_json_object_is_refused_naming_the_evaluation(bad_payload):
    raw = _extracted_before_typed_answers(fixtures.month_raw())
    payloads = raw.column("payload").to_pylist()
    payloads[3] = bad_payload
    broken = raw.set_column(raw.schema.get_field_index("payload"), raw.schema.field("payload"), pyarrow.array(payloads))
    with pytest.raises(MalformedEvaluationError, match="'ev-kill'"):
        normalize_items(broken, fixtures.templates())


def test_ticked_options_follow_the_built_in_type_column_when_template_versions_carry_it():
    templates = fixtures.templates()
    rows = templates.to_pylist()
    built_in = [r["answer_text"] if r["parent_question_id"] else None for r in rows]
    texts = [{"Selected": "Ticked", "Unselected": "Not ticked"}.get(r["answer_text"], r["answer_text"]) for r in rows]
    relabelled = templates.set_column(templates.schema.get_field_index("answer_text"), "answer_text", pyarrow.array(texts))
    relabelled = relabelled.set_column(
        relabelled.schema.get_field_index("answer_built_in_type"), "answer_built_in_type", pyarrow.array(built_in, pyarrow.string())
    )
    (multi,) = [r for r in _rows(normalize_items(fixtures.month_raw(), relabelled), "ev-multi")
                if r["question_id"] == fixtures.Q5]
    assert multi["answer_text"] == "Offered a callback; Mentioned the FAQ page"
