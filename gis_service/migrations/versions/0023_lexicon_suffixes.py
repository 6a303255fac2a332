"""Lexicon entries may be suffixes that join the word before them.

Mongolian -tu ('having', written 图) ends a word: 都斯图 is one word, Dusitu, not
"Dusi Tu". A `suffix` entry is transliterated like a root but attached to what precedes it.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    ALTER TABLE romanization_lexicon DROP CONSTRAINT romanization_lexicon_kind_known;
    ALTER TABLE romanization_lexicon ALTER COLUMN kind TYPE varchar(8);
    ALTER TABLE romanization_lexicon ADD CONSTRAINT romanization_lexicon_kind_known
        CHECK (kind IN ('root', 'name', 'suffix'));
    UPDATE romanization_lexicon SET kind = 'suffix' WHERE hanzi = '图' AND form = 'Tu' AND kind = 'root';
    """)


def downgrade() -> None:
    op.execute("""
    UPDATE romanization_lexicon SET kind = 'root' WHERE kind = 'suffix';
    ALTER TABLE romanization_lexicon DROP CONSTRAINT romanization_lexicon_kind_known;
    ALTER TABLE romanization_lexicon ALTER COLUMN kind TYPE varchar(6);
    ALTER TABLE romanization_lexicon ADD CONSTRAINT romanization_lexicon_kind_known
        CHECK (kind IN ('root', 'name'));
    """)
