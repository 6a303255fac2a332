"""Failed sign-ins, for throttling repeated attempts on one user name.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE sign_in_failure (
        username text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("CREATE INDEX sign_in_failure_username_at_idx ON sign_in_failure (username, at)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS sign_in_failure")
