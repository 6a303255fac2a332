"""The records an offline area carries: marker cards, place-name signs and graves, each
under a key (`marker:CODE`, `sign:CODE`, `grave:CODE`) with an ETag that changes when
anything its card shows changes (the row, its visits and their corrections, its repair
orders and photos). A refresh compares ETags and fetches only the records that differ."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.funeral.service import grave_cards
from gis_service.inspections.assets import MARKER, SIGN, InspectedAsset
from gis_service.inspections.service import recent_histories
from gis_service.markers.service import marker_cards
from gis_service.placenames.signs import get_many as sign_cards

VISITS_KEPT = 10  # the latest visits of each asset travel with its card
THUMBS_KEPT = 4


def _asset_etag_sql(a: InspectedAsset, where: str, extra: str = "''") -> str:
    return f"""
    SELECT '{a.noun}:' || m.code AS key, md5(m::text
        || COALESCE((SELECT string_agg(i.id::text || '.' || i.edit_count, ',' ORDER BY i.id)
                     FROM {a.inspections} i WHERE i.{a.fk} = m.id), '')
        || COALESCE((SELECT string_agg(r.id || r.status || COALESCE(r.assigned_to::text, '-'), ',' ORDER BY r.id)
                     FROM {a.repairs} r WHERE r.{a.fk} = m.id), '')
        || (SELECT count(*) FROM {a.photos} ip JOIN {a.inspections} i ON i.id = ip.inspection_id
            WHERE i.{a.fk} = m.id)
        || {extra}) AS etag
    FROM {a.table} m WHERE ({where}) AND units_within({a.units_sql}, CAST(:within AS text))"""


_SIGN_EXTRA = "COALESCE((SELECT p::text FROM place_name p WHERE p.id = m.place_name_id), '')"
_GRAVE_ETAG = """
    SELECT 'grave:' || g.code AS key, md5(g::text
        || COALESCE((SELECT string_agg(r::text, ',' ORDER BY r::text) FROM grave_restriction r WHERE r.grave_id = g.id), '')
        || (SELECT count(*) FROM grave_remediation_photo p JOIN grave_remediation m ON m.id = p.remediation_id
            WHERE m.grave_id = g.id)) AS etag
    FROM grave g WHERE ({where}) AND units_within(g.county_code, CAST(:within AS text))"""


def etag_queries(kind: str, area_sql: str, graves: bool) -> list[str]:
    """The queries listing an area's records with their ETags. `area_sql` is the area's
    geometry (EPSG:4490); the markers of a line or a banner are those on its lines,
    whatever their distance from the drawn line."""
    if kind == "line":
        marker_where = "m.line_code = :code"
    elif kind == "banner":  # a banner's lines, or (a city) the lines of its banners and its own
        marker_where = """EXISTS (SELECT 1 FROM admin_unit u WHERE u.valid_to IS NULL
            AND (u.code = :code OR u.parent_code = :code)
            AND u.code IN (split_part(m.line_code, '-', 1), split_part(m.line_code, '-', 2)))"""
    else:
        marker_where = f"ST_Intersects(m.geom, ({area_sql}))"
    out = [
        _asset_etag_sql(MARKER, marker_where),
        _asset_etag_sql(SIGN, f"ST_Intersects(m.geom, ({area_sql}))", _SIGN_EXTRA),
    ]
    if graves:
        out.append(_GRAVE_ETAG.format(where=f"ST_Intersects(g.geom, ({area_sql}))"))
    return out


async def area_etags(
    db_session: AsyncSession,
    *,
    kind: str,
    area_sql: str,
    params: dict,
    graves: bool,
    within: str | None = None,
) -> dict[str, str]:
    """Every record of the area with its ETag (`within`: of the records in that unit)."""
    out: dict[str, str] = {}
    for sql in etag_queries(kind, area_sql, graves):
        rows = await db_session.execute(text(sql), params | {"within": within})
        out.update({r.key: r.etag for r in rows})
    return out


async def etags_of(
    db_session: AsyncSession, keys: dict[str, list[str]], within: str | None = None
) -> dict[str, str]:
    """The current ETags of named records (by kind: code list; `within`: those in that unit)."""
    out: dict[str, str] = {}
    queries = {
        "marker": _asset_etag_sql(MARKER, "m.code = ANY(:codes)"),
        "sign": _asset_etag_sql(SIGN, "m.code = ANY(:codes)", _SIGN_EXTRA),
        "grave": _GRAVE_ETAG.format(where="g.code = ANY(:codes)"),
    }
    for kind, codes in keys.items():
        if codes:
            rows = await db_session.execute(text(queries[kind]), {"codes": codes, "within": within})
            out.update({r.key: r.etag for r in rows})
    return out


def _thumbs(urls: list[str]) -> list[str]:
    return [f"{u}?size=thumb" for u in urls[:THUMBS_KEPT]]


async def build(db_session: AsyncSession, keys: dict[str, list[str]]) -> dict[str, dict]:
    """The records themselves, by key: what the card, the history and the repair list
    show, with photo thumbnails to download beside them."""
    out: dict[str, dict] = {}
    if codes := keys.get("marker"):
        cards = await marker_cards(db_session, codes=codes)
        visits = await recent_histories(db_session, MARKER, codes=list(cards), each=VISITS_KEPT)
        for code, card in cards.items():
            card["history"] = visits[code]
            card["thumbs"] = _thumbs([p["url"] for p in card.get("photos", [])])
            out[f"marker:{code}"] = card
    if codes := keys.get("sign"):
        signs = await sign_cards(db_session, codes)
        visits = await recent_histories(db_session, SIGN, codes=list(signs), each=VISITS_KEPT)
        for code, sign in signs.items():
            sign["history"] = visits[code]
            sign["thumbs"] = _thumbs([u for v in visits[code] for u in v["photos"]])
            out[f"sign:{code}"] = sign
    if codes := keys.get("grave"):
        for code, grave in (await grave_cards(db_session, codes=codes)).items():
            grave["thumbs"] = _thumbs([f"/api/v1/photos/{p}" for h in grave["history"] for p in h["photos"]])
            out[f"grave:{code}"] = grave
    return out
