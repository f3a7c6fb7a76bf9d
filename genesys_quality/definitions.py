"""The Dagster entry point: `dagster dev` / `dagster asset materialize -m genesys_quality.definitions`."""

import dagster as dg

from genesys_quality.assets import ASSETS
from genesys_quality.deployment import resources
from genesys_quality.jobs import JOBS
from genesys_quality.schedules import SCHEDULES
from genesys_quality.sensors import SENSORS

defs = dg.Definitions(assets=ASSETS, jobs=JOBS, schedules=SCHEDULES, sensors=SENSORS, resources=resources())
