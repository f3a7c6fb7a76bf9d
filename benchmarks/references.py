"""Two reference normalizers the project's own is measured against, on the same month.

Both read the month as the search endpoint returns it (one JSON evaluation per line) plus the
month's `template_versions` Parquet, apply the row rules of `transform/normalize.py` (multiple
select summed, N/A and free text unscored, a baseline row for an evaluation without answers) and
write every `normalized_items` column to Parquet:

- `row_loop_normalize`: the naive approach of the step-by-step guide: `json.loads` per evaluation,
  nested Python loops appending one dict per question, one pandas DataFrame at the end.
- `duckdb_normalize`: a SQL flatten: `read_json` with the answer structure declared, `UNNEST` of
  groups and questions, joins to the form tables, `COPY` to Parquet.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow
import pyarrow.parquet as pq

from genesys_quality.transform import schemas

_SCHEMA = schemas.arrow_schema(schemas.NormalizedItems)
_PENDING = {s for s in schemas.EVALUATION_STATUSES if s not in schemas.FINAL_STATUSES}
_UNSCORED_TYPES = {"freeTextQuestion", "readOnlyTextBlockQuestion"}
_DATES = {
    "conversation_date": "conversationDate",
    "date_created": "createdDate",
    "date_submitted": "submittedDate",
    "date_released": "releaseDate",
    "date_modified": "changedDate",
}


# -- the row loop ---------------------------------------------------------------------------------


def row_loop_normalize(jsonl: Path, template_versions: Path, out: Path, month: str) -> int:
    """Normalize one evaluation and one question at a time; returns the rows written."""
    templates, sections, questions, answers = _form_dicts(pq.read_table(template_versions).to_pylist())
    rows = []
    with open(jsonl, encoding="utf-8") as lines:
        for line in lines:
            evaluation = json.loads(line)
            rows.extend(_evaluation_rows(evaluation, month, templates, sections, questions, answers))
    frame = pd.DataFrame(rows, columns=_SCHEMA.names)
    for column, _ in _DATES.items():
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    table = pyarrow.Table.from_pandas(frame, schema=_SCHEMA, preserve_index=False)
    pq.write_table(table, out, compression="zstd")
    return len(frame)


def _form_dicts(rows: list[dict]):
    templates, sections, questions, answers = {}, {}, {}, {}
    for row in rows:
        template_id = row["template_id"]
        templates.setdefault(template_id, row)
        sections.setdefault((template_id, row["section_id"]), row)
        key = (template_id, row["question_id"])
        if key not in questions:
            questions[key] = (len(questions), row)
        if row["answer_id"] is not None:
            answers.setdefault((*key, row["answer_id"]), row)
    return templates, sections, questions, answers


def _evaluation_rows(evaluation: dict, month: str, templates, sections, questions, answers) -> list[dict]:
    def ref(name):
        return (evaluation.get(name) or {}).get("id")

    form = evaluation.get("evaluationForm") or {}
    template_id = form.get("id")
    template = templates.get(template_id) or {}
    scored = evaluation.get("answers") or {}
    groups = scored.get("questionGroupScores") or []
    unweighted = [g["totalScoreUnweighted"] for g in groups if g.get("totalScoreUnweighted") is not None]
    pending = evaluation["status"] in _PENDING or bool((evaluation.get("aiScoring") or {}).get("pending"))
    base = {
        "evaluation_id": evaluation["id"],
        "evaluation_context_id": evaluation.get("evaluationContextId") or evaluation["id"],
        "evaluation_version": evaluation.get("version"),
        "conversation_id": ref("conversation"),
        "status": evaluation["status"],
        "score_calculation_status": "pending" if pending else "final",
        "template_id": template_id,
        "template_context_id": form.get("contextId") or template.get("template_context_id"),
        "template_name": template.get("template_name"),
        "template_version": template.get("template_version"),
        "overall_score": scored.get("totalScore"),
        "critical_score": scored.get("totalCriticalScore"),
        "raw_score": float(sum(unweighted)) if unweighted else None,
        "any_failed_kill_question": scored.get("anyFailedKillQuestions"),
        "agent_id": ref("agent"),
        "evaluator_id": ref("evaluator"),
        "assignee_id": ref("assignee"),
        "queue_id": ref("queue"),
        **{column: evaluation.get(field) for column, field in _DATES.items()},
        "evaluation_month": month,
    }
    rows = []
    for group in groups:
        section = sections.get((template_id, group.get("questionGroupId"))) or {}
        group_na = bool(group.get("markedNA")) or bool(group.get("systemMarkedNA"))
        for score in group.get("questionScores") or []:
            question_id = score.get("questionId")
            question = (questions.get((template_id, question_id)) or (None, {}))[1]
            question_type = question.get("question_type")
            options = score.get("multipleSelectQuestionOptionScores") or []
            is_multi = question_type == "multipleSelectQuestion" or bool(options)
            marked_na = group_na or bool(score.get("markedNA")) or bool(score.get("systemMarkedNA"))
            if is_multi:
                option_scores = [o["score"] for o in options if o.get("score") is not None]
                value = float(sum(option_scores)) if option_scores else None
                ticked = []
                for option in options:
                    key = (template_id, option.get("questionId"))
                    answer = answers.get((*key, option.get("answerId")))
                    order, sub_question = questions.get(key, (None, {}))
                    if answer and answer["answer_built_in_type"] == "Selected" and sub_question.get("question_text"):
                        ticked.append((order, sub_question["question_text"]))
                text = "; ".join(t for _, t in sorted(ticked)) if ticked else None
            else:
                value = score.get("score")
                option = answers.get((template_id, question_id, score.get("answerId"))) or {}
                text = option.get("answer_text")
            if question_type == "freeTextQuestion":
                text = score.get("comments")
            rows.append({
                **base,
                "section_id": group.get("questionGroupId"),
                "section_name": section.get("section_name"),
                "section_weight": section.get("section_weight"),
                "section_score": group.get("totalScore"),
                "section_max_score": group.get("maxTotalScore"),
                "question_id": question_id,
                "question_context_id": question.get("question_context_id"),
                "question_text": question.get("question_text"),
                "question_type": question_type,
                "is_critical": question.get("is_critical"),
                "is_kill": question.get("is_kill"),
                "answer_id": None if is_multi else score.get("answerId"),
                "answer_text": text,
                "item_score": None if marked_na or question_type in _UNSCORED_TYPES else value,
                "item_max_score": question.get("question_max_score"),
                "item_weight": section.get("section_weight"),
                "item_marked_na": marked_na,
                "failed_kill_question": score.get("failedKillQuestion"),
                "comments": score.get("comments"),
            })
    if not rows:
        rows.append({**base, "question_id": schemas.BASELINE_QUESTION_ID})
    return rows


# -- the SQL flatten ------------------------------------------------------------------------------

_OPTION = "questionId VARCHAR, answerId VARCHAR, score DOUBLE, markedNA BOOLEAN, systemMarkedNA BOOLEAN"
_QUESTION = (
    f"{_OPTION}, failedKillQuestion BOOLEAN, comments VARCHAR, "
    f"multipleSelectQuestionOptionScores STRUCT({_OPTION})[]"
)
_GROUP = (
    "questionGroupId VARCHAR, totalScore DOUBLE, maxTotalScore DOUBLE, totalScoreUnweighted DOUBLE, "
    f"markedNA BOOLEAN, systemMarkedNA BOOLEAN, questionScores STRUCT({_QUESTION})[]"
)
_EVALUATION_COLUMNS = {
    "id": "VARCHAR",
    "evaluationContextId": "VARCHAR",
    "version": "BIGINT",
    "conversation": "STRUCT(id VARCHAR)",
    "status": "VARCHAR",
    "evaluationForm": "STRUCT(id VARCHAR, contextId VARCHAR)",
    "agent": "STRUCT(id VARCHAR)",
    "evaluator": "STRUCT(id VARCHAR)",
    "assignee": "STRUCT(id VARCHAR)",
    "queue": "STRUCT(id VARCHAR)",
    **{field: "VARCHAR" for field in _DATES.values()},
    "aiScoring": "STRUCT(pending BOOLEAN)",
    "answers": (
        "STRUCT(totalScore DOUBLE, totalCriticalScore DOUBLE, anyFailedKillQuestions BOOLEAN, "
        f"questionGroupScores STRUCT({_GROUP})[])"
    ),
}

_FORM_TABLES = """
CREATE TEMP TABLE tv AS SELECT * FROM read_parquet($template_versions, file_row_number = true);
CREATE TEMP TABLE tv_templates AS
  SELECT template_id, arg_min(template_context_id, file_row_number) AS template_context_id,
         arg_min(template_name, file_row_number) AS template_name,
         arg_min(template_version, file_row_number) AS template_version
  FROM tv GROUP BY template_id;
CREATE TEMP TABLE tv_sections AS
  SELECT template_id, section_id, arg_min(section_name, file_row_number) AS section_name,
         arg_min(section_weight, file_row_number) AS section_weight
  FROM tv GROUP BY template_id, section_id;
CREATE TEMP TABLE tv_questions AS
  SELECT template_id, question_id, min(file_row_number) AS form_order,
         arg_min(question_context_id, file_row_number) AS question_context_id,
         arg_min(question_text, file_row_number) AS question_text,
         arg_min(question_type, file_row_number) AS question_type,
         arg_min(is_critical, file_row_number) AS is_critical,
         arg_min(is_kill, file_row_number) AS is_kill,
         arg_min(question_max_score, file_row_number) AS question_max_score
  FROM tv GROUP BY template_id, question_id;
CREATE TEMP TABLE tv_answers AS
  SELECT template_id, question_id, answer_id, arg_min(answer_text, file_row_number) AS answer_text,
         coalesce(arg_min(answer_built_in_type, file_row_number) = 'Selected', false) AS selected
  FROM tv WHERE answer_id IS NOT NULL GROUP BY template_id, question_id, answer_id;
"""

_FLATTEN = """
COPY (
WITH e AS (
  SELECT id AS evaluation_id, coalesce(evaluationContextId, id) AS evaluation_context_id,
    version AS evaluation_version, conversation.id AS conversation_id, status,
    CASE WHEN status IN ('PENDING', 'INPROGRESS', 'INREVIEW') OR coalesce(aiScoring.pending, false)
         THEN 'pending' ELSE 'final' END AS score_calculation_status,
    evaluationForm.id AS template_id, evaluationForm.contextId AS form_context_id,
    answers.totalScore AS overall_score, answers.totalCriticalScore AS critical_score,
    list_sum(list_transform(answers.questionGroupScores, lambda g: g.totalScoreUnweighted)) AS raw_score,
    answers.anyFailedKillQuestions AS any_failed_kill_question,
    agent.id AS agent_id, evaluator.id AS evaluator_id, assignee.id AS assignee_id, queue.id AS queue_id,
    CAST(conversationDate AS TIMESTAMPTZ) AS conversation_date, CAST(createdDate AS TIMESTAMPTZ) AS date_created,
    CAST(submittedDate AS TIMESTAMPTZ) AS date_submitted, CAST(releaseDate AS TIMESTAMPTZ) AS date_released,
    CAST(changedDate AS TIMESTAMPTZ) AS date_modified,
    answers.questionGroupScores AS groups,
    coalesce(list_sum(list_transform(answers.questionGroupScores, lambda g: coalesce(len(g.questionScores), 0))), 0)
      AS question_count
  FROM read_json($jsonl, format = 'newline_delimited', columns = {columns})
),
g AS (SELECT * EXCLUDE (groups), unnest(groups) AS grp FROM e WHERE question_count > 0),
q AS (
  SELECT * EXCLUDE (grp), grp.questionGroupId AS section_id, grp.totalScore AS section_score,
    grp.maxTotalScore AS section_max_score,
    coalesce(grp.markedNA, false) OR coalesce(grp.systemMarkedNA, false) AS group_na,
    unnest(grp.questionScores) AS qs
  FROM g
),
options AS (
  SELECT evaluation_id, template_id, qs.questionId AS parent_id, unnest(qs.multipleSelectQuestionOptionScores) AS o
  FROM q WHERE len(qs.multipleSelectQuestionOptionScores) > 0
),
ticked AS (
  SELECT options.evaluation_id, options.parent_id, string_agg(tq.question_text, '; ' ORDER BY tq.form_order) AS texts
  FROM options
  JOIN tv_answers a ON a.template_id = options.template_id AND a.question_id = o.questionId
    AND a.answer_id = o.answerId AND a.selected
  JOIN tv_questions tq ON tq.template_id = options.template_id AND tq.question_id = o.questionId
    AND tq.question_text IS NOT NULL
  GROUP BY options.evaluation_id, options.parent_id
),
rows AS (
  SELECT q.*,
    coalesce(tq.question_type = 'multipleSelectQuestion', false)
      OR coalesce(len(qs.multipleSelectQuestionOptionScores), 0) > 0 AS is_multi,
    group_na OR coalesce(qs.markedNA, false) OR coalesce(qs.systemMarkedNA, false) AS marked_na,
    tq.question_context_id, tq.question_text, tq.question_type, tq.is_critical, tq.is_kill, tq.question_max_score,
    s.section_name, s.section_weight, a.answer_text AS option_text, ticked.texts AS ticked_texts
  FROM q
  LEFT JOIN tv_questions tq ON tq.template_id = q.template_id AND tq.question_id = qs.questionId
  LEFT JOIN tv_sections s ON s.template_id = q.template_id AND s.section_id = q.section_id
  LEFT JOIN tv_answers a ON a.template_id = q.template_id AND a.question_id = qs.questionId
    AND a.answer_id = qs.answerId
  LEFT JOIN ticked ON ticked.evaluation_id = q.evaluation_id AND ticked.parent_id = qs.questionId
),
items AS (
  SELECT *, qs.questionId AS question_id,
    CASE WHEN is_multi THEN NULL ELSE qs.answerId END AS answer_id,
    CASE WHEN question_type = 'freeTextQuestion' THEN qs.comments WHEN is_multi THEN ticked_texts
         ELSE option_text END AS answer_text,
    CASE WHEN marked_na OR question_type IN ('freeTextQuestion', 'readOnlyTextBlockQuestion') THEN NULL
         WHEN is_multi THEN list_sum(list_transform(qs.multipleSelectQuestionOptionScores, lambda o: o.score))
         ELSE qs.score END AS item_score,
    question_max_score AS item_max_score, section_weight AS item_weight, marked_na AS item_marked_na,
    qs.failedKillQuestion AS failed_kill_question, qs.comments AS comments
  FROM rows
  UNION ALL BY NAME
  SELECT * EXCLUDE (groups, question_count), '' AS question_id FROM e WHERE question_count = 0
)
SELECT {selected}
FROM items
LEFT JOIN tv_templates t ON t.template_id = items.template_id
) TO '{out}' (FORMAT parquet, COMPRESSION zstd)
"""


def duckdb_normalize(jsonl: Path, template_versions: Path, out: Path, month: str, threads: int | None = None) -> int:
    """Normalize with one SQL statement in DuckDB; returns the rows written."""
    columns = "{" + ", ".join(f"{name}: '{kind}'" for name, kind in _EVALUATION_COLUMNS.items()) + "}"
    special = {
        "template_id": "items.template_id",
        "template_context_id": "coalesce(items.form_context_id, t.template_context_id)",
        "template_name": "t.template_name",
        "template_version": "t.template_version",
        "evaluation_month": "CAST($month AS VARCHAR)",
    }
    selected = ", ".join(f"{special.get(name, name)} AS {name}" for name in _SCHEMA.names)
    connection = duckdb.connect()
    try:
        connection.execute("SET disabled_optimizers = 'build_side_probe_side'")
        connection.execute("SET preserve_insertion_order = false")
        if threads:
            connection.execute(f"SET threads = {int(threads)}")
        for statement in filter(str.strip, _FORM_TABLES.split(";")):
            values = {"template_versions": str(template_versions)} if "$template_versions" in statement else None
            connection.execute(statement, values)
        statement = _FLATTEN.format(columns=columns, selected=selected, out=str(out).replace("'", "''"))
        connection.execute(statement, {"jsonl": str(jsonl), "month": month})
    finally:
        connection.close()
    return pq.ParquetFile(out).metadata.num_rows
