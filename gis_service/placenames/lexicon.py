"""The transliteration lexicons, one per language (ISO 639), kept in the database so that
officers can correct and extend them; every entry carries its source.

A name is romanised with the lexicons of the language areas it lies in: the autonomous
areas named in the reference data (海西蒙古族藏族自治州: Mongolian and Tibetan) and the
autonomous regions (Inner Mongolia: Mongolian). A name outside every such area gets no
lexicon, so plain GB/T 16159 pinyin.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth.models import AppUser
from gis_service.core.errors import BadRequest
from gis_service.placenames.romanize import Lexicon
from gis_service.placenames.schemas import LexiconIn
from gis_service.reference_data.languages import language_areas, languages_of


class AreaLexicons:
    """Every language's entries, and which languages each area speaks."""

    def __init__(self, rows: list, areas: dict[str, list[str]]):
        self.areas = areas
        self._entries: dict[str, list] = {}
        for row in rows:
            self._entries.setdefault(row.language, []).append(row)
        self._merged: dict[tuple[str, ...], Lexicon] = {}

    def languages(self, code: str) -> list[str]:
        return languages_of(code, self.areas)

    def of_languages(self, languages: list[str] | tuple[str, ...]) -> Lexicon:
        """The entries of `languages` as one lexicon; a later language's spelling wins."""
        key = tuple(languages)
        if key not in self._merged:
            rows = [r for lang in key for r in self._entries.get(lang, [])]
            self._merged[key] = Lexicon(
                {r.hanzi: r.form for r in rows},
                suffixes={r.hanzi for r in rows if r.kind == "suffix"},
                names={r.hanzi for r in rows if r.kind == "name"},
            )
        return self._merged[key]

    def for_code(self, code: str | None) -> Lexicon:
        """The lexicon for a name within unit `code` (none outside every language area)."""
        return self.of_languages(self.languages(code) if code else [])


async def area_languages(db_session: AsyncSession) -> dict[str, list[str]]:
    """Code prefix → languages, from the autonomous units in the reference data."""
    units = await db_session.execute(
        text("""SELECT code, name, level FROM admin_unit
                WHERE valid_to IS NULL AND level IN ('province', 'city', 'county') AND name LIKE '%自治%'""")
    )
    return language_areas(units)


async def lexicons(db_session: AsyncSession) -> AreaLexicons:
    rows = (
        await db_session.execute(text("SELECT language, hanzi, form, kind FROM romanization_lexicon"))
    ).all()
    return AreaLexicons(rows, await area_languages(db_session))


async def entries(db_session: AsyncSession, language: str | None = None) -> list[dict]:
    rows = await db_session.execute(
        text(
            "SELECT hanzi, form, kind, language, source, updated_by, updated_at FROM romanization_lexicon"
            " WHERE language = COALESCE(:language, language) ORDER BY language, kind DESC, hanzi"
        ),
        {"language": language},
    )
    return [dict(r._mapping) for r in rows]


async def entry_language(db_session: AsyncSession, language: str | None, home_code: str) -> str:
    """The entry's language as sent, else the first language of the unit served."""
    if language:
        return language
    spoken = languages_of(home_code, await area_languages(db_session))
    if not spoken:
        raise BadRequest(
            f"Unit {home_code} lies in no minority-language area: say which language the entry"
            " is in (language, an ISO 639 code such as mn, bo or ug).",
            f"单位 {home_code} 不在少数民族语言地区：请用 language 注明词条的语种（ISO 639 代码，如 mn、bo、ug）。",
        )
    return spoken[0]


async def upsert(db_session: AsyncSession, body: LexiconIn, actor: AppUser, home_code: str) -> dict:
    entry = body.model_dump() | {"language": await entry_language(db_session, body.language, home_code)}
    before = (
        await db_session.execute(
            text(
                "SELECT form, kind, source FROM romanization_lexicon WHERE language = :language AND hanzi = :hanzi"
            ),
            entry,
        )
    ).first()
    await db_session.execute(
        text("""INSERT INTO romanization_lexicon (hanzi, form, kind, language, source, updated_by)
                VALUES (:hanzi, :form, :kind, :language, :source, :by)
                ON CONFLICT (language, hanzi) DO UPDATE SET form = excluded.form, kind = excluded.kind,
                    source = excluded.source, updated_by = excluded.updated_by, updated_at = now()"""),
        {**entry, "by": actor.username},
    )
    await audit.record(
        db_session,
        by=actor,
        action="update" if before else "create",
        entity="romanization_lexicon",
        entity_id=f"{entry['language']}:{entry['hanzi']}",
        before=dict(before._mapping) if before else None,
        after=entry,
    )
    return entry
