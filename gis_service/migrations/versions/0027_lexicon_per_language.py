"""The transliteration lexicon is kept per language.

One table held one entry per Chinese spelling, Mongolian by default. The same characters
are read differently in Mongolian, Tibetan or Uyghur names (阿 begins Mongolian Ar- and
Tibetan A- names alike), so an entry now belongs to a language (ISO 639 code) and a
spelling is unique within its language only; a name is romanised with the lexicons of
the language areas it lies in. The existing entries are Mongolian.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02
"""

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    ALTER TABLE romanization_lexicon
        DROP CONSTRAINT romanization_lexicon_hanzi_uq,
        ALTER COLUMN language DROP DEFAULT,
        ADD CONSTRAINT romanization_lexicon_language_hanzi_uq UNIQUE (language, hanzi),
        ADD CONSTRAINT romanization_lexicon_language_iso639 CHECK (language ~ '^[a-z]{2,3}$')""")


def downgrade() -> None:
    # one entry per spelling again: the Mongolian one where several languages have it
    op.execute("""DELETE FROM romanization_lexicon l USING romanization_lexicon o
        WHERE o.hanzi = l.hanzi AND (o.language <> 'mn', o.id) < (l.language <> 'mn', l.id)""")
    op.execute("""
    ALTER TABLE romanization_lexicon
        DROP CONSTRAINT romanization_lexicon_language_iso639,
        DROP CONSTRAINT romanization_lexicon_language_hanzi_uq,
        ALTER COLUMN language SET DEFAULT 'mn',
        ADD CONSTRAINT romanization_lexicon_hanzi_uq UNIQUE (hanzi)""")
