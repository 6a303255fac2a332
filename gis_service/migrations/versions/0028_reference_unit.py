"""The unit whose reference data a database holds, recorded when it is loaded.

A database is set up for one unit. Serving it as another (HOME_UNIT_CODE changed, or a
county within a prefecture's database) would mix two units' scopes; the loader refused
that only where the other unit's own row was missing, which the whole country (no row of
its own) and any unit within the loaded one passed.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02
"""

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE reference_unit (
        code varchar(6) NOT NULL CONSTRAINT reference_unit_code_known CHECK (code ~ '^[0-9]{6}$'),
        loaded_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("CREATE UNIQUE INDEX reference_unit_one_row ON reference_unit ((true))")


def downgrade() -> None:
    op.execute("DROP TABLE reference_unit")
