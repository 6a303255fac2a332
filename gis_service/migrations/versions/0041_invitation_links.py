"""An administrator may hand a new or reset account an invitation link instead of a
one-time password: the user chooses their own password through it. Only a digest of the
link's secret is kept, with when it expires.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-06
"""

from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    ALTER TABLE app_user ADD COLUMN invitation_digest varchar(64)
        CONSTRAINT app_user_invitation_digest_key UNIQUE,
        ADD COLUMN invitation_expires_at timestamptz,
        ADD CONSTRAINT app_user_invitation_expires CHECK ((invitation_digest IS NULL) = (invitation_expires_at IS NULL))
    """)


def downgrade() -> None:
    op.execute("ALTER TABLE app_user DROP COLUMN invitation_expires_at, DROP COLUMN invitation_digest")
