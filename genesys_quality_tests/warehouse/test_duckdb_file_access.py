"""The DuckDB file is shared between processes in turn: lock waits, clear failures, prompt release."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from genesys_quality.warehouse import DuckDBWarehouse, WarehouseUnavailableError

from .items import T0, evaluation, load

HOLD_LOCK = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.close()
"""

COUNT_ROWS = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1])
print(connection.execute("SELECT COUNT(*) FROM quality_evaluations").fetchone()[0])
"""


def hold_lock(path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_file_locked_by_another_process_raises_unavailable_after_the_timeout(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    DuckDBWarehouse(path).ensure_tables()
    holder = hold_lock(path, 60)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseUnavailableError) as raised:
            DuckDBWarehouse(path, lock_timeout_seconds=1.0).ensure_tables()
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()

    message = str(raised.value)
    assert str(path) in message and "locked by another process" in message and "lock_timeout_seconds" in message
    assert waited >= 0.9


def test_load_waits_for_a_lock_released_within_the_timeout(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    holder = hold_lock(path, 1.0)
    try:
        result = load(DuckDBWarehouse(path, lock_timeout_seconds=30.0), evaluation("e1"), at=T0)
    finally:
        holder.wait(timeout=30)

    assert result.inserted == 3


def test_missing_directory_raises_unavailable_naming_the_path(tmp_path):
    path = tmp_path / "no-such-directory" / "warehouse.duckdb"

    with pytest.raises(WarehouseUnavailableError, match="no-such-directory/warehouse.duckdb.*directory exists"):
        DuckDBWarehouse(path, lock_timeout_seconds=5.0).ensure_tables()


def test_connection_is_released_after_each_operation(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    warehouse = DuckDBWarehouse(path)
    load(warehouse, evaluation("e1"), at=T0)
    warehouse.read_table()

    counted = subprocess.run([sys.executable, "-c", COUNT_ROWS, str(path)], capture_output=True, text=True, timeout=60)

    assert counted.returncode == 0, counted.stderr
    assert counted.stdout.strip() == "3"


def test_tables_live_in_the_configured_schema(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    load(DuckDBWarehouse(path, schema="genesys_quality"), evaluation("e1"), at=T0)

    assert len(DuckDBWarehouse(path, schema="genesys_quality").read_table()) == 3
    assert DuckDBWarehouse(path, schema="other").read_table().empty


def test_a_malformed_memory_limit_is_refused_before_anything_connects(tmp_path):
    import pytest as _pytest

    from genesys_quality.warehouse import DuckDBWarehouse

    with _pytest.raises(ValueError, match="memory limit"):
        DuckDBWarehouse(tmp_path / "w.duckdb", memory_limit="1GB'; DROP TABLE x; --")


def test_a_load_under_a_memory_limit_applies_it_and_merges_the_month(tmp_path):
    warehouse = DuckDBWarehouse(tmp_path / "w.duckdb", memory_limit="256MB")
    warehouse.ensure_tables()
    result = load(warehouse, evaluation("e1"), evaluation("e2", questions=()), at=T0)
    assert result.inserted == 4 and result.staged == 4
    with warehouse._session() as session:
        limit = session._connection.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit.replace(" ", "").upper().startswith(("256", "244")), limit
