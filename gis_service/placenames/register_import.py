"""Filling the register from reference data: the category table and the romanisation
lexicon from `data/`, and every current unit within the home, down to villages and
communities, with standard names derived from the NBS committee names."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.home import HomeUnit
from gis_service.core.db import insert_columns
from gis_service.placenames.naming import category_for, split_name, standard_name
from gis_service.placenames.reference import categories, seed_lexicon
from gis_service.placenames.romanize import pinyin_keys
from gis_service.placenames.service import record_versions
from gis_service.reference_data.languages import LANGUAGE_REVIEW

DERIVED_NOTE = "standard name derived from the committee name"
_COLUMNS = [
    "name",
    "specific_part",
    "generic_part",
    "level",
    "admin_code",
    "unit_code",
    "category_code",
    "romanization",
    "origin_language",
    "status",
    "source",
    "pinyin",
    "initials",
]
_INSERT_NAMES = text(f"""
INSERT INTO place_name ({", ".join(_COLUMNS)}, geom)
SELECT r.*, (SELECT ST_PointOnSurface(a.geom) FROM admin_unit a
             WHERE a.code = r.unit_code AND a.valid_to IS NULL AND a.geom IS NOT NULL)
FROM unnest({", ".join(f"CAST(:{c} AS text[])" for c in _COLUMNS)}) AS r({", ".join(_COLUMNS)})
""")


async def seed_reference(db_session: AsyncSession) -> dict[str, int]:
    await db_session.execute(
        text("""INSERT INTO place_name_category (code, name_zh, name_en, parent_code, generics, level, note)
                VALUES (:code, :name_zh, :name_en, :parent_code, :generics, :level, :note)
                ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
                    parent_code = excluded.parent_code, generics = excluded.generics, level = excluded.level,
                    note = excluded.note"""),
        [
            {
                "code": c.code,
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "parent_code": c.parent_code,
                "generics": list(c.generics),
                "level": c.level,
                "note": c.note,
            }
            for c in categories()
        ],
    )
    # The lexicon is the officers' from here on: seed entries never overwrite their edits.
    result = await db_session.execute(
        text("""INSERT INTO romanization_lexicon (hanzi, form, kind, language, source)
                VALUES (:hanzi, :form, :kind, :language, :source) ON CONFLICT (language, hanzi) DO NOTHING"""),
        seed_lexicon(),
    )
    return {"categories": len(categories()), "lexicon": result.rowcount}


def _origin_language(unit, generic: str) -> str:
    """Mongolian where the evidence says so (a transliterated official form, or a gacha or
    sumu, which are Mongolian units); Chinese where the official form is pinyin, or the
    pinyin was generated outside every minority-language area; otherwise (generated pinyin
    in such an area: 昆都仑区 is Mongolian) left for an officer to record."""
    source = unit.name_romanized_source or ""
    if source.startswith("transliteration") or generic in {"嘎查", "苏木"}:
        return "mn"
    if source.startswith("pinyin") and LANGUAGE_REVIEW not in source:
        return "zh"
    return "unknown"


async def import_admin_units(
    db_session: AsyncSession,
    *,
    home_code: str,
    codes: list[str] | None = None,
    reason: str = "imported from the statistical division register",
    actor: str = "import",
    valid_from: date | datetime | None = None,
) -> int:
    """One register record per current unit within the home (once per unit); `codes`:
    those units only (a new edition's new units)."""
    like = HomeUnit(home_code).like
    units = await db_session.execute(
        text("""SELECT code, name, level, parent_code, name_romanized, name_romanized_source, source FROM admin_unit
                WHERE valid_to IS NULL AND code LIKE :like
                  AND (CAST(:codes AS text[]) IS NULL OR code = ANY(CAST(:codes AS text[])))
                  -- an anti-join: NOT IN over a country's 665,000 names runs for hours
                  AND NOT EXISTS (SELECT 1 FROM place_name p WHERE p.unit_code = admin_unit.code)
                ORDER BY code"""),
        {"like": like, "codes": codes},
    )
    rows = []
    for u in units:
        name = standard_name(u.name)
        specific, generic = split_name(name)
        full, initials = pinyin_keys(name)
        source = u.source + (f"; {DERIVED_NOTE} “{u.name}”" if name != u.name else "")
        rows.append(
            {
                "name": name,
                "specific_part": specific,
                "generic_part": generic,
                "level": u.level,
                "admin_code": u.parent_code,
                "unit_code": u.code,
                "category_code": category_for(generic, u.level),
                "romanization": u.name_romanized,
                "origin_language": _origin_language(u, generic),
                "status": "standard",
                "source": source,
                "pinyin": full,
                "initials": initials,
            }
        )
    if not rows:
        return 0
    await insert_columns(db_session, _INSERT_NAMES, rows, _COLUMNS)
    await record_versions(
        db_session,
        ids_sql="SELECT id FROM place_name p2 WHERE NOT EXISTS "
        "(SELECT 1 FROM place_name_version v WHERE v.place_name_id = p2.id)",
        params={},
        actor=actor,
        reason=reason,
        valid_from=valid_from,
        diff={"created": True},
    )
    return len(rows)
