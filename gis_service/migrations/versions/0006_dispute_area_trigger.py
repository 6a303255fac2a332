"""Disputes editable through OGC API Part 4: the area follows the geometry whatever
writes it, and deleting a dispute deletes its timeline.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE FUNCTION boundary_dispute_set_area() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.area_m2 := CASE WHEN GeometryType(NEW.geom) IN ('POLYGON', 'MULTIPOLYGON')
                            THEN ST_Area(NEW.geom::geography) END;
        RETURN NEW;
    END $$""")
    op.execute("""CREATE TRIGGER boundary_dispute_area BEFORE INSERT OR UPDATE OF geom ON boundary_dispute
                  FOR EACH ROW EXECUTE FUNCTION boundary_dispute_set_area()""")
    op.execute("ALTER TABLE dispute_event DROP CONSTRAINT dispute_event_dispute_fkey")
    op.execute("""ALTER TABLE dispute_event ADD CONSTRAINT dispute_event_dispute_fkey
                  FOREIGN KEY (dispute_id) REFERENCES boundary_dispute (id) ON DELETE CASCADE""")


def downgrade() -> None:
    op.execute("ALTER TABLE dispute_event DROP CONSTRAINT dispute_event_dispute_fkey")
    op.execute("""ALTER TABLE dispute_event ADD CONSTRAINT dispute_event_dispute_fkey
                  FOREIGN KEY (dispute_id) REFERENCES boundary_dispute (id)""")
    op.execute("DROP TRIGGER IF EXISTS boundary_dispute_area ON boundary_dispute")
    op.execute("DROP FUNCTION IF EXISTS boundary_dispute_set_area()")
