"""Searching the register: Chinese substrings, full pinyin, pinyin initials ("dsq" finds
东胜区), romanised forms, and typo-tolerant matching (same sound, or similar spelling).

Each kind of match is a tier, best first; each tier reads a bounded number of
candidates through its own index (B-tree prefixes of the name, pinyin, initials and
romanised form, the reversed pinyin, the character-pair GIN array), so a query costs
about the same on a thousand names or a million.
Within a tier, larger units come first, then shorter names.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.placenames.romanize import pinyin_keys

CANDIDATES_PER_TIER = 500
MIN_FUZZY_LENGTH = 6
MIN_SIMILARITY = 0.45
HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")
LEVEL_ORDER = (
    "CASE p.level WHEN 'province' THEN 1 WHEN 'city' THEN 2 WHEN 'county' THEN 3 "
    "WHEN 'township' THEN 4 WHEN 'village' THEN 5 ELSE 6 END"
)
TIER_LABELS = {
    1: "exact name",
    2: "name starts with the query",
    3: "name contains the query",
    4: "same sound",
    5: "pinyin starts with the query",
    6: "pinyin initials",
    7: "romanised form starts with the query",
    8: "similar spelling",
}


def _grams(q: str) -> list[str]:
    return [q] if len(q) == 1 else sorted({q[i : i + 2] for i in range(len(q) - 1)})


def _tiers(q: str) -> tuple[list[tuple[int, str]], dict]:
    """SQL conditions per tier for this query, and their parameters."""
    tiers: list[tuple[int, str]] = []
    params: dict = {}
    if HAN.search(q):
        params |= {"q": q, "q_prefix": _like_prefix(q), "q_like": f"%{_escape(q)}%", "grams": _grams(q)}
        tiers += [(1, "p.name = :q"), (2, "p.name LIKE :q_prefix")]
        if len(q) > 1:  # "contains" one character matches a good part of the register: prefix only
            tiers.append((3, "p.grams @> CAST(:grams AS text[]) AND p.name LIKE :q_like"))
        sound = pinyin_keys(q)[0]
        if sound:
            params |= {"sound": sound, "sound_prefix": _like_prefix(sound)}
            tiers.append((4, "p.pinyin LIKE :sound_prefix"))
    else:
        latin = re.sub(r"[^a-z]", "", q.lower())
        if latin:
            params |= {"latin": latin, "latin_prefix": _like_prefix(latin)}
            tiers += [
                (5, "p.pinyin LIKE :latin_prefix"),
                (6, "p.initials LIKE :latin_prefix"),
                (7, "p.roman_key LIKE :latin_prefix"),
            ]
            if len(latin) >= MIN_FUZZY_LENGTH:
                # One typo leaves either half of the query intact: read candidates through
                # both B-tree indexes, keep those whose spelling is close enough.
                half = len(latin) // 2
                params |= {"head": _like_prefix(latin[:half]), "tail": _like_prefix(latin[half:][::-1])}
                tiers += [
                    (8, "p.pinyin LIKE :head AND similarity(p.pinyin, :latin) >= :similar"),
                    (8, "reverse(p.pinyin) LIKE :tail AND similarity(p.pinyin, :latin) >= :similar"),
                ]
                params["similar"] = MIN_SIMILARITY
    return tiers, params


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_prefix(s: str) -> str:
    return _escape(s) + "%"


async def search(
    db_session: AsyncSession,
    *,
    q: str,
    category: str | None = None,
    admin_code: str | None = None,
    status: str | None = None,
    limit: int = 20,
    within: str | None = None,
) -> list[dict]:
    tiers, params = _tiers(q.strip())
    if not tiers:
        return []
    filters = []
    if category:
        filters.append("(p.category_code = :category OR p.category_code LIKE :category_prefix)")
        params |= {"category": category, "category_prefix": _like_prefix(category)}
    if admin_code:
        filters.append("(p.admin_code LIKE :admin_prefix OR p.unit_code = :admin)")
        params |= {"admin_prefix": _like_prefix(admin_code), "admin": admin_code}
    if status:
        filters.append("p.status = :status")
        params["status"] = status
    if within is not None:  # READ_SCOPE=unit
        filters.append("units_within(p.admin_code, CAST(:within AS text))")
        params["within"] = within
    extra = "".join(f" AND {f}" for f in filters)
    parts = []
    for tier, cond in tiers:
        # Within the typo tier, the closest spelling first.
        score = "similarity(p.pinyin, :latin)" if tier == 8 else "1.0"
        parts.append(
            f"(SELECT p.id, {tier} AS tier, {score} AS score FROM place_name p WHERE {cond}{extra}"
            f" LIMIT {CANDIDATES_PER_TIER})"
        )
    sql = f"""
    WITH hits AS ({" UNION ALL ".join(parts)}),
    best AS (SELECT DISTINCT ON (id) id, tier, score FROM hits ORDER BY id, tier, score DESC)
    SELECT p.id, p.name, p.romanization, p.level, p.status, p.category_code, p.admin_code, p.unit_code,
           (SELECT name FROM admin_unit a WHERE a.code = p.admin_code AND a.valid_to IS NULL) AS admin_name,
           b.tier, ST_X(ST_PointOnSurface(p.geom)) AS lon, ST_Y(ST_PointOnSurface(p.geom)) AS lat,
           ST_XMin(e.extent) AS xmin, ST_YMin(e.extent) AS ymin, ST_XMax(e.extent) AS xmax, ST_YMax(e.extent) AS ymax
    FROM best b JOIN place_name p ON p.id = b.id
    -- the name of an admin unit zooms to the unit's extent, other names to their own
    CROSS JOIN LATERAL (SELECT coalesce((SELECT u.geom FROM admin_unit u WHERE u.code = p.unit_code
                                          AND u.valid_to IS NULL AND u.geom IS NOT NULL), p.geom) AS extent) e
    ORDER BY b.tier, b.score DESC, {LEVEL_ORDER}, char_length(p.name), p.name, p.id
    LIMIT :limit"""
    rows = await db_session.execute(text(sql), {**params, "limit": limit})
    out = []
    for r in rows:
        item = dict(r._mapping)
        item["match"] = TIER_LABELS[item.pop("tier")]
        bounds = [item.pop(k) for k in ("xmin", "ymin", "xmax", "ymax")]
        item["bbox"] = bounds if bounds[0] is not None else None
        out.append(item)
    return out


async def listing(
    db_session: AsyncSession,
    *,
    category: str | None,
    admin_code: str | None,
    status: str | None,
    unlocated: bool,
    limit: int,
    after: int | None,
    within: str | None = None,
) -> list[dict]:
    """The register in id order, filtered; `unlocated` gives the work list of names
    that still need a location."""
    rows = await db_session.execute(
        text("""SELECT p.id, p.name, p.romanization, p.level, p.status, p.category_code, p.admin_code, p.unit_code,
                       (SELECT name FROM admin_unit a WHERE a.code = p.admin_code AND a.valid_to IS NULL)
                           AS admin_name,
                       p.geom IS NOT NULL AS located
                FROM place_name p
                WHERE p.id > :after
                  AND (CAST(:category AS text) IS NULL OR p.category_code = :category)
                  AND (CAST(:admin AS text) IS NULL OR p.admin_code LIKE :admin || '%' OR p.unit_code = :admin)
                  AND (CAST(:status AS text) IS NULL OR p.status = :status)
                  AND (NOT :unlocated OR p.geom IS NULL)
                  AND units_within(p.admin_code, CAST(:within AS text))
                ORDER BY p.id LIMIT :limit"""),
        {
            "after": after or 0,
            "category": category,
            "admin": admin_code,
            "status": status,
            "unlocated": unlocated,
            "limit": limit,
            "within": within,
        },
    )
    return [dict(r._mapping) for r in rows]
