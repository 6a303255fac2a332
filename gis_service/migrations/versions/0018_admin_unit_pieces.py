"""Unit polygons cheap to draw. A province polygon has tens of thousands of vertices, and
each tile of it paid for them twice: the layer views computed the ellipsoidal area (and
the label point) on every read, and clipping read the whole polygon. The area and the
label point are now stored with the unit (generated columns), and the polygons are also
kept cut into pieces of at most 256 vertices: a tile clips only the pieces it touches and
joins them again, so its cost follows the tile, not the province. The pieces follow
admin_unit by trigger.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

MAX_VERTICES = 256


VIEWS = {"province_boundary": "province", "city_boundary": "city", "county_boundary": "county"}


def _views(area: str, lon: str, lat: str) -> None:
    for view, level in VIEWS.items():
        op.execute(f"""
        CREATE OR REPLACE VIEW {view} AS
        SELECT code, name, name_romanized, parent_code, level, {area} AS area_km2,
               {lon} AS label_lon, {lat} AS label_lat, geom
        FROM admin_unit
        WHERE level = '{level}' AND valid_to IS NULL AND geom IS NOT NULL""")


def upgrade() -> None:
    op.execute("""
    ALTER TABLE admin_unit
        ADD COLUMN area_km2 numeric GENERATED ALWAYS AS (round((ST_Area(geom::geography) / 1e6)::numeric, 1)) STORED,
        ADD COLUMN label_lon numeric GENERATED ALWAYS AS (round(ST_X(ST_PointOnSurface(geom))::numeric, 5)) STORED,
        ADD COLUMN label_lat numeric GENERATED ALWAYS AS (round(ST_Y(ST_PointOnSurface(geom))::numeric, 5)) STORED""")
    _views("area_km2", "label_lon", "label_lat")
    op.execute("""
    CREATE TABLE admin_unit_piece (
        code varchar(12) NOT NULL,
        geom geometry(Geometry, 4490) NOT NULL
    )""")
    op.execute(f"""
    CREATE FUNCTION admin_unit_pieces_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE changed text;
    BEGIN
        FOREACH changed IN ARRAY ARRAY[
            CASE WHEN TG_OP <> 'INSERT' THEN OLD.code END,
            CASE WHEN TG_OP <> 'DELETE' THEN NEW.code END]
        LOOP
            CONTINUE WHEN changed IS NULL;
            DELETE FROM admin_unit_piece WHERE code = changed;
            INSERT INTO admin_unit_piece (code, geom)
            SELECT code, ST_Subdivide(geom, {MAX_VERTICES}) FROM admin_unit
            WHERE code = changed AND valid_to IS NULL AND geom IS NOT NULL;
        END LOOP;
        RETURN NULL;
    END $$""")
    op.execute("""CREATE TRIGGER admin_unit_pieces_follow
        AFTER INSERT OR UPDATE OF code, geom, valid_to OR DELETE ON admin_unit
        FOR EACH ROW EXECUTE FUNCTION admin_unit_pieces_follow()""")
    op.execute(f"""INSERT INTO admin_unit_piece (code, geom)
        SELECT code, ST_Subdivide(geom, {MAX_VERTICES}) FROM admin_unit WHERE valid_to IS NULL AND geom IS NOT NULL""")
    op.execute("CREATE INDEX admin_unit_piece_geom_idx ON admin_unit_piece USING gist (geom)")
    op.execute("CREATE INDEX admin_unit_piece_code_idx ON admin_unit_piece (code)")


def downgrade() -> None:
    _views(
        "round((ST_Area(geom::geography) / 1e6)::numeric, 1)",
        "round(ST_X(ST_PointOnSurface(geom))::numeric, 5)",
        "round(ST_Y(ST_PointOnSurface(geom))::numeric, 5)",
    )
    op.execute("ALTER TABLE admin_unit DROP COLUMN area_km2, DROP COLUMN label_lon, DROP COLUMN label_lat")
    op.execute("DROP TRIGGER admin_unit_pieces_follow ON admin_unit")
    op.execute("DROP FUNCTION admin_unit_pieces_follow()")
    op.execute("DROP TABLE admin_unit_piece")
