"""What one month's load did, for run metadata and logs."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class LoadResult:
    """Row counts of one `load_month`; `staged` = inserted + updated + unchanged + deferred_rows."""

    month: str
    staged: int
    inserted: int
    updated: int
    unchanged: int
    soft_deleted: int
    deferred_rows: int
    """Rows of evaluations whose score is not final yet: not merged, their last final rows kept."""
    deferred_evaluations: int
    history_rows_written: int
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
