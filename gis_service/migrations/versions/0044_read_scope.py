"""Reads limited to an account's unit (READ_SCOPE=unit): one SQL test of whether a record's
units lie within a code prefix, and the unit of the place a sign stands for on the signs'
map view, so the sign layer can be limited like the names.

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-06
"""

from alembic import op

revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None

SIGN_MAP = """
    CREATE OR REPLACE VIEW place_name_sign_map AS
    SELECT s.code, s.kind, s.text_zh, s.text_mn, s.romanization, coalesce(s.condition, 'unknown') AS condition,
           s.condition_observed_at, p.name AS place_name, p.id AS place_name_id,
           EXISTS (SELECT 1 FROM sign_repair_order r WHERE r.sign_id = s.id AND r.status = 'open') AS repair_open,
           s.source, s.geom{extra}
    FROM place_name_sign s JOIN place_name p ON p.id = s.place_name_id"""


def upgrade() -> None:
    # A prefix of NULL reads everything. A text holds one code, or codes joined by '-' (a
    # boundary line's) or ',' (a dispute's parties); each code is matched from its start.
    # Plain SQL functions, inlined by the planner.
    op.execute("""
    CREATE FUNCTION units_within(codes text, prefix text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT prefix IS NULL OR ('-' || translate(codes, ',', '-')) LIKE ('%-' || prefix || '%')
    $$""")
    op.execute("""
    CREATE FUNCTION units_within(codes text[], prefix text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT prefix IS NULL OR EXISTS (SELECT 1 FROM unnest(codes) c WHERE c LIKE prefix || '%')
    $$""")
    op.execute(SIGN_MAP.format(extra=", p.admin_code"))


def downgrade() -> None:
    op.execute("DROP VIEW place_name_sign_map")
    op.execute(SIGN_MAP.format(extra=""))
    op.execute("DROP FUNCTION units_within(text[], text)")
    op.execute("DROP FUNCTION units_within(text, text)")
