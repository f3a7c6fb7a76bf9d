"""The per-month extraction checkpoint: what is safely on disk, so a killed run resumes there.

It is rewritten atomically after every part file, and only ever names parts that exist.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from upath import UPath

from genesys_quality.storage.parquet import read_json, write_json

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
    version: int = FORMAT_VERSION
    updated_at: str | None = None

    @classmethod
    def load(cls, folder: UPath, month: str, strategy: str) -> Checkpoint | None:
        """The saved checkpoint for this month and strategy, or None to start afresh."""
        data = read_json(folder / CHECKPOINT_FILE)
        if not data or data.get("version") != FORMAT_VERSION:
            return None
        if data.get("month") != month or data.get("strategy") != strategy:
            return None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def save(self, folder: UPath) -> None:
        self.updated_at = datetime.now(timezone.utc).isoformat()
        write_json(asdict(self), folder / CHECKPOINT_FILE)
