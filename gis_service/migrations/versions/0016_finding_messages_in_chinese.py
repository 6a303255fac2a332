"""Standardisation findings keep their explanation and suggestion in Chinese as well as
English, so that the officers' page reads in the officers' language.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE place_name_finding ADD COLUMN message_zh text, ADD COLUMN suggestion_zh text")


def downgrade() -> None:
    op.execute("ALTER TABLE place_name_finding DROP COLUMN message_zh, DROP COLUMN suggestion_zh")
