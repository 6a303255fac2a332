"""Disputes are areas: the column holds MultiPolygons only, as the layer declares.

Points and lines were accepted before, which broke the Shapefile and GeoPackage exports
(a layer of mixed geometry) and clients that trust the declared type. A dispute recorded
as a point or a line becomes the area within 25 m of it; its description says so.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

MAP_VIEW = """
    CREATE VIEW boundary_dispute_map AS
    SELECT id, title, line_code, array_to_string(parties, ',') AS parties, status, opened_on,
           round((area_m2 / 1e6)::numeric, 3) AS area_km2, geom
    FROM boundary_dispute"""
AREA_TRIGGER = """CREATE TRIGGER boundary_dispute_area BEFORE INSERT OR UPDATE OF geom ON boundary_dispute
                  FOR EACH ROW EXECUTE FUNCTION boundary_dispute_set_area()"""


def _retype(column_type: str, using: str) -> None:
    # the map view and the area trigger name the column: set aside while its type changes
    op.execute("DROP VIEW boundary_dispute_map")
    op.execute("DROP TRIGGER boundary_dispute_area ON boundary_dispute")
    op.execute(f"ALTER TABLE boundary_dispute ALTER COLUMN geom TYPE {column_type} USING {using}")
    op.execute(AREA_TRIGGER)
    op.execute(MAP_VIEW)


def upgrade() -> None:
    op.execute("""
    UPDATE boundary_dispute
       SET geom = ST_SetSRID(ST_Buffer(geom::geography, 25)::geometry, 4490),
           description = concat_ws(E'\\n', description,
               '原记录为' || CASE WHEN GeometryType(geom) LIKE '%POINT' THEN '点' ELSE '线' END
               || '，已改为其周围 25 米范围。Recorded as a '
               || CASE WHEN GeometryType(geom) LIKE '%POINT' THEN 'point' ELSE 'line' END
               || '; now the area within 25 m of it.')
     WHERE GeometryType(geom) NOT IN ('POLYGON', 'MULTIPOLYGON')""")
    _retype("geometry(MultiPolygon, 4490)", "ST_Multi(geom)")


def downgrade() -> None:
    _retype("geometry(Geometry, 4490)", "geom")
