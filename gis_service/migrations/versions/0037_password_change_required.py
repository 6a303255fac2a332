"""An account whose password was set by an administrator (a one-time password) must
change it before doing anything else.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-06
"""

from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE app_user ADD COLUMN password_change_required boolean NOT NULL DEFAULT false")


def downgrade() -> None:
    op.execute("ALTER TABLE app_user DROP COLUMN password_change_required")
