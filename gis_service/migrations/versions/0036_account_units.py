"""Accounts belong to a unit: the served unit (NULL, as every account made before), or a
county-level or higher unit within it (auth/jurisdiction.py).

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06
"""

from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    ALTER TABLE app_user ADD COLUMN unit_code varchar(6)
        CONSTRAINT app_user_unit_code_is_a_division CHECK (unit_code ~ '^[1-9][0-9]{5}$')""")
    op.execute("COMMENT ON COLUMN app_user.unit_code IS 'the account''s unit; NULL: the served unit'")


def downgrade() -> None:
    op.execute("ALTER TABLE app_user DROP COLUMN unit_code")
