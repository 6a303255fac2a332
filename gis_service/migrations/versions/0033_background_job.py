"""Work too long for one request runs as a job: the request answers 202 with the job's
address at once, and any worker answers its status from this table.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-05
"""

from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE background_job (
        id uuid CONSTRAINT background_job_pkey PRIMARY KEY,
        kind text NOT NULL,
        status text NOT NULL DEFAULT 'running'
            CONSTRAINT background_job_status_known CHECK (status IN ('running', 'done', 'failed')),
        result jsonb,
        error text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
    )""")
    op.execute(
        "CREATE INDEX background_job_kind_running_idx ON background_job (kind) WHERE status = 'running'"
    )


def downgrade() -> None:
    op.execute("DROP TABLE background_job")
