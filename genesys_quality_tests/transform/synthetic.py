"""Large batches for scale tests and throughput measurements: fixtures replicated with new ids."""

from __future__ import annotations

import copy


def replicate(evaluations: list[dict], count: int) -> list[dict]:
    """`count` evaluations cycling through `evaluations`, each with a unique id and context id."""
    out = []
    for n in range(count):
        ev = copy.deepcopy(evaluations[n % len(evaluations)])
        ev["id"] = f"{ev['id']}-{n:07d}"
        ev["evaluationContextId"] = f"ctx-{ev['id']}"
        out.append(ev)
    return out
