"""Markers: the status list, the marker card, the summary and the nearest markers.
Visits, repairs and visit photos are in `gis_service.inspections`, shared with signs.
Postgres builds the JSON."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.home import HomeUnit
from gis_service.auth.jurisdiction import line_units, require_readable
from gis_service.core.errors import NotFound
from gis_service.inspections.vocabulary import NEEDS_ATTENTION

_MARKER_FEATURE = """
json_build_object(
  'type', 'Feature', 'id', m.code,
  'geometry', ST_AsGeoJSON(m.geom, 7, 0)::json,
  'properties', json_build_object(
    'code', m.code, 'line_code', m.line_code, 'seq', m.seq, 'type_suffix', m.type_suffix,
    'marker_type', m.marker_type, 'material', m.material, 'is_smart', m.is_smart,
    'condition', COALESCE(m.condition, 'unknown'), 'condition_observed_at', m.condition_observed_at,
    'gk', json_build_object('zone', m.gk_zone, 'x', round(m.gk_x::numeric, 3), 'y', round(m.gk_y::numeric, 3)),
    'elevation_m', m.elevation_m, 'source', m.source))
"""


async def get_marker_id(db_session: AsyncSession, code: str) -> int:
    marker_id = await db_session.scalar(text("SELECT id FROM boundary_marker WHERE code = :c"), {"c": code})
    if marker_id is None:
        raise NotFound(f"No marker '{code}'.", f"界桩“{code}”不存在。")
    return marker_id


_CARD_SQL = f"""
SELECT m.code, ({_MARKER_FEATURE}::jsonb || jsonb_build_object(
    'reference_objects', m.reference_objects,
    'buried_on', m.buried_on, 'custodian_code', m.custodian_code,
    'line', (SELECT jsonb_build_object('code', l.code, 'name', l.name, 'level', l.level)
             FROM boundary_line l WHERE l.code = m.line_code AND l.valid_to IS NULL),
    'last_inspection', (SELECT to_jsonb(i) - 'payload_hash' - 'marker_id' || jsonb_build_object('inspector', u.username)
             FROM marker_inspection i JOIN app_user u ON u.id = i.inspector_id
             WHERE i.id = m.last_inspection_id),
    'open_repair', (SELECT to_jsonb(r) - 'marker_id' || jsonb_build_object('assigned_to_user', a.username)
             FROM repair_order r LEFT JOIN app_user a ON a.id = r.assigned_to
             WHERE r.marker_id = m.id AND r.status = 'open'),
    'inspection_count', (SELECT count(*) FROM marker_inspection i WHERE i.marker_id = m.id),
    'photos', (SELECT COALESCE(jsonb_agg(jsonb_build_object('sha256', ip.photo_sha256,
                   'url', '/api/v1/photos/' || ip.photo_sha256, 'inspection_id', ip.inspection_id,
                   'camera_bearing_deg', ip.camera_bearing_deg) ORDER BY ip.added_at DESC), '[]')
               FROM inspection_photo ip JOIN marker_inspection i ON i.id = ip.inspection_id
               WHERE i.marker_id = m.id)
))::text AS card FROM boundary_marker m WHERE m.code = ANY(:codes)"""


async def marker_cards(db_session: AsyncSession, *, codes: list[str]) -> dict[str, dict]:
    """The cards of many markers in one query, by code (missing codes are left out)."""
    rows = await db_session.execute(text(_CARD_SQL), {"codes": codes})
    return {r.code: json.loads(r.card) for r in rows}


async def marker_card(db_session: AsyncSession, *, code: str, within: str | None = None) -> dict:
    """Everything an inspector needs at the marker: position, reference objects, the
    current condition, the last visit and any open repair."""
    card = (await marker_cards(db_session, codes=[code])).get(code)
    if card is None:
        raise NotFound(f"No marker '{code}'.", f"界桩“{code}”不存在。")
    require_readable(within, line_units(card["properties"]["line_code"]), (f"Marker {code}", f"界桩 {code}"))
    return card


async def summary(db_session: AsyncSession, *, home_code: str, within: str | None = None) -> dict:
    """Marker counts by condition, by line and by banner, in one query; `within`: of the
    lines with a side in that unit (auth/jurisdiction.read_prefix)."""
    result = await db_session.scalar(
        text("""
        WITH m AS (SELECT COALESCE(condition, 'unknown') AS condition, line_code,
                          condition = ANY(:attention) AS attention, is_smart FROM boundary_marker
                    WHERE units_within(line_code, CAST(:within AS text))),
        banners AS (SELECT split_part(line_code, '-', 1) AS banner, condition, attention FROM m
                    UNION ALL SELECT split_part(line_code, '-', 2), condition, attention FROM m)
        SELECT json_build_object(
          'total', (SELECT count(*) FROM m),
          'smart', (SELECT count(*) FROM m WHERE is_smart),
          'needs_attention', (SELECT count(*) FROM m WHERE attention),
          'by_condition', (SELECT json_object_agg(condition, n) FROM
                (SELECT condition, count(*) n FROM m GROUP BY 1) s),
          'by_line', (SELECT json_agg(s ORDER BY line_code) FROM
                (SELECT line_code, count(*) AS total, count(*) FILTER (WHERE attention) AS needs_attention
                 FROM m GROUP BY 1) s),
          'by_banner', (SELECT json_agg(s ORDER BY code) FROM
                (SELECT b.banner AS code, u.name, count(*) AS total,
                        count(*) FILTER (WHERE b.attention) AS needs_attention
                 FROM banners b JOIN admin_unit u ON u.code = b.banner AND u.valid_to IS NULL
                 WHERE u.level = 'county' AND u.code LIKE :home_like GROUP BY 1, 2) s),
          'open_repairs', (SELECT count(*) FROM repair_order r JOIN boundary_marker bm ON bm.id = r.marker_id
                           WHERE r.status = 'open' AND units_within(bm.line_code, CAST(:within AS text))))::text"""),
        {"attention": NEEDS_ATTENTION, "home_like": HomeUnit(home_code).like, "within": within},
    )
    return json.loads(result)


async def nearest(
    db_session: AsyncSession, *, lon: float, lat: float, limit: int, within: str | None = None
) -> list[dict]:
    """The markers nearest to a position, with ellipsoidal distance and the bearing from
    the position to each marker (degrees clockwise from true north)."""
    rows = await db_session.execute(
        text("""
        WITH here AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4490) AS p),
        near AS (SELECT m.* FROM boundary_marker m, here WHERE units_within(m.line_code, CAST(:within AS text))
                 ORDER BY m.geom <-> here.p LIMIT :k)
        SELECT n.code, n.line_code, COALESCE(n.condition, 'unknown') AS condition,
               ST_X(n.geom) AS lon, ST_Y(n.geom) AS lat,
               round(ST_Distance(n.geom::geography, here.p::geography)::numeric, 1)::float8 AS distance_m,
               round(degrees(ST_Azimuth(here.p::geography, n.geom::geography))::numeric, 1)::float8 AS bearing_deg
        FROM near n, here ORDER BY distance_m LIMIT :limit"""),
        {"lon": lon, "lat": lat, "k": limit * 3, "limit": limit, "within": within},
    )
    return [dict(r._mapping) for r in rows]
