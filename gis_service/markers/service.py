"""Markers: the status list, the marker card, visits (idempotent, order-safe), summary,
and repair orders. Postgres builds the JSON and keeps the rules atomic."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth.models import AppUser
from gis_service.core.errors import BadRequest, Conflict, NotFound
from gis_service.core.query_params import BBox
from gis_service.markers.conditions import NEEDS_ATTENTION, OPENS_REPAIR
from gis_service.markers.schemas import InspectionIn
from gis_service.photos.store import StoredPhoto

MAX_CLOCK_SKEW = timedelta(minutes=10)

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


async def list_markers(
    db_session: AsyncSession,
    *,
    conditions: list[str] | None,
    line: str | None,
    banner: str | None,
    bbox: BBox | None,
    after: str | None,
    limit: int,
) -> tuple[list[str], str | None]:
    """A keyset page of markers (ordered by code) and the last code when more follow."""
    where, params = ["true"], {"limit": limit + 1}
    if conditions is not None:
        where.append("COALESCE(m.condition, 'unknown') = ANY(:conditions)")
        params["conditions"] = conditions
    if line:
        where.append("m.line_code = :line")
        params["line"] = line
    if banner:
        where.append(
            "(split_part(m.line_code, '-', 1) = :banner OR split_part(m.line_code, '-', 2) = :banner)"
        )
        params["banner"] = banner
    if bbox:
        where.append("m.geom && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4490)")
        params.update(zip(("x0", "y0", "x1", "y1"), bbox, strict=True))
    if after:
        where.append("m.code > :after")
        params["after"] = after
    rows = (
        await db_session.execute(
            text(
                f"SELECT {_MARKER_FEATURE}::text AS f, m.code FROM boundary_marker m"
                f" WHERE {' AND '.join(where)} ORDER BY m.code LIMIT :limit"
            ),
            params,
        )
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [r.f for r in rows], (rows[-1].code if more and rows else None)


async def marker_card(db_session: AsyncSession, *, code: str) -> dict:
    """Everything an inspector needs at the marker: position, reference objects, the
    current condition, the last visit and any open repair."""
    row = await db_session.scalar(
        text(f"""
        SELECT ({_MARKER_FEATURE}::jsonb || jsonb_build_object(
            'reference_objects', m.reference_objects,
            'buried_on', m.buried_on, 'custodian_code', m.custodian_code,
            'line', (SELECT jsonb_build_object('code', l.code, 'name', l.name, 'level', l.level)
                     FROM boundary_line l WHERE l.code = m.line_code AND l.valid_to IS NULL),
            'last_inspection', (SELECT to_jsonb(i) - 'payload_hash' - 'marker_id' || jsonb_build_object('inspector', u.username)
                     FROM marker_inspection i JOIN app_user u ON u.id = i.inspector_id
                     WHERE i.id = m.last_inspection_id),
            'open_repair', (SELECT to_jsonb(r) - 'marker_id' FROM repair_order r
                     WHERE r.marker_id = m.id AND r.status = 'open'),
            'inspection_count', (SELECT count(*) FROM marker_inspection i WHERE i.marker_id = m.id),
            'photos', (SELECT COALESCE(jsonb_agg(jsonb_build_object('sha256', ip.photo_sha256,
                           'url', '/api/v1/photos/' || ip.photo_sha256, 'inspection_id', ip.inspection_id,
                           'camera_bearing_deg', ip.camera_bearing_deg) ORDER BY ip.added_at DESC), '[]')
                       FROM inspection_photo ip JOIN marker_inspection i ON i.id = ip.inspection_id
                       WHERE i.marker_id = m.id)
        ))::text FROM boundary_marker m WHERE m.code = :code"""),
        {"code": code},
    )
    if row is None:
        raise NotFound(f"No marker '{code}'.", f"界桩“{code}”不存在。")
    return json.loads(row)


def _payload_hash(body: InspectionIn) -> str:
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


# One round trip stores a visit and applies its rules: insert once (by client UUID),
# move the marker's condition only if this visit is the latest observed, and open a
# repair order when that condition needs one and none is open. Row locks make two
# concurrent visits to one marker settle in observation order.
_RECORD_VISIT = """
WITH m AS (SELECT id, geom FROM boundary_marker WHERE code = :code),
ins AS (
    INSERT INTO marker_inspection (id, marker_id, observed_at, condition, inscription_legible,
        vegetation_cleared, reference_objects_present, gnss_lon, gnss_lat, gnss_accuracy_m,
        gnss_fix_type, gnss_fixed_at, distance_to_marker_m, displacement_m, notes,
        neighbour_representative, inspector_id, payload_hash)
    SELECT :id, m.id, :observed_at, :condition, :legible, :cleared, :refs, :lon, :lat, :acc,
           :fix_type, :fixed_at,
           CASE WHEN CAST(:lon AS float8) IS NOT NULL THEN ST_Distance(m.geom::geography,
                ST_SetSRID(ST_MakePoint(:lon, :lat), 4490)::geography) END,
           :displacement, :notes, :neighbour, :inspector, :hash
    FROM m
    ON CONFLICT (id) DO NOTHING
    RETURNING id, marker_id, received_at, distance_to_marker_m
), upd AS (
    UPDATE boundary_marker b SET condition = :condition, condition_observed_at = :observed_at,
           last_inspection_id = ins.id
    FROM ins
    WHERE b.id = ins.marker_id
      AND (b.condition_observed_at IS NULL OR b.condition_observed_at < :observed_at
           OR (b.condition_observed_at = :observed_at AND b.last_inspection_id < ins.id))
    RETURNING b.id
), rep AS (
    INSERT INTO repair_order (marker_id, opened_by_inspection, reason)
    SELECT ins.marker_id, ins.id, :condition FROM ins JOIN upd ON upd.id = ins.marker_id
    WHERE CAST(:condition AS text) = ANY(:opens_repair)
    ON CONFLICT (marker_id) WHERE status = 'open' DO NOTHING
    RETURNING id
)
SELECT (SELECT id FROM m) AS marker_id, ins.id AS inserted, ins.received_at, ins.distance_to_marker_m,
       EXISTS (SELECT 1 FROM upd) AS became_current, (SELECT id FROM rep) AS repair_id
FROM (SELECT 1) one LEFT JOIN ins ON true
"""


async def record_inspection(
    db_session: AsyncSession, *, code: str, body: InspectionIn, inspector: AppUser
) -> dict:
    """Store a visit once. The marker's condition follows its latest visit by observation
    time; a late or out-of-order visit joins the history without overwriting a newer one.
    A condition that needs repair opens a repair order unless one is open already."""
    if body.observed_at > datetime.now(UTC) + MAX_CLOCK_SKEW:
        raise BadRequest(
            "observed_at is in the future; check the phone's clock.", "观测时间晚于当前时间，请检查手机时间。"
        )
    digest = _payload_hash(body)
    gnss = body.gnss
    row = (
        await db_session.execute(
            text(_RECORD_VISIT),
            {
                "code": code,
                "id": body.id,
                "observed_at": body.observed_at,
                "condition": body.condition,
                "legible": body.inscription_legible,
                "cleared": body.vegetation_cleared,
                "refs": body.reference_objects_present,
                "lon": gnss.lon if gnss else None,
                "lat": gnss.lat if gnss else None,
                "acc": gnss.accuracy_m if gnss else None,
                "fix_type": gnss.fix_type if gnss else None,
                "fixed_at": gnss.fixed_at if gnss else None,
                "displacement": body.displacement_m,
                "notes": body.notes,
                "neighbour": body.neighbour_representative,
                "inspector": inspector.id,
                "hash": digest,
                "opens_repair": OPENS_REPAIR,
            },
        )
    ).one()
    if row.marker_id is None:
        raise NotFound(f"No marker '{code}'.", f"界桩“{code}”不存在。")

    if row.inserted is None:  # sent before: answer with the first result, change nothing
        first = (
            await db_session.execute(
                text("SELECT marker_id, payload_hash FROM marker_inspection WHERE id = :id"), {"id": body.id}
            )
        ).one()
        if first.marker_id != row.marker_id or first.payload_hash != digest:
            raise Conflict(
                "This visit id was already used for a different visit; send a new id for a new visit.",
                "该巡查记录编号已用于另一条记录；新记录请使用新的编号。",
            )
        out = await inspection_out(db_session, inspection_id=str(body.id))
        out["duplicate"] = True
        return out

    await audit.record(
        db_session,
        by=inspector,
        action="create",
        entity="marker_inspection",
        entity_id=str(body.id),
        after={
            "marker": code,
            "condition": body.condition,
            "observed_at": body.observed_at.isoformat(),
            "became_current": row.became_current,
            "repair_order": row.repair_id,
        },
    )
    return {
        "id": body.id,
        "marker_code": code,
        "condition": body.condition,
        "observed_at": body.observed_at,
        "received_at": row.received_at,
        "inspector": inspector.username,
        "distance_to_marker_m": row.distance_to_marker_m,
        "gnss_accuracy_m": gnss.accuracy_m if gnss else None,
        "notes": body.notes,
        "is_current": row.became_current,
        "repair_order_id": row.repair_id,
    }


async def inspection_out(db_session: AsyncSession, *, inspection_id: str) -> dict:
    row = await db_session.execute(
        text("""
        SELECT i.id, m.code AS marker_code, i.condition, i.observed_at, i.received_at,
               u.username AS inspector, i.distance_to_marker_m, i.gnss_accuracy_m, i.notes,
               (m.last_inspection_id = i.id) AS is_current
        FROM marker_inspection i JOIN boundary_marker m ON m.id = i.marker_id
        JOIN app_user u ON u.id = i.inspector_id WHERE i.id = :id"""),
        {"id": inspection_id},
    )
    return dict(row.one()._mapping)


async def inspection_history(db_session: AsyncSession, *, code: str) -> list[dict]:
    marker_id = await get_marker_id(db_session, code)
    rows = await db_session.execute(
        text("""
        SELECT i.id, i.condition, i.observed_at, i.received_at, u.username AS inspector,
               i.inscription_legible, i.vegetation_cleared, i.reference_objects_present,
               i.gnss_lon, i.gnss_lat, i.gnss_accuracy_m, i.gnss_fix_type,
               i.distance_to_marker_m, i.displacement_m, i.notes, i.neighbour_representative,
               (SELECT COALESCE(json_agg('/api/v1/photos/' || ip.photo_sha256), '[]')
                FROM inspection_photo ip WHERE ip.inspection_id = i.id) AS photos
        FROM marker_inspection i JOIN app_user u ON u.id = i.inspector_id
        WHERE i.marker_id = :m ORDER BY i.observed_at DESC, i.id DESC"""),
        {"m": marker_id},
    )
    return [dict(r._mapping) for r in rows]


async def summary(db_session: AsyncSession, *, home_code: str) -> dict:
    """Marker counts by condition, by line and by banner, in one query."""
    result = await db_session.scalar(
        text("""
        WITH m AS (SELECT COALESCE(condition, 'unknown') AS condition, line_code,
                          condition = ANY(:attention) AS attention, is_smart FROM boundary_marker),
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
                 WHERE u.parent_code = :home GROUP BY 1, 2) s),
          'open_repairs', (SELECT count(*) FROM repair_order WHERE status = 'open'))::text"""),
        {"attention": NEEDS_ATTENTION, "home": home_code},
    )
    return json.loads(result)


async def list_repairs(db_session: AsyncSession, *, status: str | None) -> list[dict]:
    rows = await db_session.execute(
        text("""
        SELECT r.id, m.code AS marker_code, r.reason, r.status, r.resolution, r.opened_at,
               r.closed_at, u.username AS closed_by, r.notes, r.opened_by_inspection
        FROM repair_order r JOIN boundary_marker m ON m.id = r.marker_id
        LEFT JOIN app_user u ON u.id = r.closed_by
        WHERE CAST(:status AS text) IS NULL OR r.status = :status
        ORDER BY r.opened_at DESC LIMIT 1000"""),
        {"status": status},
    )
    return [dict(r._mapping) for r in rows]


async def close_repair(
    db_session: AsyncSession, *, repair_id: int, resolution: str, notes: str | None, actor: AppUser
) -> dict:
    row = await db_session.execute(
        text("""
        UPDATE repair_order SET status = 'closed', resolution = :resolution, notes = :notes,
               closed_at = now(), closed_by = :actor
        WHERE id = :id AND status = 'open' RETURNING id, marker_id"""),
        {"resolution": resolution, "notes": notes, "actor": actor.id, "id": repair_id},
    )
    closed = row.first()
    if closed is None:
        exists = await db_session.scalar(
            text("SELECT status FROM repair_order WHERE id = :id"), {"id": repair_id}
        )
        if exists is None:
            raise NotFound(f"No repair order {repair_id}.", f"维修单 {repair_id} 不存在。")
        raise Conflict(f"Repair order {repair_id} is already closed.", f"维修单 {repair_id} 已关闭。")
    await audit.record(
        db_session,
        by=actor,
        action="close",
        entity="repair_order",
        entity_id=str(repair_id),
        before={"status": "open"},
        after={"status": "closed", "resolution": resolution, "notes": notes},
    )
    return {"id": repair_id, "status": "closed", "resolution": resolution}


async def attach_photos(
    db_session: AsyncSession,
    *,
    inspection_id: str,
    photos: list[tuple[StoredPhoto, float | None]],
    actor: AppUser,
) -> list[dict]:
    """Link stored photos to a visit (idempotent per photo: the same bytes link once)."""
    exists = await db_session.scalar(
        text("SELECT true FROM marker_inspection WHERE id = :id"), {"id": inspection_id}
    )
    if not exists:
        raise NotFound(f"No visit {inspection_id}.", f"巡查记录 {inspection_id} 不存在。")
    out = []
    for photo, bearing in photos:
        await db_session.execute(
            text("""
            INSERT INTO photo (sha256, content_type, width, height, bytes, uploaded_by)
            VALUES (:sha, :ct, :w, :h, :b, :by) ON CONFLICT (sha256) DO NOTHING"""),
            {
                "sha": photo.sha256,
                "ct": photo.content_type,
                "w": photo.width,
                "h": photo.height,
                "b": photo.bytes,
                "by": actor.id,
            },
        )
        await db_session.execute(
            text("""
            INSERT INTO inspection_photo (inspection_id, photo_sha256, camera_bearing_deg)
            VALUES (:i, :sha, :bearing) ON CONFLICT DO NOTHING"""),
            {"i": inspection_id, "sha": photo.sha256, "bearing": bearing},
        )
        out.append(
            {
                "sha256": photo.sha256,
                "url": f"/api/v1/photos/{photo.sha256}",
                "width": photo.width,
                "height": photo.height,
                "bytes": photo.bytes,
                "camera_bearing_deg": bearing,
            }
        )
    if out:
        await audit.record(
            db_session,
            by=actor,
            action="add_photos",
            entity="marker_inspection",
            entity_id=inspection_id,
            after={"photos": [p["sha256"] for p in out]},
        )
    return out


async def inspection_photos(db_session: AsyncSession, *, inspection_id: str) -> list[dict]:
    rows = await db_session.execute(
        text("""
        SELECT p.sha256, '/api/v1/photos/' || p.sha256 AS url, p.width, p.height, p.bytes,
               ip.camera_bearing_deg
        FROM inspection_photo ip JOIN photo p ON p.sha256 = ip.photo_sha256
        WHERE ip.inspection_id = :id ORDER BY ip.added_at"""),
        {"id": inspection_id},
    )
    return [dict(r._mapping) for r in rows]


async def nearest(db_session: AsyncSession, *, lon: float, lat: float, limit: int) -> list[dict]:
    """The markers nearest to a position, with ellipsoidal distance and the bearing from
    the position to each marker (degrees clockwise from true north)."""
    rows = await db_session.execute(
        text("""
        WITH here AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4490) AS p),
        near AS (SELECT m.* FROM boundary_marker m, here ORDER BY m.geom <-> here.p LIMIT :k)
        SELECT n.code, n.line_code, COALESCE(n.condition, 'unknown') AS condition,
               ST_X(n.geom) AS lon, ST_Y(n.geom) AS lat,
               round(ST_Distance(n.geom::geography, here.p::geography)::numeric, 1)::float8 AS distance_m,
               round(degrees(ST_Azimuth(here.p::geography, n.geom::geography))::numeric, 1)::float8 AS bearing_deg
        FROM near n, here ORDER BY distance_m LIMIT :limit"""),
        {"lon": lon, "lat": lat, "k": limit * 3, "limit": limit},
    )
    return [dict(r._mapping) for r in rows]
