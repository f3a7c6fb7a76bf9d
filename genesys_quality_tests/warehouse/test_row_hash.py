"""`row_hash`: the one comparison that decides "changed?", its migration, and the unchanged-month shortcut."""

from __future__ import annotations

from genesys_quality.warehouse import DuckDBWarehouse
from genesys_quality.warehouse.sql import ROW_HASH

from .items import T0, T1, T2, counts, evaluation, load


def _target(backend, sql: str) -> list[tuple]:
    """Raw SQL against the target table of a backend's warehouse (`{t}` is its qualified name)."""
    return backend.raw_sql(sql.format(t=backend.make().sql.target))


def test_a_table_created_before_row_hash_gets_the_column_filled_and_stays_unchanged(backend):
    warehouse = backend.make()
    warehouse.ensure_tables()
    load(warehouse, evaluation("e1"), evaluation("e2", questions=()), at=T0)
    # An older version's table: no row_hash column at all.
    _target(backend, f'ALTER TABLE {{t}} DROP COLUMN "{warehouse.sql.dialect.fold_identifier(ROW_HASH)}"')

    migrated = backend.make()
    migrated.ensure_tables()

    assert _target(backend, f'SELECT COUNT(*) FROM {{t}} WHERE "{migrated.sql.dialect.fold_identifier(ROW_HASH)}" IS NULL') == [(0,)]
    rerun = load(migrated, evaluation("e1"), evaluation("e2", questions=()), at=T1)
    assert counts(rerun) == {
        "staged": 4, "inserted": 0, "updated": 0, "unchanged": 4, "soft_deleted": 0,
        "deferred_rows": 0, "deferred_evaluations": 0, "history_rows_written": 0,
    }
    assert set(migrated.read_table()["updated_at"]) == {T0}


def test_an_unchanged_month_writes_nothing_and_a_changed_score_is_found_by_its_hash(warehouse):
    warehouse.ensure_tables()
    load(warehouse, evaluation("e1"), evaluation("e2"), at=T0)

    unchanged = load(warehouse, evaluation("e1"), evaluation("e2"), at=T1)
    changed = load(warehouse, evaluation("e1"), evaluation("e2", score=50.0), at=T2)

    assert (unchanged.inserted, unchanged.updated, unchanged.unchanged, unchanged.soft_deleted) == (0, 0, 6, 0)
    assert unchanged.history_rows_written == 0
    assert (changed.inserted, changed.updated, changed.unchanged, changed.soft_deleted) == (0, 3, 3, 0)
    table = warehouse.read_table()
    assert set(table.loc[table["evaluation_id"] == "e1", "updated_at"]) == {T0}
    assert set(table.loc[table["evaluation_id"] == "e2", "updated_at"]) == {T2}


def test_a_row_whose_hash_was_cleared_by_a_manual_edit_is_rewritten_by_the_next_load(backend):
    warehouse = backend.make()
    warehouse.ensure_tables()
    load(warehouse, evaluation("e1"), at=T0)
    row_hash = warehouse.sql.dialect.fold_identifier(ROW_HASH)
    comments = warehouse.sql.dialect.fold_identifier("comments")
    # Documented repair: edit the row and clear its hash; the load restores the source's values.
    _target(backend, f"UPDATE {{t}} SET \"{comments}\" = 'edited by hand', \"{row_hash}\" = NULL")

    result = load(warehouse, evaluation("e1"), at=T1)

    assert (result.updated, result.unchanged) == (3, 0)
    assert "edited by hand" not in set(warehouse.read_table()["comments"].dropna())
    assert _target(backend, f'SELECT COUNT(*) FROM {{t}} WHERE "{row_hash}" IS NULL') == [(0,)]


def test_a_month_whose_evaluation_vanished_and_reappears_is_not_taken_for_unchanged(warehouse):
    warehouse.ensure_tables()
    load(warehouse, evaluation("e1"), evaluation("e2"), at=T0)
    gone = load(warehouse, evaluation("e1"), at=T1)
    back = load(warehouse, evaluation("e1"), evaluation("e2"), at=T2)

    assert (gone.soft_deleted, gone.unchanged) == (3, 3)
    assert (back.inserted, back.updated, back.unchanged, back.soft_deleted) == (0, 3, 3, 0)
    assert not warehouse.read_table()["is_deleted"].any()


def test_duckdb_loads_with_bounded_memory_one_staging_thread_and_a_temp_directory_by_default(tmp_path):
    warehouse = DuckDBWarehouse(tmp_path / "w.duckdb")
    warehouse.ensure_tables()
    load(warehouse, evaluation("e1"), at=T0)
    with warehouse._session() as session:
        limit, threads, temp = session._connection.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads'), current_setting('temp_directory')"
        ).fetchall()[0]
    assert limit.replace(" ", "").upper().startswith(("384", "366")), limit
    assert int(threads) == 2
    assert temp == f"{tmp_path / 'w.duckdb'}.tmp"
