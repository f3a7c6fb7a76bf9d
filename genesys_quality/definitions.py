"""The Dagster entry point: `dagster dev` / `dagster asset materialize -m genesys_quality.definitions`."""

import dagster as dg

from genesys_quality.assets import ASSETS
from genesys_quality.deployment import resources
from genesys_quality.jobs import JOBS
from genesys_quality.schedules import SCHEDULES
from genesys_quality.sensors import SENSORS

# The graph is a chain of four steps: running them in the run's own process saves ~15 s of
# process start-up per step on a small machine and changes nothing else.
defs = dg.Definitions(
    assets=ASSETS,
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources=resources(),
    executor=dg.in_process_executor,
)
