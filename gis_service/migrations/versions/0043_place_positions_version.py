"""A data version for where the register's places are (their position, level, codes, name
and status), apart from the rest of each record: facility coverage is computed from the
places and kept until they move, not recomputed after every edit of a description.

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-06
"""

from alembic import op

revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None

PLACES = "place_name_place"  # the pseudo-table's name in data_change and data_changed
COLUMNS = "geom, level, unit_code, admin_code, name, status"


def upgrade() -> None:
    op.execute("""
    CREATE FUNCTION bump_data_version_of() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- the version the trigger's argument names, not the table's own
        INSERT INTO data_change (table_name) VALUES (TG_ARGV[0]);
        PERFORM pg_notify('data_changed', TG_ARGV[0]);
        RETURN NULL;
    END $$""")
    op.execute(f"""CREATE TRIGGER place_name_places_written AFTER INSERT OR DELETE OR TRUNCATE ON place_name
        FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_of('{PLACES}')""")
    op.execute(f"""CREATE TRIGGER place_name_places_moved AFTER UPDATE OF {COLUMNS} ON place_name
        FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_of('{PLACES}')""")


def downgrade() -> None:
    op.execute("DROP TRIGGER place_name_places_moved ON place_name")
    op.execute("DROP TRIGGER place_name_places_written ON place_name")
    op.execute("DROP FUNCTION bump_data_version_of()")
