"""Unit polygons generalised per zoom, shared edges simplified once.

Zoomed out, a tile over China holds thousands of county outlines at full detail (z3
tiles took 660 ms). Simplifying each polygon on its own would open gaps between
neighbours, since each side of a shared edge loses different vertices. So each level's
polygons are simplified together, as a coverage, once per zoom 0-8 at setup
(gis_service/admin_units/generalise.py) and kept here; tiles below PIECES_FROM_ZOOM draw these.

A unit whose polygon changes loses its rows here (trigger), and is drawn from its own
polygon until the next setup generalises its level again.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02
"""

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE admin_unit_generalised (
        code varchar(12) NOT NULL,
        zoom smallint NOT NULL CHECK (zoom BETWEEN 0 AND 8),
        geom geometry(MultiPolygon, 4490) NOT NULL,
        PRIMARY KEY (code, zoom)
    )""")
    op.execute("""
    CREATE FUNCTION admin_unit_generalised_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM admin_unit_generalised
        WHERE code IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.code END,
                       CASE WHEN TG_OP <> 'DELETE' THEN NEW.code END);
        RETURN NULL;
    END $$""")
    op.execute("""CREATE TRIGGER admin_unit_generalised_forget
        AFTER UPDATE OF code, geom, valid_to OR DELETE ON admin_unit
        FOR EACH ROW EXECUTE FUNCTION admin_unit_generalised_forget()""")


def downgrade() -> None:
    op.execute("DROP TRIGGER admin_unit_generalised_forget ON admin_unit")
    op.execute("DROP FUNCTION admin_unit_generalised_forget()")
    op.execute("DROP TABLE admin_unit_generalised")
