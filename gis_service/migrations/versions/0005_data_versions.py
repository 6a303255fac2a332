"""A version counter per table, bumped by every write: tile caches and ETags key on it,
so an edit can never leave a stale tile behind.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = (
    "admin_unit",
    "boundary_line",
    "boundary_marker",
    "repair_order",
    "marker_alert",
    "boundary_dispute",
)


def upgrade() -> None:
    op.execute("""
    CREATE TABLE data_version (
        table_name text CONSTRAINT data_version_pkey PRIMARY KEY,
        version bigint NOT NULL DEFAULT 0
    )""")
    op.execute("""
    CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO data_version (table_name, version) VALUES (TG_TABLE_NAME, 1)
        ON CONFLICT (table_name) DO UPDATE SET version = data_version.version + 1;
        RETURN NULL;
    END $$""")
    for table in TABLES:
        op.execute(f"INSERT INTO data_version (table_name, version) VALUES ('{table}', 0)")
        op.execute(f"""CREATE TRIGGER {table}_bump_data_version
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_data_version ON {table}")
    op.execute("DROP FUNCTION IF EXISTS bump_data_version()")
    op.execute("DROP TABLE IF EXISTS data_version")
