"""The boundary-line layer carries each line's length in metres beside kilometres: the
lines' list (`/api/v1/boundary-lines`) is now the layer's items and keeps its `length_m`.

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-06
"""

from alembic import op

revision = "0045"
down_revision = "0044"
branch_labels = None
depends_on = None

VIEW = """
    CREATE OR REPLACE VIEW boundary_line_current AS
    SELECT code, level, name, left_code, right_code, scope, source, legal_status, technical_status,
           round(length_m::numeric / 1000, 2) AS length_km, version, max_gap_m, geom{extra}
    FROM boundary_line WHERE valid_to IS NULL"""


def upgrade() -> None:
    op.execute(VIEW.format(extra=", round(length_m::numeric, 1) AS length_m"))


def downgrade() -> None:
    op.execute("DROP VIEW boundary_line_current")
    op.execute(VIEW.format(extra=""))
