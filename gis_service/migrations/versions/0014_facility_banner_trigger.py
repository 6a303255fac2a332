"""A facility's banner follows its position in the database, so that every way of writing
a facility (file import, OGC API edits from QGIS) keeps county_code right.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE FUNCTION funeral_facility_banner() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.county_code := (SELECT u.code FROM admin_unit u
                            WHERE u.level = 'county' AND u.valid_to IS NULL AND ST_Intersects(u.geom, NEW.geom)
                            ORDER BY u.code LIMIT 1);
        NEW.updated_at := now();
        RETURN NEW;
    END $$""")
    op.execute("""
    CREATE TRIGGER funeral_facility_banner BEFORE INSERT OR UPDATE OF geom ON funeral_facility
        FOR EACH ROW EXECUTE FUNCTION funeral_facility_banner()""")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS funeral_facility_banner ON funeral_facility")
    op.execute("DROP FUNCTION IF EXISTS funeral_facility_banner()")
