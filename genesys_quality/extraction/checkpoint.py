"""The per-month extraction checkpoint: what is safely on disk, so a killed run resumes there.

It is rewritten atomically after every part file, and only ever names parts that exist.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

import pyarrow as pa
from upath import UPath

from genesys_quality.storage.parquet import read_json, write_json
from genesys_quality.transform import schemas

CHECKPOINT_FILE = "checkpoint.json"
FORMAT_VERSION = 1


@dataclass
class Checkpoint:
    month: str
    strategy: str
    parts: list[str] = field(default_factory=list)
    pages_done: int = 0
    rows_written: int = 0
    high_water_changed: str | None = None
    complete: bool = False
    # search strategy: the createdDate lower bound of the current window, the last page saved in it
    # and the evaluations the window leaves out (read before it, at its start; pages depend on them)
    window_start: str | None = None
    window_page: int = 0
    window_excluded: list[str] = field(default_factory=list)
    # query strategy: users whose evaluations are all saved
    users_done: list[str] = field(default_factory=list)
    # evaluations left out of the parts because their JSON is malformed (extraction.malformed)
    malformed: list[dict] = field(default_factory=list)
    # fingerprint of the part files' Arrow schema (`raw_evaluations`), see `load`
    parts_schema: str = field(default_factory=lambda: RAW_PARTS_SCHEMA)
    version: int = FORMAT_VERSION
    updated_at: str | None = None

    @classmethod
    def load(cls, folder: UPath, month: str, strategy: str) -> Checkpoint | None:
        """The saved checkpoint for this month and strategy, or None to start afresh.

        A checkpoint whose parts were written with another schema (a run interrupted before an
        upgrade that changed `raw_evaluations`) is not resumed: its parts could not be combined
        with the new ones, and every page can be fetched again."""
        data = read_json(folder / CHECKPOINT_FILE)
        if not data or data.get("version") != FORMAT_VERSION:
            return None
        if data.get("month") != month or data.get("strategy") != strategy:
            return None
        if data.get("parts_schema") != RAW_PARTS_SCHEMA:
            return None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def save(self, folder: UPath) -> None:
        self.updated_at = datetime.now(timezone.utc).isoformat()
        write_json(asdict(self), folder / CHECKPOINT_FILE)


def schema_fingerprint(schema: pa.Schema) -> str:
    """A short, stable digest of a schema's field names, types and nullability."""
    return hashlib.sha256(schema.remove_metadata().to_string().encode()).hexdigest()[:16]


RAW_PARTS_SCHEMA = schema_fingerprint(schemas.arrow_schema(schemas.RawEvaluations))
