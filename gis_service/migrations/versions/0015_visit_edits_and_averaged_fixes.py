"""Visits can be corrected after they were sent (who, when, how often), and a visit
records how many GNSS fixes its position averages.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = ("marker_inspection", "sign_inspection")


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"""
        ALTER TABLE {table}
            ADD COLUMN gnss_fixes_averaged smallint
                CONSTRAINT {table}_fixes_positive CHECK (gnss_fixes_averaged IS NULL OR gnss_fixes_averaged >= 1),
            ADD COLUMN edit_count integer NOT NULL DEFAULT 0,
            ADD COLUMN edited_at timestamptz,
            ADD COLUMN edited_by bigint CONSTRAINT {table}_edited_by_fkey REFERENCES app_user (id)""")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"""
        ALTER TABLE {table} DROP COLUMN gnss_fixes_averaged, DROP COLUMN edit_count,
            DROP COLUMN edited_at, DROP COLUMN edited_by""")
