"""Count data changes without a shared row: writers only insert into `data_change`.

Bumping one `data_version` row per table made every write transaction hold that row
until its commit was flushed, so concurrent visits queued behind each other's fsync.
Now a statement trigger appends a row to `data_change` (no lock shared with any other
writer), and a table's version is `data_version.version` plus its rows in
`data_change`: the number of committed write statements. It only ever grows, and a
late commit grows it too, so a key read after a commit always differs from any key
read before it. `compact_data_changes()` folds the log into the counters in one
statement, which keeps the sum unchanged for every snapshot.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COMPACTION_LOCK = 4490_0002  # any constant; one compaction at a time


def upgrade() -> None:
    op.execute("""
    CREATE TABLE data_change (table_name text NOT NULL);
    CREATE INDEX data_change_table_name_idx ON data_change (table_name)
    """)
    op.execute("""
    CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO data_change (table_name) VALUES (TG_TABLE_NAME);
        RETURN NULL;
    END $$""")
    op.execute("""
    CREATE FUNCTION data_versions(tables text[]) RETURNS TABLE (table_name text, version bigint)
    LANGUAGE sql STABLE AS $$
        SELECT t.name, coalesce(v.version, 0)
               + (SELECT count(*) FROM data_change c WHERE c.table_name = t.name)
        FROM unnest(tables) AS t(name)
        LEFT JOIN data_version v ON v.table_name = t.name
    $$""")
    op.execute(f"""
    CREATE FUNCTION compact_data_changes() RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE folded bigint := 0;
    BEGIN
        IF NOT pg_try_advisory_xact_lock({COMPACTION_LOCK}) THEN
            RETURN 0;
        END IF;
        WITH gone AS (DELETE FROM data_change RETURNING table_name),
             counted AS (SELECT table_name, count(*) AS n FROM gone GROUP BY table_name),
             folded_rows AS (
                INSERT INTO data_version (table_name, version)
                SELECT table_name, n FROM counted
                ON CONFLICT (table_name) DO UPDATE
                    SET version = data_version.version + excluded.version
                RETURNING 1)
        SELECT coalesce(sum(n), 0) INTO folded FROM counted;
        RETURN folded;
    END $$""")


def downgrade() -> None:
    op.execute("SELECT compact_data_changes()")
    op.execute("DROP FUNCTION compact_data_changes()")
    op.execute("DROP FUNCTION data_versions(text[])")
    op.execute("""
    CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(44900001);
        INSERT INTO data_version (table_name, version) VALUES (TG_TABLE_NAME, 1)
        ON CONFLICT (table_name) DO UPDATE SET version = data_version.version + 1;
        RETURN NULL;
    END $$""")
    op.execute("DROP TABLE data_change")
