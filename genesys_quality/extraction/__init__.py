"""Extraction of one month of evaluations into resumable Parquet parts (no Dagster imports)."""

from genesys_quality.extraction.checkpoint import Checkpoint
from genesys_quality.extraction.month import ExtractionResult, MonthExtractor, month_window

__all__ = ["Checkpoint", "ExtractionResult", "MonthExtractor", "month_window"]
