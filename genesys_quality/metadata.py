"""Dagster metadata derived from the pandera models and from failure tables."""

from __future__ import annotations

import dagster as dg
import pandas as pd

from genesys_quality.transform import schemas

FAILURE_ROWS_SHOWN = 20


def column_schema(model) -> dg.TableSchema:
    """The `dagster/column_schema` the UI shows, derived from a pandera model (never retyped)."""
    types = schemas.logical_types(model)
    nullable = schemas.nullable_columns(model)
    descriptions = schemas.column_descriptions(model)
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=name,
                type=types[name],
                description=descriptions[name] or None,
                constraints=dg.TableColumnConstraints(nullable=name in nullable),
            )
            for name in schemas.column_names(model)
        ]
    )


def failures_table(failures: pd.DataFrame, limit: int = FAILURE_ROWS_SHOWN) -> dg.TableMetadataValue:
    """The first `limit` failing rows as a table in the UI (values shown as text)."""
    shown = failures.head(limit).astype(object).where(failures.head(limit).notna(), None)
    columns = [str(c) for c in shown.columns]
    records = [dg.TableRecord({col: (None if val is None else str(val)) for col, val in zip(columns, row)}) for row in shown.itertuples(index=False)]
    return dg.MetadataValue.table(
        records=records,
        schema=dg.TableSchema(columns=[dg.TableColumn(name=c, type="string") for c in columns]),
    )


def materialized_values(result: dg.ExecuteInProcessResult, asset: str) -> dict | None:
    """The metadata values (plain Python) of `asset`'s materialization in a run; None if the run did not
    materialize it."""
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key.to_user_string() == asset:
            return {k: getattr(v, "value", v) for k, v in materialization.metadata.items()}
    return None
