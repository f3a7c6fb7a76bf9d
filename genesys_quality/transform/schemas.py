"""The one source of truth for every table's columns.

Each pandera model below names its columns, their pandas dtype, nullability and meaning exactly once.
Everything else is derived from these models: the Arrow schemas of the Parquet files
(`arrow_schema`), the warehouse DDL (`genesys_quality.warehouse.sql`), the Dagster UI column schema
and the blocking asset checks. Add a column here and it appears everywhere.

Conventions
- A value Genesys does not provide stays NULL (never 0): nullable numeric columns use NaN/<NA>.
- Timestamps are UTC, microsecond precision.
- `evaluation_month` is the partition key `YYYY-MM-01` (the month of the evaluation's `createdDate`);
  it is a string in Parquet and a DATE in the warehouse (field metadata `sql_type`).
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import pandera.pandas as pa
import pyarrow
from pandera.typing import Series

Timestamp = Annotated[pd.DatetimeTZDtype, "us", "UTC"]

EVALUATION_STATUSES = ["PENDING", "INPROGRESS", "FINISHED", "INREVIEW", "RETRACTED"]
"""`Evaluation.status` values (genesys-api.md §2)."""

FINAL_STATUSES = ["FINISHED", "RETRACTED"]
"""Statuses whose scores are final and may be merged into the warehouse."""

QUESTION_TYPES = [
    "multipleChoiceQuestion",
    "multipleSelectQuestion",
    "freeTextQuestion",
    "npsQuestion",
    "readOnlyTextBlockQuestion",
]
"""`EvaluationQuestion.type` values (genesys-api.md §3.2)."""

SCORE_CALCULATION_STATUSES = ["final", "pending"]

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])-01$"

BASELINE_QUESTION_ID = ""
"""`question_id` of the single row kept for an evaluation without answers (never NULL: DESIGN §6)."""


_OPTION_SCORE = pyarrow.struct(
    [
        ("questionId", pyarrow.string()),
        ("answerId", pyarrow.string()),
        ("score", pyarrow.float64()),
        ("markedNA", pyarrow.bool_()),
        ("systemMarkedNA", pyarrow.bool_()),
    ]
)
_QUESTION_SCORE = pyarrow.struct(
    [
        *_OPTION_SCORE,
        ("failedKillQuestion", pyarrow.bool_()),
        ("comments", pyarrow.string()),
        ("multipleSelectQuestionOptionScores", pyarrow.list_(_OPTION_SCORE)),
    ]
)
QUESTION_GROUP_SCORES = pyarrow.list_(
    pyarrow.struct(
        [
            ("questionGroupId", pyarrow.string()),
            ("totalScore", pyarrow.float64()),
            ("maxTotalScore", pyarrow.float64()),
            ("totalScoreUnweighted", pyarrow.float64()),
            ("markedNA", pyarrow.bool_()),
            ("systemMarkedNA", pyarrow.bool_()),
            ("questionScores", pyarrow.list_(_QUESTION_SCORE)),
        ]
    )
)
"""`answers.questionGroupScores` as Arrow types: the only part of the answer tree normalization and scoring read
(Genesys's field names, so the JSON parser fills it directly)."""


def _month_field(description: str):
    return pa.Field(str_matches=MONTH_PATTERN, description=description, metadata={"sql_type": "DATE"})


class RawEvaluations(pa.DataFrameModel):
    """`raw_evaluations[month]`: one row per evaluation version, typed top-level fields + raw JSON."""

    evaluation_id: Series[str] = pa.Field(unique=True, description="Evaluation (version) `id`.")
    evaluation_context_id: Series[str] = pa.Field(
        description="`evaluationContextId`, shared by all versions; falls back to `id` when Genesys omits it."
    )
    evaluation_version: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="`version`.")
    conversation_id: Series[str] = pa.Field(nullable=True, description="`conversation.id`.")
    status: Series[str] = pa.Field(isin=EVALUATION_STATUSES, description="`status`.")
    template_id: Series[str] = pa.Field(description="`evaluationForm.id`: the published form version scored.")
    template_context_id: Series[str] = pa.Field(nullable=True, description="`evaluationForm.contextId`.")
    agent_id: Series[str] = pa.Field(nullable=True, description="`agent.id`.")
    evaluator_id: Series[str] = pa.Field(nullable=True, description="`evaluator.id`.")
    assignee_id: Series[str] = pa.Field(nullable=True, description="`assignee.id`.")
    queue_id: Series[str] = pa.Field(nullable=True, description="`queue.id`.")
    conversation_date: Series[Timestamp] = pa.Field(nullable=True, description="`conversationDate`.")
    date_created: Series[Timestamp] = pa.Field(description="`createdDate` (first version; decides the month).")
    date_submitted: Series[Timestamp] = pa.Field(nullable=True, description="`submittedDate`.")
    date_released: Series[Timestamp] = pa.Field(nullable=True, description="`releaseDate`.")
    date_modified: Series[Timestamp] = pa.Field(nullable=True, description="`changedDate`.")
    overall_score: Series[float] = pa.Field(nullable=True, ge=0, le=100, description="`answers.totalScore`.")
    critical_score: Series[float] = pa.Field(nullable=True, ge=0, le=100, description="`answers.totalCriticalScore`.")
    any_failed_kill_question: Series[pd.BooleanDtype] = pa.Field(
        nullable=True, description="`answers.anyFailedKillQuestions`."
    )
    ai_scoring_pending: Series[pd.BooleanDtype] = pa.Field(nullable=True, description="`aiScoring.pending`.")
    evaluation_month: Series[str] = _month_field("Partition month of `createdDate` (UTC), `YYYY-MM-01`.")
    payload: Series[str] = pa.Field(description="The evaluation exactly as Genesys returned it (JSON).")
    question_group_scores: Series[object] = pa.Field(
        nullable=True,
        description="`answers.questionGroupScores` of `payload`, typed and nested (parsed once at extraction, "
        "so normalization reads it instead of the JSON); NULL when the evaluation has no answers.",
        metadata={"arrow_type": QUESTION_GROUP_SCORES},
    )

    class Config:
        strict = True


class TemplateVersions(pa.DataFrameModel):
    """`template_versions[month]`: one row per answer option of each question of each form version.

    A question without answer options (free text, read-only text) has one row with NULL answer
    columns. A multiple-select question has one row per option sub-question answer option, its
    sub-questions carrying `parent_question_id`.
    """

    template_id: Series[str] = pa.Field(description="Form version `id`.")
    template_context_id: Series[str] = pa.Field(description="Form `contextId` (shared by versions).")
    template_name: Series[str] = pa.Field(nullable=True, description="Form version `name`.")
    template_version: Series[pd.Int64Dtype] = pa.Field(ge=1, description="Ordinal of this version in its context.")
    weight_mode: Series[str] = pa.Field(nullable=True, description="`weightMode` (SCALED / OFF).")
    template_modified_date: Series[Timestamp] = pa.Field(nullable=True, description="Form `modifiedDate`.")
    section_id: Series[str] = pa.Field(description="Question group `id`.")
    section_context_id: Series[str] = pa.Field(nullable=True, description="Question group `contextId`.")
    section_name: Series[str] = pa.Field(nullable=True, description="Question group `name`.")
    section_weight: Series[float] = pa.Field(nullable=True, description="Question group `weight`.")
    section_na_enabled: Series[pd.BooleanDtype] = pa.Field(nullable=True, description="Group `naEnabled`.")
    question_id: Series[str] = pa.Field(description="Question `id` (a sub-question for multiple select).")
    parent_question_id: Series[str] = pa.Field(
        nullable=True, description="For a multiple-select option sub-question: the parent question `id`."
    )
    question_context_id: Series[str] = pa.Field(nullable=True, description="Question `contextId`.")
    question_text: Series[str] = pa.Field(nullable=True, description="Question `text`.")
    question_type: Series[str] = pa.Field(isin=QUESTION_TYPES, description="Question `type`.")
    is_critical: Series[pd.BooleanDtype] = pa.Field(nullable=True, description="Question `isCritical`.")
    is_kill: Series[pd.BooleanDtype] = pa.Field(nullable=True, description="Question `isKill` (fatal).")
    question_na_enabled: Series[pd.BooleanDtype] = pa.Field(nullable=True, description="Question `naEnabled`.")
    question_max_score: Series[float] = pa.Field(
        nullable=True, ge=0, description="Highest answer-option value (multiple select: sum over sub-questions)."
    )
    answer_id: Series[str] = pa.Field(nullable=True, description="Answer option `id`.")
    answer_context_id: Series[str] = pa.Field(nullable=True, description="Answer option `contextId`.")
    answer_text: Series[str] = pa.Field(nullable=True, description="Answer option `text`.")
    answer_value: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="Answer option `value` (points).")
    answer_built_in_type: Series[str] = pa.Field(
        nullable=True, description="Answer option `builtInType` (Selected / Unselected, multiple-select options)."
    )

    class Config:
        strict = True


class NormalizedItems(pa.DataFrameModel):
    """`normalized_items[month]`: one row per (evaluation, question); DESIGN.md §6 business columns.

    An evaluation without answers has one baseline row with `question_id = ''`. A multiple-select
    question is one row (its option scores summed); a free-text question is one row whose
    `answer_text` is the text and whose scores are NULL.
    """

    evaluation_id: Series[str] = pa.Field(description="Evaluation (version) `id`.")
    evaluation_context_id: Series[str] = pa.Field(description="`evaluationContextId`, shared by versions.")
    evaluation_version: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="`version`.")
    conversation_id: Series[str] = pa.Field(nullable=True, description="`conversation.id`.")
    status: Series[str] = pa.Field(isin=EVALUATION_STATUSES, description="`status`.")
    score_calculation_status: Series[str] = pa.Field(
        isin=SCORE_CALCULATION_STATUSES,
        description="'final', or 'pending' while the status or AI scoring is not final (not merged).",
    )
    template_id: Series[str] = pa.Field(description="`evaluationForm.id`: the exact published form version.")
    template_context_id: Series[str] = pa.Field(nullable=True, description="Form `contextId`.")
    template_name: Series[str] = pa.Field(nullable=True, description="Form version `name`.")
    template_version: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1, description="Version ordinal in context.")
    overall_score: Series[float] = pa.Field(nullable=True, ge=0, le=100, description="`answers.totalScore`.")
    critical_score: Series[float] = pa.Field(nullable=True, ge=0, le=100, description="`answers.totalCriticalScore`.")
    raw_score: Series[float] = pa.Field(
        nullable=True, ge=0, description="Unweighted points earned (sum of groups' `totalScoreUnweighted`)."
    )
    any_failed_kill_question: Series[pd.BooleanDtype] = pa.Field(
        nullable=True, description="`answers.anyFailedKillQuestions`."
    )
    agent_id: Series[str] = pa.Field(nullable=True, description="`agent.id`.")
    evaluator_id: Series[str] = pa.Field(nullable=True, description="`evaluator.id`.")
    assignee_id: Series[str] = pa.Field(nullable=True, description="`assignee.id`.")
    queue_id: Series[str] = pa.Field(nullable=True, description="`queue.id`.")
    conversation_date: Series[Timestamp] = pa.Field(nullable=True, description="`conversationDate`.")
    date_created: Series[Timestamp] = pa.Field(description="`createdDate`.")
    date_submitted: Series[Timestamp] = pa.Field(nullable=True, description="`submittedDate`.")
    date_released: Series[Timestamp] = pa.Field(nullable=True, description="`releaseDate`.")
    date_modified: Series[Timestamp] = pa.Field(nullable=True, description="`changedDate`.")
    section_id: Series[str] = pa.Field(nullable=True, description="Question group `id`.")
    section_name: Series[str] = pa.Field(nullable=True, description="Question group `name`.")
    section_weight: Series[float] = pa.Field(nullable=True, description="Question group `weight`.")
    section_score: Series[float] = pa.Field(nullable=True, description="Group's weighted `totalScore`.")
    section_max_score: Series[float] = pa.Field(nullable=True, description="Group's weighted `maxTotalScore`.")
    question_id: Series[str] = pa.Field(description="Question `id`; '' for the no-answers baseline row.")
    question_context_id: Series[str] = pa.Field(nullable=True, description="Question `contextId`.")
    question_text: Series[str] = pa.Field(nullable=True, description="Question `text` from the form version.")
    question_type: Series[str] = pa.Field(nullable=True, isin=QUESTION_TYPES, description="Question `type`.")
    is_critical: Series[pd.BooleanDtype] = pa.Field(nullable=True, description="Question `isCritical`.")
    is_kill: Series[pd.BooleanDtype] = pa.Field(nullable=True, description="Question `isKill`.")
    answer_id: Series[str] = pa.Field(nullable=True, description="Chosen answer option `id`.")
    answer_text: Series[str] = pa.Field(
        nullable=True, description="Chosen option text; free text for free-text questions; '; '-joined for multiple select."
    )
    item_score: Series[float] = pa.Field(nullable=True, ge=0, description="Question `score` (points of the chosen option).")
    item_max_score: Series[float] = pa.Field(nullable=True, ge=0, description="Highest option value of the question.")
    item_weight: Series[float] = pa.Field(nullable=True, description="= section_weight (Genesys has no per-question weight).")
    item_marked_na: Series[pd.BooleanDtype] = pa.Field(
        nullable=True, description="Question or its group marked N/A (by the user or the system)."
    )
    failed_kill_question: Series[pd.BooleanDtype] = pa.Field(nullable=True, description="`failedKillQuestion`.")
    comments: Series[str] = pa.Field(nullable=True, description="Evaluator comment on the question.")
    evaluation_month: Series[str] = _month_field("Partition month of `createdDate` (UTC), `YYYY-MM-01`.")

    class Config:
        strict = True
        unique = ["evaluation_id", "question_id"]


class WarehouseRows(NormalizedItems):
    """`quality_evaluations`: the business columns plus the warehouse's own bookkeeping."""

    is_deleted: Series[pd.BooleanDtype] = pa.Field(description="The source no longer has this row.")
    deleted_at: Series[Timestamp] = pa.Field(nullable=True, description="When the row was soft-deleted.")
    created_at: Series[Timestamp] = pa.Field(description="When the row was first inserted.")
    updated_at: Series[Timestamp] = pa.Field(description="When the row last changed.")


class ScoreHistory(pa.DataFrameModel):
    """`quality_evaluation_score_history`: type-2 history of each evaluation version's score state."""

    evaluation_context_id: Series[str] = pa.Field(description="`evaluationContextId`.")
    evaluation_id: Series[str] = pa.Field(description="Evaluation (version) `id`.")
    evaluation_version: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="`version`.")
    status: Series[str] = pa.Field(
        isin=[*EVALUATION_STATUSES, "DELETED"], description="Status in this interval; DELETED once it vanished."
    )
    overall_score: Series[float] = pa.Field(nullable=True, description="`answers.totalScore` in this interval.")
    critical_score: Series[float] = pa.Field(nullable=True, description="`answers.totalCriticalScore`.")
    evaluation_month: Series[str] = _month_field("Partition month of `createdDate`.")
    valid_from: Series[Timestamp] = pa.Field(description="When the warehouse started showing this state.")
    valid_to: Series[Timestamp] = pa.Field(nullable=True, description="When it stopped; NULL while current.")
    is_current: Series[pd.BooleanDtype] = pa.Field(description="This is the state the warehouse shows now.")

    class Config:
        strict = True


WAREHOUSE_KEY = ("evaluation_id", "question_id")
BOOKKEEPING_COLUMNS = ("is_deleted", "deleted_at", "created_at", "updated_at")


def column_names(model: type[pa.DataFrameModel]) -> list[str]:
    """Column names of a model, in declaration order."""
    return list(model.to_schema().columns)


def column_descriptions(model: type[pa.DataFrameModel]) -> dict[str, str]:
    return {name: (col.description or "") for name, col in model.to_schema().columns.items()}


_ARROW_TYPES = {
    "str": pyarrow.string(),
    "Int64": pyarrow.int64(),
    "float64": pyarrow.float64(),
    "boolean": pyarrow.bool_(),
    "datetime64[us, UTC]": pyarrow.timestamp("us", tz="UTC"),
}


def _pandas_dtype_name(column) -> str:
    name = str(column.dtype)
    return "str" if name.startswith("str") else name


def _arrow_type(column) -> pyarrow.DataType:
    """A nested column declares its Arrow type in its metadata (pandas only knows it as `object`)."""
    declared = (column.metadata or {}).get("arrow_type")
    return declared if declared is not None else _ARROW_TYPES[_pandas_dtype_name(column)]


def nested_columns(model: type[pa.DataFrameModel]) -> list[str]:
    """Columns whose Arrow type is nested (lists of structs): validated by Arrow type, not row by row in pandas."""
    return [name for name, col in model.to_schema().columns.items() if (col.metadata or {}).get("arrow_type")]


def arrow_schema(model: type[pa.DataFrameModel]) -> pyarrow.Schema:
    """The Parquet/Arrow schema of a model (strings are plain `string`, timestamps UTC µs)."""
    columns = model.to_schema().columns
    return pyarrow.schema(
        [
            pyarrow.field(name, _arrow_type(col), nullable=col.nullable) for name, col in columns.items()
        ]
    )


def logical_types(model: type[pa.DataFrameModel]) -> dict[str, str]:
    """Backend-neutral type of each column: string, int, float, bool, timestamp, date, nested.

    The warehouse turns these into each dialect's SQL types.
    """
    logical = {
        "str": "string", "Int64": "int", "float64": "float", "boolean": "bool", "datetime64[us, UTC]": "timestamp",
        "object": "nested",
    }
    out = {}
    for name, col in model.to_schema().columns.items():
        sql_type = (col.metadata or {}).get("sql_type")
        out[name] = "date" if sql_type == "DATE" else logical[_pandas_dtype_name(col)]
    return out


def nullable_columns(model: type[pa.DataFrameModel]) -> set[str]:
    return {name for name, col in model.to_schema().columns.items() if col.nullable}


def empty_frame(model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """An empty DataFrame with the model's columns and dtypes (a month with no evaluations)."""
    return arrow_schema(model).empty_table().to_pandas(types_mapper=pandas_types_mapper)


def pandas_types_mapper(arrow_type: pyarrow.DataType):
    """Map Arrow types to the pandas dtypes the models expect (nullable ints/bools, UTC µs)."""
    if pyarrow.types.is_int64(arrow_type):
        return pd.Int64Dtype()
    if pyarrow.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None


def to_pandas(table: pyarrow.Table) -> pd.DataFrame:
    """Arrow table → pandas with the dtypes the pandera models validate."""
    return table.to_pandas(types_mapper=pandas_types_mapper)
