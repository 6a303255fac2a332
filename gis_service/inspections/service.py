"""Visits, repair orders and visit photos for any inspected asset (markers, signs).

A visit is stored once per client UUID in one statement that also applies its rules:
the asset's condition follows its latest visit by observation time (a late visit joins
the history without overwriting a newer one), and a condition that needs repair opens a
repair order unless one is open. Row locks make two concurrent visits to one asset
settle in observation order. Table names come from `InspectedAsset` constants, never
from a request."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth import jurisdiction, roles
from gis_service.auth.models import AppUser
from gis_service.core.errors import BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed
from gis_service.inspections.assets import InspectedAsset
from gis_service.inspections.schemas import GnssFix, InspectionCorrection, InspectionIn
from gis_service.inspections.vocabulary import OPENS_REPAIR
from gis_service.monitoring import metrics
from gis_service.photos import records as photo_records
from gis_service.photos.store import StoredPhoto

MAX_CLOCK_SKEW = timedelta(minutes=10)


def _payload_hash(body: InspectionIn) -> str:
    # A field added to the visit later is left out while unused, so that a visit queued on
    # a phone before it existed, and resent after, still hashes as it did when first sent.
    unused = {"gnss": {"fixes_averaged"}} if body.gnss and body.gnss.fixes_averaged is None else None
    return hashlib.sha256(body.model_dump_json(exclude=unused).encode()).hexdigest()


@cache
def _record_visit_sql(a: InspectedAsset) -> str:
    return f"""
WITH m AS (SELECT id, geom FROM {a.table} WHERE code = :code),
ins AS (
    INSERT INTO {a.inspections} (id, {a.fk}, observed_at, condition, inscription_legible,
        vegetation_cleared, reference_objects_present, gnss_lon, gnss_lat, gnss_accuracy_m,
        gnss_fix_type, gnss_fixed_at, gnss_fixes_averaged, distance_to_marker_m, displacement_m, notes,
        neighbour_representative, inspector_id, payload_hash)
    SELECT :id, m.id, :observed_at, :condition, :legible, :cleared, :refs, :lon, :lat, :acc,
           :fix_type, :fixed_at, :fixes,
           CASE WHEN CAST(:lon AS float8) IS NOT NULL THEN ST_Distance(m.geom::geography,
                ST_SetSRID(ST_MakePoint(:lon, :lat), 4490)::geography) END,
           :displacement, :notes, :neighbour, :inspector, :hash
    FROM m
    ON CONFLICT (id) DO NOTHING
    RETURNING id, {a.fk} AS asset_id, received_at, distance_to_marker_m
), upd AS (
    UPDATE {a.table} b SET condition = :condition, condition_observed_at = :observed_at,
           last_inspection_id = ins.id
    FROM ins
    WHERE b.id = ins.asset_id
      AND (b.condition_observed_at IS NULL OR b.condition_observed_at < :observed_at
           OR (b.condition_observed_at = :observed_at AND b.last_inspection_id < ins.id))
    RETURNING b.id
), rep AS (
    INSERT INTO {a.repairs} ({a.fk}, opened_by_inspection, reason)
    SELECT ins.asset_id, ins.id, :condition FROM ins JOIN upd ON upd.id = ins.asset_id
    WHERE CAST(:condition AS text) = ANY(:opens_repair)
    ON CONFLICT ({a.fk}) WHERE status = 'open' DO NOTHING
    RETURNING id
)
SELECT (SELECT id FROM m) AS asset_id, ins.id AS inserted, ins.received_at, ins.distance_to_marker_m,
       EXISTS (SELECT 1 FROM upd) AS became_current, (SELECT id FROM rep) AS repair_id
FROM (SELECT 1) one LEFT JOIN ins ON true
"""


def _id_taken() -> Conflict:
    return Conflict(
        "This visit id was already used for a different visit; send a new id for a new visit.",
        "该巡查记录编号已用于另一条记录；新记录请使用新的编号。",
    )


async def _insert_visit(
    db_session: AsyncSession,
    asset: InspectedAsset,
    *,
    code: str,
    body: InspectionIn,
    inspector: AppUser,
    digest: str,
):
    """The one statement that stores a visit (see _record_visit_sql)."""
    gnss = body.gnss
    return (
        await db_session.execute(
            text(_record_visit_sql(asset)),
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
                "fixes": gnss.fixes_averaged if gnss else None,
                "displacement": body.displacement_m,
                "notes": body.notes,
                "neighbour": body.neighbour_representative,
                "inspector": inspector.id,
                "hash": digest,
                "opens_repair": OPENS_REPAIR,
            },
        )
    ).one()


async def require_asset_within(
    db_session: AsyncSession, asset: InspectedAsset, code: str, user: AppUser
) -> None:
    """403 when the asset lies outside the user's unit; an unknown asset is left to the
    caller's 404."""
    if not jurisdiction.bounded(user):
        return
    units = await db_session.scalar(
        text(f"SELECT {asset.units_sql} FROM {asset.table} m WHERE m.code = :c"), {"c": code}
    )
    if units is not None:
        jurisdiction.require_within(
            user, units, (f"{asset.noun.title()} {code}", f"{asset.label_zh}“{code}”")
        )


async def record_inspection(
    db_session: AsyncSession, asset: InspectedAsset, *, code: str, body: InspectionIn, inspector: AppUser
) -> dict:
    """Store a visit once; sending the same visit again answers with the first result."""
    if body.observed_at > datetime.now(UTC) + MAX_CLOCK_SKEW:
        raise BadRequest(
            "observed_at is in the future; check the phone's clock.", "观测时间晚于当前时间，请检查手机时间。"
        )
    await require_asset_within(db_session, asset, code, inspector)
    digest = _payload_hash(body)
    gnss = body.gnss
    try:
        row = await _insert_visit(db_session, asset, code=code, body=body, inspector=inspector, digest=digest)
    except IntegrityError as exc:
        if getattr(exc.orig.diag, "constraint_name", None) != "visit_id_pkey":
            raise
        await db_session.rollback()
        raise _id_taken() from None
    if row.asset_id is None:
        raise NotFound(f"No {asset.noun} '{code}'.", f"{asset.label_zh}“{code}”不存在。")

    if row.inserted is None:  # sent before: answer with the first result, change nothing
        first = (
            await db_session.execute(
                text(
                    f"SELECT {asset.fk} AS asset_id, payload_hash, inspector_id FROM {asset.inspections} WHERE id = :id"
                ),
                {"id": body.id},
            )
        ).one()
        # Only its own inspector gets a visit back: anyone else learns nothing of it.
        if (
            first.asset_id != row.asset_id
            or first.payload_hash != digest
            or first.inspector_id != inspector.id
        ):
            raise _id_taken()
        out = await inspection_out(db_session, asset, inspection_id=str(body.id))
        out["duplicate"] = True
        metrics.RESENDS.labels(asset.noun).inc()
        return out

    metrics.VISITS.labels(asset.noun).inc()
    await audit.record(
        db_session,
        by=inspector,
        action="create",
        entity=asset.inspections,
        entity_id=str(body.id),
        after={
            asset.noun: code,
            "condition": body.condition,
            "observed_at": body.observed_at.isoformat(),
            "became_current": row.became_current,
            "repair_order": row.repair_id,
        },
    )
    return {
        "id": body.id,
        asset.code_key: code,
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


async def inspection_out(db_session: AsyncSession, asset: InspectedAsset, *, inspection_id: str) -> dict:
    row = await db_session.execute(
        text(f"""
        SELECT i.id, m.code AS {asset.code_key}, i.condition, i.observed_at, i.received_at,
               u.username AS inspector, i.distance_to_marker_m, i.gnss_accuracy_m, i.notes,
               (m.last_inspection_id = i.id) AS is_current, i.edit_count, i.edited_at
        FROM {asset.inspections} i JOIN {asset.table} m ON m.id = i.{asset.fk}
        JOIN app_user u ON u.id = i.inspector_id WHERE i.id = :id"""),
        {"id": inspection_id},
    )
    return dict(row.one()._mapping)


def _visit_columns(a: InspectedAsset) -> str:
    """A visit as the history shows it, with its photos."""
    return f"""i.id, i.condition, i.observed_at, i.received_at, u.username AS inspector,
               i.inscription_legible, i.vegetation_cleared, i.reference_objects_present,
               i.gnss_lon, i.gnss_lat, i.gnss_accuracy_m, i.gnss_fix_type, i.gnss_fixes_averaged,
               i.distance_to_marker_m, i.displacement_m, i.notes, i.neighbour_representative,
               i.edit_count, i.edited_at, e.username AS edited_by,
               (SELECT COALESCE(json_agg('/api/v1/photos/' || ip.photo_sha256), '[]')
                FROM {a.photos} ip WHERE ip.inspection_id = i.id) AS photos
        FROM {a.inspections} i JOIN app_user u ON u.id = i.inspector_id
        LEFT JOIN app_user e ON e.id = i.edited_by"""


async def inspection_history(
    db_session: AsyncSession, asset: InspectedAsset, *, code: str, within: str | None = None
) -> list[dict]:
    asset_id = await db_session.scalar(
        text(
            f"SELECT id FROM {asset.table} m WHERE code = :c AND units_within({asset.units_sql}, CAST(:w AS text))"
        ),
        {"c": code, "w": within},
    )
    if asset_id is None:
        raise NotFound(f"No {asset.noun} '{code}'.", f"{asset.label_zh}“{code}”不存在。")
    rows = await db_session.execute(
        text(
            f"SELECT {_visit_columns(asset)} WHERE i.{asset.fk} = :m ORDER BY i.observed_at DESC, i.id DESC"
        ),
        {"m": asset_id},
    )
    return [dict(r._mapping) for r in rows]


async def recent_histories(
    db_session: AsyncSession, asset: InspectedAsset, *, codes: list[str], each: int
) -> dict[str, list[dict]]:
    """The latest `each` visits of many assets in one query, by asset code."""
    rows = await db_session.execute(
        text(f"""
        SELECT m.code AS asset_code, v.* FROM {asset.table} m
        CROSS JOIN LATERAL (
            SELECT {_visit_columns(asset)} WHERE i.{asset.fk} = m.id
            ORDER BY i.observed_at DESC, i.id DESC LIMIT :each) v
        WHERE m.code = ANY(:codes)"""),
        {"codes": codes, "each": each},
    )
    out: dict[str, list[dict]] = {code: [] for code in codes}
    for r in rows:
        visit = dict(r._mapping)
        out[visit.pop("asset_code")].append(visit)
    return out


def may_change_visit(visit, actor: AppUser, window: timedelta) -> None:
    """A sent visit is changed (corrected, given photos) by its own inspector within
    `window` of sending, or by an administrator at any time; anyone else gets 403."""
    if roles.holds(actor.role, "administration"):
        return
    if visit.inspector_id != actor.id:
        raise Forbidden(
            "Only the inspector who logged a visit, or an administrator, may change it.",
            "只有记录该巡查的巡查员或管理员可以修改。",
        )
    if datetime.now(UTC) - visit.received_at > window:
        hours = round(window.total_seconds() / 3600)
        raise Forbidden(
            f"A visit can be changed within {hours} h of sending; ask an administrator, or log a new visit.",
            f"巡查记录只能在提交后 {hours} 小时内修改；请联系管理员，或新增一次巡查记录。",
        )


def visit_etag(edit_count: int) -> str:
    return f'"visit-{edit_count}"'


async def correct_inspection(
    db_session: AsyncSession,
    asset: InspectedAsset,
    *,
    code: str,
    inspection_id: str,
    correction: InspectionCorrection,
    actor: AppUser,
    if_match: str | None,
    window: timedelta,
) -> dict:
    """Correct the hand-filled fields of a sent visit: its own inspector within `window` of
    sending, an administrator at any time. With If-Match, a stale version gets 412. The
    observation (condition, time, position) stays; every correction is audited."""
    changes = correction.changes()
    # the columns named by the correction model's fields, as they stand before the change
    current = "".join(f", i.{k}" for k in changes)
    row = (
        await db_session.execute(
            text(f"""
            SELECT i.inspector_id, i.received_at, i.edit_count{current}
            FROM {asset.inspections} i JOIN {asset.table} m ON m.id = i.{asset.fk}
            WHERE i.id = :id AND m.code = :code FOR UPDATE OF i"""),
            {"id": inspection_id, "code": code},
        )
    ).first()
    if row is None:
        raise NotFound(
            f"No visit {inspection_id} to {asset.noun} '{code}'.",
            f"{asset.label_zh}“{code}”没有巡查记录 {inspection_id}。",
        )
    if if_match is not None and if_match != visit_etag(row.edit_count):
        raise PreconditionFailed(
            "The visit was corrected meanwhile; reload it and correct it again.",
            "该巡查记录已被修改，请刷新后再改。",
        )
    may_change_visit(row, actor, window)
    before = {k: getattr(row, k) for k in changes}
    changed = {k: v for k, v in changes.items() if before[k] != v}
    if changed:
        await db_session.execute(
            text(f"""
            UPDATE {asset.inspections} SET {", ".join(f"{k} = :{k}" for k in changed)},
                   edit_count = edit_count + 1, edited_at = now(), edited_by = :actor
            WHERE id = :id"""),
            changed | {"actor": actor.id, "id": inspection_id},
        )
        await audit.record(
            db_session,
            by=actor,
            action="correct",
            entity=asset.inspections,
            entity_id=inspection_id,
            before={k: before[k] for k in changed},
            after=changed | {"reason": correction.reason},
        )
    return await inspection_out(db_session, asset, inspection_id=inspection_id)


def _banner_sql(asset: InspectedAsset) -> str:
    """Whether asset `m` lies in banner :banner: a marker by the line it stands on (a line
    between two banners belongs to both), any other asset by its position."""
    if asset.line_column:
        return f"split_part(m.{asset.line_column}, '-', 1) = :banner OR split_part(m.{asset.line_column}, '-', 2) = :banner"
    return """EXISTS (SELECT 1 FROM admin_unit u WHERE u.code = :banner AND u.valid_to IS NULL
                      AND ST_Intersects(u.geom, m.geom))"""


async def list_repairs(
    db_session: AsyncSession,
    asset: InspectedAsset,
    *,
    status: str | None,
    line: str | None = None,
    banner: str | None = None,
    assignee: str | None = None,
    me: AppUser | None = None,
    within: str | None = None,
) -> list[dict]:
    """Repair orders with where the asset stands and how old the order is. Filtered by
    status, line, banner and assignee; the caller's own orders come first, then the
    oldest open ones (the longest waiting), then the newest closed ones."""
    line_sql = f"m.{asset.line_column}" if asset.line_column else "NULL"
    rows = await db_session.execute(
        text(f"""
        SELECT r.id, m.code AS {asset.code_key}, r.reason, r.status, r.resolution, r.opened_at,
               r.closed_at, u.username AS closed_by, r.notes, r.opened_by_inspection,
               a.username AS assigned_to, r.assigned_at, {line_sql} AS line_code,
               ST_X(m.geom) AS lon, ST_Y(m.geom) AS lat,
               floor(extract(epoch FROM (COALESCE(r.closed_at, now()) - r.opened_at)) / 86400)::int AS age_days
        FROM {asset.repairs} r JOIN {asset.table} m ON m.id = r.{asset.fk}
        LEFT JOIN app_user u ON u.id = r.closed_by
        LEFT JOIN app_user a ON a.id = r.assigned_to
        WHERE (CAST(:status AS text) IS NULL OR r.status = :status)
          AND (CAST(:line AS text) IS NULL OR {line_sql} = :line)
          AND (CAST(:banner AS text) IS NULL OR {_banner_sql(asset)})
          AND (CAST(:assignee AS text) IS NULL OR a.username = :assignee)
          AND units_within({asset.units_sql}, CAST(:within AS text))
        ORDER BY (r.assigned_to IS NOT DISTINCT FROM CAST(:me AS bigint)) DESC, r.status = 'closed',
                 CASE WHEN r.status = 'open' THEN r.opened_at END ASC, r.closed_at DESC, r.id
        LIMIT 1000"""),
        {
            "status": status,
            "line": line,
            "banner": banner,
            "assignee": assignee,
            "me": me.id if me else None,
            "within": within,
        },
    )
    return [dict(r._mapping) for r in rows]


async def assign_repair(
    db_session: AsyncSession, asset: InspectedAsset, *, repair_id: int, assignee: str | None, actor: AppUser
) -> dict:
    """Give an open repair order to an inspector whose unit covers the asset (or take it
    back with None)."""
    await _require_repair_within(db_session, asset, repair_id, actor)
    user_id = None
    if assignee is not None:
        user = (
            await db_session.execute(
                text("SELECT id, role, is_active, unit_code FROM app_user WHERE username = :u"),
                {"u": assignee},
            )
        ).first()
        if user is None or not user.is_active or not roles.holds(user.role, asset.capability):
            raise BadRequest(f"'{assignee}' is not an active inspector.", f"“{assignee}”不是在职的巡查员。")
        units = await _repair_units(db_session, asset, repair_id) if jurisdiction.bounded(user) else None
        if units is not None and not any(jurisdiction.covers(user, u) for u in units):
            raise BadRequest(
                f"'{assignee}' works in {user.unit_code}, which does not cover repair order {repair_id} "
                f"({', '.join(units)}).",
                f"“{assignee}”所属单位 {user.unit_code} 的辖区不含维修单 {repair_id}（{'、'.join(units)}）。",
            )
        user_id = user.id
    row = (
        await db_session.execute(
            text(f"""
            UPDATE {asset.repairs} SET assigned_to = :user, assigned_by = :actor,
                   assigned_at = CASE WHEN CAST(:user AS bigint) IS NULL THEN NULL ELSE now() END
            WHERE id = :id AND status = 'open'
            RETURNING id, assigned_at"""),
            {"user": user_id, "actor": actor.id, "id": repair_id},
        )
    ).first()
    if row is None:
        await _missing_or_closed(db_session, asset, repair_id)
    await audit.record(
        db_session,
        by=actor,
        action="assign",
        entity=asset.repairs,
        entity_id=str(repair_id),
        after={"assigned_to": assignee},
    )
    return {"id": repair_id, "assigned_to": assignee, "assigned_at": row.assigned_at}


async def _missing_or_closed(db_session: AsyncSession, asset: InspectedAsset, repair_id: int):
    exists = await db_session.scalar(
        text(f"SELECT status FROM {asset.repairs} WHERE id = :id"), {"id": repair_id}
    )
    if exists is None:
        raise NotFound(f"No repair order {repair_id}.", f"维修单 {repair_id} 不存在。")
    raise Conflict(f"Repair order {repair_id} is already closed.", f"维修单 {repair_id} 已关闭。")


async def _check_work_time(
    db_session: AsyncSession, asset: InspectedAsset, repair_id: int, closed_at: datetime
) -> None:
    """The phone's time of the work lies between the repair's opening and now (each with
    the clock-skew allowance): a wrong clock is refused rather than recorded."""
    if closed_at > datetime.now(UTC) + MAX_CLOCK_SKEW:
        raise BadRequest(
            "closed_at is in the future; check the phone's clock.",
            "维修完成时间晚于当前时间，请检查手机时间。",
        )
    opened = await db_session.scalar(
        text(f"SELECT opened_at FROM {asset.repairs} WHERE id = :id"), {"id": repair_id}
    )
    if opened is not None and closed_at < opened - MAX_CLOCK_SKEW:
        raise BadRequest(
            f"closed_at is before repair order {repair_id} was opened ({opened.isoformat()}); check the phone's clock.",
            f"维修完成时间早于维修单 {repair_id} 的创建时间（{opened.isoformat()}），请检查手机时间。",
        )


async def _may_close(db_session: AsyncSession, asset: InspectedAsset, repair_id: int, actor: AppUser) -> None:
    """An assigned order is closed by its assignee or an administrator; an unassigned one
    by any inspector."""
    assignee = (
        await db_session.execute(
            text(f"""SELECT u.id, u.username FROM {asset.repairs} r JOIN app_user u ON u.id = r.assigned_to
                     WHERE r.id = :id AND r.status = 'open' FOR UPDATE OF r"""),
            {"id": repair_id},
        )
    ).first()
    if assignee is not None and assignee.id != actor.id and not roles.holds(actor.role, "administration"):
        raise Forbidden(
            f"Repair order {repair_id} is assigned to {assignee.username}; only they or an administrator close it.",
            f"维修单 {repair_id} 已指派给 {assignee.username}，只有其本人或管理员可以关闭。",
        )
    await _require_repair_within(db_session, asset, repair_id, actor)


async def _repair_units(db_session: AsyncSession, asset: InspectedAsset, repair_id: int) -> list[str] | None:
    """The units of a repair order's asset (None: no such order)."""
    return await db_session.scalar(
        text(f"""SELECT {asset.units_sql} FROM {asset.repairs} r JOIN {asset.table} m ON m.id = r.{asset.fk}
                 WHERE r.id = :id"""),
        {"id": repair_id},
    )


async def _require_repair_within(
    db_session: AsyncSession, asset: InspectedAsset, repair_id: int, user
) -> None:
    """403 when the repaired asset lies outside the user's unit (auth/jurisdiction.py)."""
    if not jurisdiction.bounded(user):
        return
    units = await _repair_units(db_session, asset, repair_id)
    if units is not None:
        what = (f"Repair order {repair_id}", f"维修单 {repair_id}")
        jurisdiction.require_within(user, units, what)


def _closing(repair_id: int, resolution: str, visit: dict, **extra) -> dict:
    return {
        "id": repair_id,
        "status": "closed",
        "resolution": resolution,
        "visit": {k: visit[k] for k in ("id", "condition", "observed_at", "is_current")},
        **extra,
    }


async def _closed_before(
    db_session: AsyncSession, asset: InspectedAsset, repair_id: int, visit_id, actor: AppUser
):
    """The first answer, when this closing (same visit id, same closer) was sent before."""
    again = (
        await db_session.execute(
            text(f"""SELECT resolution, closing_inspection, closed_by FROM {asset.repairs}
                     WHERE id = :id AND status = 'closed'"""),
            {"id": repair_id},
        )
    ).first()
    if again is None or again.closing_inspection != visit_id or again.closed_by != actor.id:
        return None
    visit = await inspection_out(db_session, asset, inspection_id=str(visit_id))
    return _closing(repair_id, again.resolution, visit, duplicate=True)


async def close_repair(
    db_session: AsyncSession,
    asset: InspectedAsset,
    *,
    repair_id: int,
    resolution: str,
    notes: str | None,
    condition_after: str,
    actor: AppUser,
    visit_id: uuid.UUID | None = None,
    closed_at: datetime | None = None,
    gnss: GnssFix | None = None,
) -> dict:
    """Close a repair and record the asset's condition after the work as a visit by the
    closer, so the asset's current condition (its latest visit) shows the repair. The
    work's time and position (`closed_at`, `gnss`) come from the phone when it sends
    them; within the clock-skew allowance of the repair's opening, the opening's time is
    kept. A closing sent again with the same `visit_id` answers as the first time."""
    visit_id = visit_id or uuid.uuid4()
    await _may_close(db_session, asset, repair_id, actor)
    if closed_at is not None:
        await _check_work_time(db_session, asset, repair_id, closed_at)
    closed = (
        await db_session.execute(
            text(f"""
            UPDATE {asset.repairs} r SET status = 'closed', resolution = :resolution, notes = :notes,
                   closed_at = GREATEST(COALESCE(CAST(:closed_at AS timestamptz), now()), r.opened_at),
                   closed_by = :actor, closing_inspection = :visit
            FROM {asset.table} m
            WHERE r.id = :id AND r.status = 'open' AND m.id = r.{asset.fk}
            RETURNING m.code, r.closed_at"""),
            {
                "resolution": resolution,
                "notes": notes,
                "actor": actor.id,
                "id": repair_id,
                "visit": visit_id,
                "closed_at": closed_at,
            },
        )
    ).first()
    if closed is None:
        if (again := await _closed_before(db_session, asset, repair_id, visit_id, actor)) is not None:
            return again
        await _missing_or_closed(db_session, asset, repair_id)
    await audit.record(
        db_session,
        by=actor,
        action="close",
        entity=asset.repairs,
        entity_id=str(repair_id),
        before={"status": "open"},
        after={"status": "closed", "resolution": resolution, "notes": notes},
    )
    visit = InspectionIn(
        id=visit_id,
        condition=condition_after,
        observed_at=closed.closed_at,
        gnss=gnss,
        notes=f"维修单 {repair_id} 已关闭 / repair order {repair_id} closed: {resolution}"
        + (f" — {notes}" if notes else ""),
    )
    recorded = await record_inspection(db_session, asset, code=closed.code, body=visit, inspector=actor)
    return _closing(repair_id, resolution, recorded)


async def attach_photos(
    db_session: AsyncSession,
    asset: InspectedAsset,
    *,
    inspection_id: str,
    photos: list[tuple[StoredPhoto, float | None]],
    actor: AppUser,
    window: timedelta,
) -> list[dict]:
    """Link stored photos to a visit (idempotent per photo: the same bytes link once),
    under the same rule as a correction: the visit's inspector within the window, or an
    administrator."""
    visit = (
        await db_session.execute(
            text(f"SELECT inspector_id, received_at FROM {asset.inspections} WHERE id = :id FOR UPDATE"),
            {"id": inspection_id},
        )
    ).first()
    if visit is None:
        raise NotFound(f"No visit {inspection_id}.", f"巡查记录 {inspection_id} 不存在。")
    may_change_visit(visit, actor, window)
    out = []
    for photo, bearing in photos:
        described = await photo_records.register(db_session, photo, actor)
        await db_session.execute(
            text(f"""
            INSERT INTO {asset.photos} (inspection_id, photo_sha256, camera_bearing_deg)
            VALUES (:i, :sha, :bearing) ON CONFLICT DO NOTHING"""),
            {"i": inspection_id, "sha": photo.sha256, "bearing": bearing},
        )
        out.append(described | {"camera_bearing_deg": bearing})
    if out:
        await audit.record(
            db_session,
            by=actor,
            action="add_photos",
            entity=asset.inspections,
            entity_id=inspection_id,
            after={"photos": [p["sha256"] for p in out]},
        )
    return out
