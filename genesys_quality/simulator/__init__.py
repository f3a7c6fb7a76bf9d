"""A faithful Genesys Cloud Quality Management API on loopback, deterministic from a seed.

    from genesys_quality.simulator import Simulator
    with Simulator(seed=42, anchor_month="2026-11-01") as sim:
        sim.base_url, sim.org, sim.faults, sim.stats

See README.md beside this file for every knob and every behaviour chosen where Genesys is silent.
"""

from .config import ALL_PERMISSIONS, SimulatorConfig
from .faults import Faults
from .jsonl import generate_month_jsonl
from .organisation import Organisation
from .scoring import ScoringError, score_evaluation
from .simulator import Simulator
from .stats import SimulatorStats

__all__ = [
    "ALL_PERMISSIONS",
    "Faults",
    "Organisation",
    "ScoringError",
    "Simulator",
    "SimulatorConfig",
    "SimulatorStats",
    "generate_month_jsonl",
    "score_evaluation",
]
