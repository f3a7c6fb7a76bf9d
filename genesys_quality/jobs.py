"""Jobs: the whole graph for one month."""

import dagster as dg

from genesys_quality.partitions import monthly_partitions

quality_month_job = dg.define_asset_job(
    "quality_month_job",
    selection=dg.AssetSelection.groups("genesys_quality"),
    partitions_def=monthly_partitions,
    description="Extract, pin, normalize, validate and MERGE one month.",
)

JOBS = [quality_month_job]
