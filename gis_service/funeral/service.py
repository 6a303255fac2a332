"""Graves (card, remediation with evidence photos, map points) and corridor widths."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth import jurisdiction
from gis_service.auth.models import AppUser
from gis_service.core.errors import BadRequest, Conflict, NotFound
from gis_service.funeral import vocabulary as v
from gis_service.funeral.classification import Scope, classify, corridors_of_class
from gis_service.photos import records as photo_records
from gis_service.photos.store import StoredPhoto

MAX_POINTS = 50_000


_GRAVE_CARDS_SQL = """
SELECT g.code, json_build_object(
    'code', g.code, 'lon', ST_X(g.geom), 'lat', ST_Y(g.geom), 'grave_count', g.grave_count, 'kind', g.kind,
    'county_code', g.county_code, 'township_code', g.township_code, 'surveyed_on', g.surveyed_on,
    'remediation_status', g.remediation_status, 'remediation_method', g.remediation_method,
    'remediated_on', g.remediated_on, 'version', g.version, 'source', g.source,
    'restrictions', COALESCE((
        SELECT json_agg(json_build_object(
                   'area_kind', r.area_kind, 'area_class', r.area_class,
                   'area_code', COALESCE(c.code, z.code), 'area_name', COALESCE(c.name, z.name),
                   'distance_m', round(r.distance_m::numeric, 1)) ORDER BY r.area_kind, r.area_class)
        FROM grave_restriction r
        LEFT JOIN restricted_corridor c ON r.area_kind = 'corridor' AND c.id = r.area_id
        LEFT JOIN restricted_zone z ON r.area_kind = 'zone' AND z.id = r.area_id
        WHERE r.grave_id = g.id), '[]'),
    'history', COALESCE((
        SELECT json_agg(h ORDER BY h.recorded_at DESC, h.id DESC) FROM (
            SELECT m.id, m.status, m.method, m.done_on, m.note, u.username AS recorded_by, m.recorded_at,
                   COALESCE(array_agg(p.photo_sha256 ORDER BY p.photo_sha256)
                            FILTER (WHERE p.photo_sha256 IS NOT NULL), '{}') AS photos
            FROM grave_remediation m LEFT JOIN app_user u ON u.id = m.recorded_by
            LEFT JOIN grave_remediation_photo p ON p.remediation_id = m.id
            WHERE m.grave_id = g.id GROUP BY m.id, u.username) h), '[]')
)::text AS card
FROM grave g WHERE g.code = ANY(:codes)"""


async def grave_cards(db_session: AsyncSession, *, codes: list[str]) -> dict[str, dict]:
    """Grave cards by code in one query: position, kind, the corridors (with distance)
    and zones it lies in, and its remediation history (missing codes are left out)."""
    out = {}
    for row in await db_session.execute(text(_GRAVE_CARDS_SQL), {"codes": codes}):
        card = json.loads(row.card)
        card["restricted"] = bool(card["restrictions"])
        out[row.code] = card
    return out


async def grave_card(db_session: AsyncSession, *, code: str, within: str | None = None) -> dict:
    card = (await grave_cards(db_session, codes=[code])).get(code)
    if card is None:
        raise NotFound(f"No grave {code}.", f"坟墓 {code} 不存在。")
    jurisdiction.require_readable(within, [card.get("county_code")], (f"Grave {code}", f"坟墓 {code}"))
    return card


def check_remediation(status: str, method: str | None, done_on: date | None, photos: int) -> None:
    """The rules of a remediation record, before anything is stored."""
    if status not in v.REMEDIATION_STATUSES:
        raise BadRequest(
            v.choice_error("status", status, v.REMEDIATION_STATUSES), f"未知整治状态“{status}”。"
        )
    if method is not None and method not in v.REMEDIATION_METHODS:
        raise BadRequest(v.choice_error("method", method, v.REMEDIATION_METHODS), f"未知整治方式“{method}”。")
    if status == "remediated":
        if method is None or done_on is None:
            raise BadRequest(
                "A remediated grave needs the method and the date it was done.",
                "已整治须填写整治方式和日期。",
            )
        if photos == 0:
            raise BadRequest(
                "A remediated grave needs at least one evidence photo.", "已整治须上传至少一张佐证照片。"
            )
    elif method is not None or done_on is not None:
        raise BadRequest(
            "The method and date are given only when the grave is remediated.",
            "仅在已整治时填写整治方式和日期。",
        )
    if done_on is not None and done_on > date.today():
        raise BadRequest("The date is in the future.", "日期晚于今天。")


async def record_remediation(
    db_session: AsyncSession,
    *,
    code: str,
    status: str,
    method: str | None,
    done_on: date | None,
    note: str | None,
    expected_version: int | None,
    photos: list[StoredPhoto],
    actor: AppUser,
) -> dict:
    """Set a grave's remediation state, keeping every step (with its photos) as history."""
    grave = (
        await db_session.execute(
            text("""SELECT id, version, surveyed_on, township_code, county_code FROM grave
                    WHERE code = :code FOR UPDATE"""),
            {"code": code},
        )
    ).first()
    if grave is None:
        raise NotFound(f"No grave {code}.", f"坟墓 {code} 不存在。")
    jurisdiction.require_within(
        actor, [grave.township_code, grave.county_code], (f"Grave {code}", f"坟墓 {code}")
    )
    if expected_version is not None and expected_version != grave.version:
        raise Conflict(
            f"The grave changed since you loaded it (version {grave.version}); reload and try again.",
            "该坟墓记录已被他人修改，请刷新后重试。",
        )
    if done_on is not None and done_on < grave.surveyed_on:
        raise BadRequest("The date is before the survey.", "整治日期早于调查日期。")
    await db_session.execute(
        text("""
        UPDATE grave SET remediation_status = :s, remediation_method = :m, remediated_on = :d,
               version = version + 1, updated_at = now() WHERE id = :id"""),
        {"s": status, "m": method, "d": done_on, "id": grave.id},
    )
    record_id = await db_session.scalar(
        text("""
        INSERT INTO grave_remediation (grave_id, status, method, done_on, note, recorded_by)
        VALUES (:g, :s, :m, :d, :n, :by) RETURNING id"""),
        {"g": grave.id, "s": status, "m": method, "d": done_on, "n": note, "by": actor.id},
    )
    described = []
    for photo in photos:
        described.append(await photo_records.register(db_session, photo, actor))
        await db_session.execute(
            text("""INSERT INTO grave_remediation_photo (remediation_id, photo_sha256) VALUES (:r, :sha)
                    ON CONFLICT DO NOTHING"""),
            {"r": record_id, "sha": photo.sha256},
        )
    await audit.record(
        db_session,
        by=actor,
        action="remediate",
        entity="grave",
        entity_id=code,
        after={
            "status": status,
            "method": method,
            "done_on": str(done_on) if done_on else None,
            "photos": [p.sha256 for p in photos],
        },
    )
    return {
        "code": code,
        "remediation_id": record_id,
        "status": status,
        "method": method,
        "done_on": done_on,
        "version": grave.version + 1,
        "photos": described,
    }


async def grave_points(
    db_session: AsyncSession, *, bbox: tuple[float, float, float, float] | None, within: str | None = None
) -> dict:
    """Graves for the planners' cluster and heat views, compact: [lon, lat, status, count].
    Beyond MAX_POINTS in view they come aggregated on a grid instead, so a city-wide view
    of a million graves stays a small answer."""
    where, params = "true", {}
    if bbox:
        where = "geom && ST_MakeEnvelope(:w, :s, :e, :n, 4490)"
        params = dict(zip("wsen", bbox, strict=True))
    if within is not None:  # READ_SCOPE=unit
        where += " AND units_within(county_code, CAST(:within AS text))"
        params["within"] = within
    total = await db_session.scalar(
        text(f"SELECT count(*) FROM (SELECT 1 FROM grave WHERE {where} LIMIT {MAX_POINTS + 1}) x"), params
    )
    statuses = list(v.REMEDIATION_STATUSES)
    if total <= MAX_POINTS:
        rows = await db_session.execute(
            text(
                f"SELECT ST_X(geom) AS x, ST_Y(geom) AS y, remediation_status AS s, grave_count AS c FROM grave WHERE {where}"
            ),
            params,
        )
        return {
            "statuses": statuses,
            "aggregated": False,
            "points": [[round(r.x, 5), round(r.y, 5), statuses.index(r.s), r.c] for r in rows],
        }
    (w, s, e, n) = bbox or (73.0, 3.0, 136.0, 54.0)
    cell = max(e - w, n - s) / 256
    rows = await db_session.execute(
        text(f"""
        SELECT avg(ST_X(geom)) AS x, avg(ST_Y(geom)) AS y, mode() WITHIN GROUP (ORDER BY remediation_status) AS s,
               sum(grave_count) AS c
        FROM grave WHERE {where} GROUP BY floor(ST_X(geom) / :cell), floor(ST_Y(geom) / :cell)"""),
        params | {"cell": cell},
    )
    return {
        "statuses": statuses,
        "aggregated": True,
        "cell_deg": cell,
        "points": [[round(r.x, 5), round(r.y, 5), statuses.index(r.s), int(r.c)] for r in rows],
    }


async def corridor_classes(db_session: AsyncSession) -> list[dict]:
    rows = await db_session.execute(
        text("""SELECT k.*, (SELECT count(*) FROM restricted_corridor c WHERE c.corridor_class = k.corridor_class)
                       AS corridors FROM corridor_class k ORDER BY k.road_or_rail DESC, k.corridor_class""")
    )
    return [dict(r) for r in rows.mappings()]


async def set_corridor_width(
    db_session: AsyncSession, *, corridor_class: str, width_m: float, actor: AppUser
) -> dict:
    """Change a class's width and recompute the classification of its corridors."""
    before = await db_session.scalar(
        text("SELECT width_m FROM corridor_class WHERE corridor_class = :c FOR UPDATE"), {"c": corridor_class}
    )
    if before is None:
        raise NotFound(f"No corridor class {corridor_class}.", f"廊道类别 {corridor_class} 不存在。")
    await db_session.execute(
        text("UPDATE corridor_class SET width_m = :w WHERE corridor_class = :c"),
        {"w": width_m, "c": corridor_class},
    )
    ids = await corridors_of_class(db_session, corridor_class)
    written = await classify(db_session, Scope(corridors=ids))
    await audit.record(
        db_session,
        by=actor,
        action="update",
        entity="corridor_class",
        entity_id=corridor_class,
        before={"width_m": before},
        after={"width_m": width_m},
    )
    return {
        "corridor_class": corridor_class,
        "width_m": width_m,
        "corridors": len(ids),
        "restriction_rows": written["corridor"],
    }
