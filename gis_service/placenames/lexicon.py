"""The Mongolian transliteration lexicon, kept in the database so that officers can
correct and extend it; every entry carries its source."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth.models import AppUser
from gis_service.placenames.romanize import Lexicon
from gis_service.placenames.schemas import LexiconIn


async def forms(db_session: AsyncSession) -> Lexicon:
    """Chinese spelling → official Latin form, for the romanisation engine."""
    rows = (await db_session.execute(text("SELECT hanzi, form, kind FROM romanization_lexicon"))).all()
    return Lexicon(
        {hanzi: form for hanzi, form, _ in rows},
        suffixes={h for h, _, kind in rows if kind == "suffix"},
        names={h for h, _, kind in rows if kind == "name"},
    )


async def entries(db_session: AsyncSession) -> list[dict]:
    rows = await db_session.execute(
        text(
            "SELECT hanzi, form, kind, language, source, updated_by, updated_at FROM romanization_lexicon"
            " ORDER BY kind DESC, hanzi"
        )
    )
    return [dict(r._mapping) for r in rows]


async def upsert(db_session: AsyncSession, body: LexiconIn, actor: AppUser) -> dict:
    before = (
        await db_session.execute(
            text("SELECT form, kind, source FROM romanization_lexicon WHERE hanzi = :h"), {"h": body.hanzi}
        )
    ).first()
    await db_session.execute(
        text("""INSERT INTO romanization_lexicon (hanzi, form, kind, source, updated_by)
                VALUES (:hanzi, :form, :kind, :source, :by)
                ON CONFLICT (hanzi) DO UPDATE SET form = excluded.form, kind = excluded.kind,
                    source = excluded.source, updated_by = excluded.updated_by, updated_at = now()"""),
        {**body.model_dump(), "by": actor.username},
    )
    await audit.record(
        db_session,
        by=actor,
        action="update" if before else "create",
        entity="romanization_lexicon",
        entity_id=body.hanzi,
        before=dict(before._mapping) if before else None,
        after=body.model_dump(),
    )
    return body.model_dump()
