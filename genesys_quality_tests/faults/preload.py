"""Imported once by the fault suite's forkserver, so that every forked run starts warm.

Importing the worker loads Dagster and the pipeline; one trivial materialization then loads what
Dagster imports lazily on its first run (instance storage, the executor). Python may not write
bytecode here (PYTHONDONTWRITEBYTECODE), so without this each run would compile those modules
again. The server must stay single-threaded to fork safely; a Dagster run in process leaves no
thread behind (checked below).
"""

import os
import threading

import dagster as dg

from genesys_quality_tests.faults import worker  # noqa: F401  (the import is the point)


@dg.asset
def _warm_up() -> int:
    return 1


_saved = os.dup(2)
with open(os.devnull, "w") as _devnull:
    os.dup2(_devnull.fileno(), 2)  # the warm-up run's log is noise
    try:
        dg.materialize([_warm_up], instance=dg.DagsterInstance.ephemeral(), resources={"io_manager": dg.mem_io_manager})
    finally:
        os.dup2(_saved, 2)
        os.close(_saved)
if threading.active_count() != 1:
    raise RuntimeError(f"the fault-suite forkserver must stay single-threaded, found {threading.enumerate()}")
