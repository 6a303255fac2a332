"""The audit chain is keyed: seals are HMAC-SHA256 under a key kept outside the database.

Sealing and verifying move out of SQL (they need the key, which the database must never
see). `audit_chain` names this database's chain, so that the signed checkpoints written
outside the database can be matched to it. Seals made before this revision stay plain
SHA-256 (`keyed` false); the first keyed seal chains onto their head.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""

import importlib

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE audit_seal ADD COLUMN keyed boolean NOT NULL DEFAULT false")
    op.execute("""
    CREATE TABLE audit_chain (
        id uuid CONSTRAINT audit_chain_pkey PRIMARY KEY DEFAULT gen_random_uuid(),
        one_row boolean NOT NULL DEFAULT true CONSTRAINT audit_chain_one_row UNIQUE CHECK (one_row),
        created_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("INSERT INTO audit_chain DEFAULT VALUES")
    op.execute("""CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
        FOR EACH ROW EXECUTE FUNCTION refuse_change()""")
    op.execute("""CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()""")
    op.execute("DROP FUNCTION seal_audit_log()")
    op.execute("DROP FUNCTION verify_audit_chain()")


def downgrade() -> None:
    op.execute("DROP TABLE audit_chain")
    op.execute("ALTER TABLE audit_seal DROP COLUMN keyed")
    importlib.import_module("gis_service.migrations.versions.0012_audit_chain").create_sql_sealer()
