"""Query results as DataFrames with the dtypes of the pandera models, whichever backend answered.

Both backends hand back Arrow; DATE columns become the 'YYYY-MM-01' strings the models use, and
timestamps are normalised to UTC microseconds, so `WarehouseRows.validate(read_table())` holds.
"""

from __future__ import annotations

from typing import Mapping

import pandas as pd
import pyarrow

from genesys_quality.transform.schemas import to_pandas

_ARROW_TYPES = {
    "string": pyarrow.string(),
    "int": pyarrow.int64(),
    "float": pyarrow.float64(),
    "bool": pyarrow.bool_(),
    "timestamp": pyarrow.timestamp("us", tz="UTC"),
}


def _typed(column: pyarrow.ChunkedArray, logical_type: str) -> pyarrow.ChunkedArray:
    if logical_type == "date":
        if pyarrow.types.is_timestamp(column.type):
            column = column.cast(pyarrow.date32())
        return column.cast(pyarrow.string())
    return column.cast(_ARROW_TYPES[logical_type])


def typed_frame(table: pyarrow.Table, columns: Mapping[str, str]) -> pd.DataFrame:
    """Select `columns` (name -> logical type) from a result, matched case-insensitively."""
    by_lower_name = {name.lower(): i for i, name in enumerate(table.column_names)}
    arrays = [_typed(table.column(by_lower_name[name.lower()]), kind) for name, kind in columns.items()]
    return to_pandas(pyarrow.table(arrays, names=list(columns)))
