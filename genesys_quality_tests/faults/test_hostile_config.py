"""Hostile names from configuration (or from Genesys) cannot inject SQL or write outside the storage prefix.

Table and schema names are validated and quoted identifiers, values are bound parameters; every
path segment the pipeline appends (asset, month, form version id) is validated. Each case runs the
month for real against a warehouse that holds a canary table, which must survive, and checks that
nothing was written outside the run's folder.
"""

from __future__ import annotations

import duckdb
import pytest

from genesys_quality.simulator import Simulator
from genesys_quality_tests.faults.conftest import world_config
from genesys_quality_tests.faults.harness import MONTH, compare, pipeline_env, snapshot, warehouse_file

pytestmark = pytest.mark.slow

CANARY = "canary_do_not_drop"


def _plant_canary(home):
    with duckdb.connect(str(warehouse_file(home))) as connection:
        connection.execute(f"CREATE TABLE {CANARY} AS SELECT 42 AS answer")


def _canary_alive(home) -> bool:
    with duckdb.connect(str(warehouse_file(home)), read_only=True) as connection:
        tables = {row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        return CANARY in tables and connection.execute(f"SELECT answer FROM {CANARY}").fetchone() == (42,)


def _outside(root, marker: str) -> list:
    return [p for p in root.parent.rglob(f"*{marker}*")]


def _error_text(outcome) -> str:
    assert not outcome.success, "the run succeeded with a hostile value"
    return outcome.failure_text()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GENESYS_QUALITY_TABLE", f'quality_evaluations"; DROP TABLE {CANARY}; --'),
        ("GENESYS_QUALITY_TABLE", f"x WHERE 1=1; DROP TABLE {CANARY}"),
        ("GENESYS_QUALITY_SCHEMA", f'main"."{CANARY}'),
        ("GENESYS_QUALITY_SCHEMA", f"main; DROP TABLE {CANARY}; --"),
    ],
)
def test_a_hostile_table_or_schema_name_is_refused_and_injects_nothing(variable, value, world, runs, tmp_path, record):
    home = world.home_from_prior(tmp_path / "home")
    _plant_canary(home)
    with Simulator(world_config()) as sim:
        outcome = runs.run(pipeline_env(sim, home, **{variable: value}))
    message = _error_text(outcome)
    result = compare(snapshot(home), world.pristine, prior=world.pristine)
    record("hostile table/schema names", result, _canary_alive(home), note=f"{variable}={value!r}")
    # Refused when the definitions load, before any request or write, naming the variable.
    assert "ConfigurationError" in message and variable in message and "is not a valid DuckDB identifier" in message
    assert _canary_alive(home)
    assert result.identical, str(result)


def test_a_hostile_form_version_id_from_genesys_cannot_escape_the_storage_prefix(world, runs, tmp_path, record):
    home = world.home_from_prior(tmp_path / "home")
    with Simulator(world_config()) as sim:
        target = sim.org.evaluations_in_month(MONTH)[0]["id"]
        sim.org.patch_evaluation_json(target, set={"evaluationForm.id": "../../../../escaped-form-version"})
        outcome = runs.run(pipeline_env(sim, home))
    message = _error_text(outcome)
    result = compare(snapshot(home), world.pristine, prior=world.pristine)
    escaped = _outside(tmp_path, "escaped-form-version")
    record("hostile path segments (form version id, partition key, S3 prefix)", result, not escaped,
           note="form version id '../../../../escaped-form-version'")
    assert "cannot be used in a storage path" in message and "form version id" in message
    assert not escaped, escaped
    assert result.identical, str(result)


@pytest.mark.parametrize(
    ("month", "env", "expected"),
    [
        ("../../escaped-month", {}, "escaped-month"),
        (MONTH, {"GENESYS_QUALITY_STORAGE_URL": "s3://bucket/prefix/../../escaped-prefix"}, "'..'"),
    ],
)
def test_a_hostile_partition_key_or_storage_prefix_is_refused_before_anything_is_written(
    month, env, expected, world, runs, tmp_path, record
):
    home = world.home_from_prior(tmp_path / "home")
    with Simulator(world_config()) as sim:
        outcome = runs.run(pipeline_env(sim, home, **env), month=month)
    message = _error_text(outcome)
    result = compare(snapshot(home), world.pristine, prior=world.pristine)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != warehouse_file(home)]
    record("hostile path segments (form version id, partition key, S3 prefix)", result, not written,
           note=f"month {month!r}, {env}")
    assert expected in message
    assert not written, written
    assert result.identical, str(result)
