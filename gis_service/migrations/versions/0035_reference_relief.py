"""Hillshade of the reference base map's low zooms (ETOPO 2022), loaded from the reference
folder's relief.geojson at setup: one polygon per shade class.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06
"""

from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE reference_relief (
        id bigserial CONSTRAINT reference_relief_pkey PRIMARY KEY,
        -- darker than flat ground (-2, -1) or lighter (1); flat ground has no polygon
        shade smallint NOT NULL CONSTRAINT reference_relief_shade_known CHECK (shade IN (-2, -1, 1)),
        source text NOT NULL,
        geom geometry(MultiPolygon, 4490) NOT NULL
    )""")
    op.execute("CREATE INDEX reference_relief_geom_idx ON reference_relief USING gist (geom)")
    op.execute("""CREATE TRIGGER reference_relief_bump_data_version
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON reference_relief
        FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")


def downgrade() -> None:
    op.execute("DROP TABLE reference_relief")
