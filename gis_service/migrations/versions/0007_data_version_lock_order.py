"""Bump data versions under one transaction-level advisory lock.

A statement can write several tables (a visit updates boundary_marker and may insert a
repair order in one statement), and PostgreSQL fires their statement triggers in no
fixed order. Two such transactions could then lock the per-table version rows in
opposite orders and deadlock. Taking one advisory lock first means only one
transaction at a time holds version rows, so no lock cycle can form.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LOCK_KEY = 4490_0001  # any constant; names the data-version lock


def upgrade() -> None:
    op.execute(f"""
    CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock({LOCK_KEY});
        INSERT INTO data_version (table_name, version) VALUES (TG_TABLE_NAME, 1)
        ON CONFLICT (table_name) DO UPDATE SET version = data_version.version + 1;
        RETURN NULL;
    END $$""")


def downgrade() -> None:
    op.execute("""
    CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO data_version (table_name, version) VALUES (TG_TABLE_NAME, 1)
        ON CONFLICT (table_name) DO UPDATE SET version = data_version.version + 1;
        RETURN NULL;
    END $$""")
