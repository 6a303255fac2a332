"""A deployment's own rules for who approves each category of name, over the defaults of
the 2022 Regulations on the Administration of Place Names (placenames/approval.py).

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-06
"""

from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE naming_approval_rule (
        category_code varchar(8) CONSTRAINT naming_approval_rule_pkey PRIMARY KEY
            CONSTRAINT naming_approval_rule_category_fkey REFERENCES place_name_category (code),
        level varchar(16) NOT NULL CONSTRAINT naming_approval_rule_level_known
            CHECK (level IN ('state', 'province', 'city', 'county_or_city', 'county')),
        basis_zh text NOT NULL CONSTRAINT naming_approval_rule_basis_not_blank CHECK (btrim(basis_zh) <> ''),
        basis_en text NOT NULL,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
    )""")


def downgrade() -> None:
    op.execute("DROP TABLE naming_approval_rule")
