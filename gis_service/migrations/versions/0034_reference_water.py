"""Rivers and lakes of the reference base map (GSHHG / World Data Bank II), loaded from
the reference folder's water.geojson at setup.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-05
"""

from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE reference_water (
        id bigserial CONSTRAINT reference_water_pkey PRIMARY KEY,
        kind text NOT NULL CONSTRAINT reference_water_kind_known CHECK (kind IN ('river', 'lake')),
        name text,
        source text NOT NULL,
        geom geometry(Geometry, 4490) NOT NULL
    )""")
    op.execute("CREATE INDEX reference_water_geom_idx ON reference_water USING gist (geom)")
    op.execute("""CREATE TRIGGER reference_water_bump_data_version
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON reference_water
        FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")


def downgrade() -> None:
    op.execute("DROP TABLE reference_water")
