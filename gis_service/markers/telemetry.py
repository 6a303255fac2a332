"""Smart-marker telemetry and the alerts it raises.

Drift is measured by the database: the reported position's distance from the
registered one on the ellipsoid. A reading past a threshold opens an alert of that
kind unless one is open already; an inspector or admin acknowledges it."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth.models import AppUser
from gis_service.core.errors import BadRequest, Conflict, NotFound
from gis_service.core.settings import Settings
from gis_service.inspections.assets import MARKER
from gis_service.inspections.service import require_asset_within
from gis_service.markers.schemas import TelemetryIn
from gis_service.markers.service import get_marker_id


async def record_reading(
    db_session: AsyncSession, *, code: str, body: TelemetryIn, settings: Settings, actor: AppUser
) -> dict:
    if (body.lon is None) != (body.lat is None):
        raise BadRequest("Send both lon and lat, or neither.", "经度和纬度须同时提供或同时省略。")
    marker_id = await get_marker_id(db_session, code)
    await require_asset_within(db_session, MARKER, code, actor)
    row = (
        await db_session.execute(
            text("""
        INSERT INTO marker_telemetry (marker_id, observed_at, tilt_deg, drift_m, battery_pct, online,
                                      tamper, lon, lat)
        SELECT m.id, :observed_at, :tilt,
               CASE WHEN CAST(:lon AS float8) IS NOT NULL THEN ST_Distance(m.geom::geography,
                    ST_SetSRID(ST_MakePoint(:lon, :lat), 4490)::geography) END,
               :battery, :online, :tamper, :lon, :lat
        FROM boundary_marker m WHERE m.id = :marker_id
        ON CONFLICT (marker_id, observed_at) DO NOTHING
        RETURNING id, drift_m"""),
            {
                "marker_id": marker_id,
                "observed_at": body.observed_at,
                "tilt": body.tilt_deg,
                "lon": body.lon,
                "lat": body.lat,
                "battery": body.battery_pct,
                "online": body.online,
                "tamper": body.tamper,
            },
        )
    ).first()
    if row is None:
        return {"marker": code, "duplicate": True, "alerts": []}
    checks = [
        ("tilt", body.tilt_deg, settings.telemetry_tilt_deg, "above"),
        ("drift", row.drift_m, settings.telemetry_drift_m, "above"),
        ("battery", body.battery_pct, settings.telemetry_battery_pct, "below"),
        ("tamper", 1.0 if body.tamper else None, 0.5, "above"),
    ]
    raised = []
    for kind, value, threshold, direction in checks:
        if value is None or (value <= threshold if direction == "above" else value >= threshold):
            continue
        alert_id = await db_session.scalar(
            text("""
            INSERT INTO marker_alert (marker_id, telemetry_id, kind, value, threshold)
            VALUES (:m, :t, :kind, :value, :threshold)
            ON CONFLICT (marker_id, kind) WHERE acknowledged_at IS NULL DO NOTHING RETURNING id"""),
            {"m": marker_id, "t": row.id, "kind": kind, "value": value, "threshold": threshold},
        )
        if alert_id:
            raised.append({"id": alert_id, "kind": kind, "value": value, "threshold": threshold})
    if raised:
        await audit.record(
            db_session,
            by=actor,
            action="raise_alerts",
            entity="boundary_marker",
            entity_id=code,
            after={"alerts": raised},
        )
    return {"marker": code, "duplicate": False, "drift_m": row.drift_m, "alerts": raised}


async def list_alerts(db_session: AsyncSession, *, open_only: bool, within: str | None = None) -> list[dict]:
    rows = await db_session.execute(
        text("""
        SELECT a.id, m.code AS marker_code, a.kind, a.value, a.threshold, a.raised_at,
               a.acknowledged_at, u.username AS acknowledged_by,
               ST_X(m.geom) AS lon, ST_Y(m.geom) AS lat
        FROM marker_alert a JOIN boundary_marker m ON m.id = a.marker_id
        LEFT JOIN app_user u ON u.id = a.acknowledged_by
        WHERE (NOT CAST(:open_only AS boolean) OR a.acknowledged_at IS NULL)
          AND units_within(m.line_code, CAST(:within AS text))
        ORDER BY a.raised_at DESC LIMIT 1000"""),
        {"open_only": open_only, "within": within},
    )
    return [dict(r._mapping) for r in rows]


async def acknowledge(db_session: AsyncSession, *, alert_id: int, actor: AppUser) -> dict:
    """Acknowledge an open alert, by an account whose unit covers its marker's line."""
    marker = await db_session.scalar(
        text(
            "SELECT m.code FROM marker_alert a JOIN boundary_marker m ON m.id = a.marker_id WHERE a.id = :id"
        ),
        {"id": alert_id},
    )
    if marker is not None:
        await require_asset_within(db_session, MARKER, marker, actor)
    row = (
        await db_session.execute(
            text("""
        UPDATE marker_alert SET acknowledged_at = now(), acknowledged_by = :u
        WHERE id = :id AND acknowledged_at IS NULL RETURNING id, kind"""),
            {"u": actor.id, "id": alert_id},
        )
    ).first()
    if row is None:
        if await db_session.scalar(text("SELECT id FROM marker_alert WHERE id = :id"), {"id": alert_id}):
            raise Conflict(f"Alert {alert_id} is already acknowledged.", f"告警 {alert_id} 已确认。")
        raise NotFound(f"No alert {alert_id}.", f"告警 {alert_id} 不存在。")
    await audit.record(
        db_session,
        by=actor,
        action="acknowledge",
        entity="marker_alert",
        entity_id=str(alert_id),
        after={"kind": row.kind},
    )
    return {"id": alert_id, "acknowledged": True}
