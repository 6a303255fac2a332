"""A name sign's condition is one of the condition vocabulary, as a marker's is.

The column took any text: only the visits that set it were checked. (The list is the
vocabulary of gis_service/inspections/vocabulary.py on this date; tests/test_vocabularies.py
keeps the two equal.)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02
"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

CONDITIONS = (
    "'intact','slightly_damaged','damaged','tilted','moved','buried',"
    "'possibly_missing','missing','destroyed','inaccessible'"
)


def upgrade() -> None:
    op.execute(f"""ALTER TABLE place_name_sign ADD CONSTRAINT place_name_sign_condition_known
                   CHECK (condition IN ({CONDITIONS}))""")


def downgrade() -> None:
    op.execute("ALTER TABLE place_name_sign DROP CONSTRAINT place_name_sign_condition_known")
