"""Table versions key the tile cache: they must change with every committed write,
whatever order transactions commit in, and compaction must never change them."""

import psycopg


def _version(db, table: str) -> int:
    return db.execute("SELECT version FROM data_versions(%s)", ([table],)).fetchone()[0]


def _touch_a_dispute(con) -> None:
    con.execute("UPDATE boundary_dispute SET status = status WHERE false")


def test_a_committed_write_changes_the_version_and_compaction_keeps_it(db):
    before = _version(db, "boundary_dispute")
    _touch_a_dispute(db)
    assert _version(db, "boundary_dispute") == before + 1
    db.execute("SELECT compact_data_changes()")
    assert (
        db.execute("SELECT count(*) FROM data_change WHERE table_name = 'boundary_dispute'").fetchone()[0]
        == 0
    )
    assert _version(db, "boundary_dispute") == before + 1


def test_a_late_commit_still_changes_the_version(db, prepared_db):
    """Two writers that commit out of order: the version seen after each commit is new."""
    with psycopg.connect(prepared_db) as first, psycopg.connect(prepared_db) as second:
        _touch_a_dispute(first)  # started first, commits last
        _touch_a_dispute(second)
        second.commit()
        seen = _version(db, "boundary_dispute")
        db.execute("SELECT compact_data_changes()")  # folds second's row, leaves first's pending
        first.commit()
        assert _version(db, "boundary_dispute") == seen + 1


def test_writers_share_no_lock(db, prepared_db):
    """An open write transaction does not hold up another writer of the same table."""
    with psycopg.connect(prepared_db) as first, psycopg.connect(prepared_db) as second:
        _touch_a_dispute(first)
        second.execute("SET lock_timeout = '1s'")
        _touch_a_dispute(second)
        second.commit()
        first.commit()


def test_an_unknown_table_has_version_zero(db):
    assert _version(db, "no_such_table") == 0
