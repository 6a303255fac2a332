"""A joint inspection has one party per side of its line: each finding belongs to the side
that recorded it, and each side signs its own part once (append-only for the service).

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-06
"""

from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # side: the unit of the party that recorded it; NULL for findings made before rounds had
    # parties, or by an account above both sides (the organiser). client_id: the id the
    # phone gave it, so that a resend from the outbox is stored once.
    op.execute("ALTER TABLE inspection_finding ADD COLUMN side varchar(12), ADD COLUMN client_id uuid")
    op.execute(
        "ALTER TABLE inspection_finding ADD CONSTRAINT inspection_finding_client_id_key UNIQUE (client_id)"
    )
    op.execute("""
    CREATE TABLE inspection_signature (
        round_id bigint NOT NULL CONSTRAINT inspection_signature_round_fkey REFERENCES inspection_round (id),
        side varchar(12) NOT NULL,
        signer_name text NOT NULL CONSTRAINT inspection_signature_signer_not_blank CHECK (btrim(signer_name) <> ''),
        statement text,
        signed_by bigint NOT NULL CONSTRAINT inspection_signature_signed_by_fkey REFERENCES app_user (id),
        signed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inspection_signature_pkey PRIMARY KEY (round_id, side)
    )""")


def downgrade() -> None:
    op.execute("DROP TABLE inspection_signature")
    op.execute("ALTER TABLE inspection_finding DROP COLUMN client_id, DROP COLUMN side")
