"""Sign-in failures remember the client address, so that guessing across many accounts
from one address is slowed as well as guessing one account from many.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE sign_in_failure ADD COLUMN client inet")
    op.execute("CREATE INDEX sign_in_failure_client_at_idx ON sign_in_failure (client, at)")


def downgrade() -> None:
    op.execute("ALTER TABLE sign_in_failure DROP COLUMN client")
