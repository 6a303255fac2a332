"""The audit log names the acting bureau: the unit of the account that made the change
(NULL: the served unit's own accounts, and the command line).

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-06
"""

from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the append-only trigger forbids changing rows, not the table: existing rows stay as sealed
    op.execute("ALTER TABLE audit_log ADD COLUMN actor_unit varchar(12)")


def downgrade() -> None:
    op.execute("ALTER TABLE audit_log DROP COLUMN actor_unit")
