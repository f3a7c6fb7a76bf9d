"""A month materialized by Dagster into Snowflake, through dagster-snowflake's SnowflakeResource.

Snowflake here is `fakesnow` (0.12.1): an emulator of the Snowflake Python connector on DuckDB,
patched into this process with `fakesnow.patch()`. It is not Snowflake. It proves the wiring —
SnowflakeResource (settings from EnvVars) → get_connection() → the connector calls, write_pandas
staging, BEGIN/COMMIT — and the SQL semantics, not Snowflake's planner, privileges or stages.
Runs launched by `dagster dev` are subprocesses and would not be patched; `dg.materialize` runs
in-process. The fakesnow MERGE-in-a-transaction workaround is the warehouse tests' own (see
genesys_quality_tests/warehouse/conftest.py).
"""

from __future__ import annotations

from contextlib import contextmanager

import dagster as dg
import pytest

from genesys_quality_tests.pipeline.conftest import MONTH_B, Pipeline, materialization_metadata
from genesys_quality_tests.warehouse.conftest import _fakesnow_without_null_table_comments

SNOWFLAKE_PASSWORD = "sf-Password-do-not-log-51c9"
SNOWFLAKE_ENV = {
    "GENESYS_QUALITY_WAREHOUSE": "snowflake",
    "SNOWFLAKE_ACCOUNT": "genesys-quality-test",
    "SNOWFLAKE_USER": "GQ_LOADER",
    "SNOWFLAKE_PASSWORD": SNOWFLAKE_PASSWORD,
    "SNOWFLAKE_WAREHOUSE": "GQ_WH",
    "SNOWFLAKE_DATABASE": "GQ",
    "SNOWFLAKE_SCHEMA": "QUALITY",
    "SNOWFLAKE_ROLE": "GQ_LOADER_ROLE",
}
LOAD_TIMESTAMPS = ["created_at", "updated_at"]
"""Set by each backend at its own load time, so they differ by construction."""


def _comparable(frame):
    return frame.drop(columns=LOAD_TIMESTAMPS).sort_values(["evaluation_id", "question_id"]).reset_index(drop=True)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Arrow output on a DB-API result:UserWarning")  # fakesnow's own copy
def test_month_loaded_into_snowflake_through_the_resource_equals_the_duckdb_load(
    pipeline, pipeline_env, simulator, monkeypatch
):
    import fakesnow
    from dagster_snowflake import SnowflakeResource

    from genesys_quality.snowflake_resource import SnowflakeWarehouseResource

    pipeline.materialize(MONTH_B)
    on_duckdb = pipeline.table(MONTH_B)

    for name, value in SNOWFLAKE_ENV.items():
        monkeypatch.setenv(name, value)
    _fakesnow_without_null_table_comments(monkeypatch)
    sessions = []
    original_get_connection = SnowflakeResource.get_connection

    @contextmanager
    def recorded_get_connection(self, *args, **kwargs):
        with original_get_connection(self, *args, **kwargs) as connection:
            sessions.append(connection)
            yield connection

    monkeypatch.setattr(SnowflakeResource, "get_connection", recorded_get_connection)

    with fakesnow.patch():
        snowflake_pipeline = Pipeline(pipeline_env)
        warehouse_resource = snowflake_pipeline.resources()["warehouse"]
        assert isinstance(warehouse_resource, SnowflakeWarehouseResource)
        result = snowflake_pipeline.materialize(MONTH_B)
        with dg.build_resources({"warehouse": warehouse_resource}) as built:
            on_snowflake = built.warehouse.get_warehouse().read_table(MONTH_B)

    loaded = materialization_metadata(result, "quality_evaluations")
    assert loaded["warehouse"] == "snowflake" and loaded["table"] == "QUALITY.quality_evaluations"
    assert len(on_snowflake) == len(on_duckdb) > 0
    assert _comparable(on_snowflake).equals(_comparable(on_duckdb))
    assert sessions and all(session.is_closed() for session in sessions), "every session is closed by its operation"
    assert SNOWFLAKE_PASSWORD not in repr(result.all_events)
