"""The tracks inspectors walk during a joint-inspection round.

A phone records its position every few seconds while the app is open and sends the
positions in batches, each batch a line segment with a client-made UUID: a batch sent
again is stored once, and a different batch under the same id is refused. Each batch
begins with the last position of the one before, so the segments join up. Lengths are
ellipsoidal (geography), times are kept as the M value of each vertex."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth import roles
from gis_service.auth.jurisdiction import line_units, require_readable
from gis_service.auth.models import AppUser
from gis_service.core.errors import BadRequest, Conflict, Forbidden, NotFound, invalid_value
from gis_service.core.geojson_pages import feature_collection
from gis_service.joint_inspections import parties

MAX_CLOCK_SKEW = timedelta(minutes=10)


class TrackPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lon: float = Field(ge=73, le=136)
    lat: float = Field(ge=3, le=54)
    at: AwareDatetime
    accuracy_m: float | None = Field(default=None, ge=0, le=10_000)


class TrackBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    points: list[TrackPoint] = Field(min_length=2, max_length=5000)

    @field_validator("points")
    @classmethod
    def _in_time_order(cls, points: list[TrackPoint]) -> list[TrackPoint]:
        if any(b.at < a.at for a, b in zip(points, points[1:], strict=False)):
            raise invalid_value("Track points must be in time order.", "轨迹点必须按时间顺序排列。")
        return points


async def _round_line(db_session: AsyncSession, round_id: int) -> str:
    line = await db_session.scalar(
        text("SELECT line_code FROM inspection_round WHERE id = :id"), {"id": round_id}
    )
    if line is None:
        raise NotFound(f"No inspection round {round_id}.", f"联合检查 {round_id} 不存在。")
    return line


async def add_batch(db_session: AsyncSession, *, round_id: int, batch: TrackBatch, actor: AppUser) -> dict:
    """Store one batch of the walked track (by a party of the line: an account whose unit
    covers one of its sides); the same batch again answers as the first time."""
    line = await _round_line(db_session, round_id)
    parties.require_party(actor, line)
    if batch.points[-1].at > datetime.now(UTC) + MAX_CLOCK_SKEW:
        raise BadRequest(
            "Track times are in the future; check the phone's clock.",
            "轨迹时间晚于当前时间，请检查手机时间。",
        )
    digest = hashlib.sha256(batch.model_dump_json().encode()).hexdigest()
    wkt = (
        "LINESTRING M (" + ", ".join(f"{p.lon!r} {p.lat!r} {p.at.timestamp()!r}" for p in batch.points) + ")"
    )
    row = (
        await db_session.execute(
            text("""
            WITH m AS (SELECT ST_GeomFromText(:wkt, 4490) AS g)
            INSERT INTO inspection_track (id, round_id, inspector_id, started_at, ended_at, point_count,
                                          length_m, geom, payload_hash)
            SELECT :id, :round, :actor, :started, :ended, :n, ST_Length(ST_Force2D(m.g)::geography), m.g, :hash
            FROM m
            ON CONFLICT (id) DO NOTHING
            RETURNING id"""),
            {
                "wkt": wkt,
                "id": batch.id,
                "round": round_id,
                "actor": actor.id,
                "started": batch.points[0].at,
                "ended": batch.points[-1].at,
                "n": len(batch.points),
                "hash": digest,
            },
        )
    ).first()
    if row is None:
        first = (
            await db_session.execute(
                text("SELECT round_id, inspector_id, payload_hash FROM inspection_track WHERE id = :id"),
                {"id": batch.id},
            )
        ).one()
        if (first.round_id, first.inspector_id, first.payload_hash) != (round_id, actor.id, digest):
            raise Conflict(
                "This track batch id was already used for other positions; send a new id.",
                "该轨迹批次编号已被使用；请使用新的编号。",
            )
        return {"id": batch.id, "points": len(batch.points), "duplicate": True}
    return {"id": batch.id, "points": len(batch.points)}


async def summary(db_session: AsyncSession, *, round_id: int) -> dict:
    """The round's walked track: length, time span and points, per inspector and in all."""
    rows = await db_session.execute(
        text("""
        SELECT u.username AS inspector, count(*) AS batches, sum(t.point_count)::int AS points,
               round(sum(t.length_m)::numeric / 1000, 3)::float8 AS length_km,
               min(t.started_at) AS started_at, max(t.ended_at) AS ended_at
        FROM inspection_track t JOIN app_user u ON u.id = t.inspector_id
        WHERE t.round_id = :id GROUP BY u.username ORDER BY u.username"""),
        {"id": round_id},
    )
    by_inspector = [dict(r._mapping) for r in rows]
    return {
        "length_km": round(sum(r["length_km"] for r in by_inspector), 3),
        "points": sum(r["points"] for r in by_inspector),
        "started_at": min((r["started_at"] for r in by_inspector), default=None),
        "ended_at": max((r["ended_at"] for r in by_inspector), default=None),
        "by_inspector": by_inspector,
    }


async def _may_see_tracks(db_session: AsyncSession, round_id: int, line: str, user: AppUser) -> bool:
    """Administrators of a unit on the line, and the round's participants: who planned it,
    or recorded a track, a finding or a signature in it. Where an inspector walked is
    nobody else's business."""
    if roles.holds(user.role, "administration") and parties.sides_for(user, line):
        return True
    return await db_session.scalar(
        text("""
        SELECT EXISTS (SELECT 1 FROM inspection_round WHERE id = :r AND created_by = :u)
            OR EXISTS (SELECT 1 FROM inspection_track WHERE round_id = :r AND inspector_id = :u)
            OR EXISTS (SELECT 1 FROM inspection_finding WHERE round_id = :r AND recorded_by = :u)
            OR EXISTS (SELECT 1 FROM inspection_signature WHERE round_id = :r AND signed_by = :u)"""),
        {"r": round_id, "u": user.id},
    )


async def as_geojson(
    db_session: AsyncSession, *, round_id: int, user: AppUser, within: str | None = None
) -> str:
    """The round's track as a FeatureCollection: one feature per inspector, a
    MultiLineString of their batches in time order (participants, and administrators of
    the line's units, only)."""
    line = await _round_line(db_session, round_id)
    require_readable(within, line_units(line), (f"Inspection round {round_id}", f"联合检查 {round_id}"))
    if not await _may_see_tracks(db_session, round_id, line, user):
        raise Forbidden(
            "Only the round's participants and administrators see its GPS tracks.",
            "只有本轮检查的参与人员和管理员可以查看其 GPS 轨迹。",
        )
    rows = await db_session.execute(
        text("""
        SELECT json_build_object(
            'type', 'Feature', 'id', u.username,
            'geometry', ST_AsGeoJSON(ST_Multi(ST_Collect(ST_Force2D(t.geom) ORDER BY t.started_at)), 7)::json,
            'properties', json_build_object(
                'round_id', t.round_id, 'inspector', u.username,
                'length_km', round(sum(t.length_m)::numeric / 1000, 3),
                'started_at', min(t.started_at), 'ended_at', max(t.ended_at),
                'points', sum(t.point_count)))::text
        FROM inspection_track t JOIN app_user u ON u.id = t.inspector_id
        WHERE t.round_id = :id GROUP BY t.round_id, u.username ORDER BY u.username"""),
        {"id": round_id},
    )
    features = list(rows.scalars())
    return feature_collection(",".join(features), len(features))
