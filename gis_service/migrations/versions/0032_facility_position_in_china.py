"""A funeral facility stands in China, whichever door writes it.

The file import refused positions outside China (longitude 73-136, latitude 3-54: a
swapped lon/lat lands outside); an OGC API write from QGIS did not. The rule now lives in
the table, so every door keeps it.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05
"""

from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    ALTER TABLE funeral_facility ADD CONSTRAINT funeral_facility_in_china
        CHECK (ST_X(geom) BETWEEN 73 AND 136 AND ST_Y(geom) BETWEEN 3 AND 54)""")


def downgrade() -> None:
    op.execute("ALTER TABLE funeral_facility DROP CONSTRAINT funeral_facility_in_china")
