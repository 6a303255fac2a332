"""The boundary dispute register (界线纠纷): location, area, parties, status, timeline."""

from __future__ import annotations

import json
from datetime import date

from fastapi.encoders import jsonable_encoder as jsonable
from pydantic import ValidationError
from shapely.geometry import mapping
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth.jurisdiction import require_within
from gis_service.auth.models import AppUser
from gis_service.core.errors import BadRequest, Conflict, NotFound, invalid_fields
from gis_service.disputes.schemas import DisputeEdit, DisputeIn, EventIn
from gis_service.file_intake.geojson_input import parse_geometry

# What may follow what: a dispute moves forward, or back to investigation when new
# facts appear; a closed dispute stays closed.
NEXT = {
    "reported": {"investigating", "negotiating", "resolved"},
    "investigating": {"negotiating", "resolved"},
    "negotiating": {"investigating", "resolved"},
    "resolved": {"closed", "investigating"},
    "closed": set(),
}

_FEATURE = """json_build_object('type', 'Feature', 'id', d.id, 'geometry', ST_AsGeoJSON(d.geom, 7, 0)::json,
  'properties', json_build_object('id', d.id, 'title', d.title, 'line_code', d.line_code, 'parties', d.parties,
     'status', d.status, 'description', d.description, 'opened_on', d.opened_on,
     'area_m2', round(d.area_m2::numeric, 1)))::text"""


async def _check_units(db_session: AsyncSession, codes: list[str]) -> None:
    found = set(
        await db_session.scalars(
            text("SELECT code FROM admin_unit WHERE code = ANY(:c) AND valid_to IS NULL"), {"c": codes}
        )
    )
    missing = [c for c in codes if c not in found]
    if missing:
        raise BadRequest(
            f"Unknown party unit code(s): {', '.join(missing)}.",
            f"未知的当事方区划代码：{'、'.join(missing)}。",
        )


async def create(db_session: AsyncSession, *, body: DisputeIn, actor: AppUser) -> int:
    geom = parse_geometry(body.geometry, ("Polygon", "MultiPolygon"))  # an area, as the layer declares
    await _check_units(db_session, body.parties)
    require_within(actor, body.parties, ("The dispute", "该纠纷"))
    dispute_id = await db_session.scalar(
        text("""
        INSERT INTO boundary_dispute (title, line_code, parties, description, geom, opened_on, created_by)
        VALUES (:title, :line_code, :parties, :description, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(:g), 4490)),
                :opened_on, :by)
        RETURNING id"""),  # area_m2 is set by the table's trigger
        {**body.model_dump(exclude={"geometry"}), "g": json.dumps(mapping(geom)), "by": actor.id},
    )
    await db_session.execute(
        text("""
        INSERT INTO dispute_event (dispute_id, happened_on, kind, description, new_status, recorded_by)
        VALUES (:id, :d, 'reported', :desc, 'reported', :by)"""),
        {"id": dispute_id, "d": body.opened_on, "desc": body.title, "by": actor.id},
    )
    await audit.record(
        db_session,
        by=actor,
        action="create",
        entity="boundary_dispute",
        entity_id=str(dispute_id),
        after=body.model_dump(mode="json", exclude={"geometry"}),
    )
    return dispute_id


async def get(db_session: AsyncSession, *, dispute_id: int, within: str | None = None) -> dict:
    feature = await db_session.scalar(
        text(f"SELECT {_FEATURE} FROM boundary_dispute d WHERE d.id = :id AND units_within(d.parties, :w)"),
        {"id": dispute_id, "w": within},
    )
    if feature is None:
        raise NotFound(f"No dispute {dispute_id}.", f"纠纷 {dispute_id} 不存在。")
    out = json.loads(feature)
    events = await db_session.execute(
        text("""
        SELECT e.happened_on, e.kind, e.description, e.new_status, u.username AS recorded_by, e.recorded_at
        FROM dispute_event e LEFT JOIN app_user u ON u.id = e.recorded_by
        WHERE e.dispute_id = :id ORDER BY e.happened_on, e.id"""),
        {"id": dispute_id},
    )
    out["timeline"] = [dict(e._mapping) for e in events]
    return out


async def add_event(db_session: AsyncSession, *, dispute_id: int, body: EventIn, actor: AppUser) -> None:
    found = (
        await db_session.execute(
            text("SELECT status, parties FROM boundary_dispute WHERE id = :id FOR UPDATE"), {"id": dispute_id}
        )
    ).first()
    if found is None:
        raise NotFound(f"No dispute {dispute_id}.", f"纠纷 {dispute_id} 不存在。")
    require_within(actor, found.parties, (f"Dispute {dispute_id}", f"纠纷 {dispute_id}"))
    current = found.status
    if current == "closed":
        raise Conflict(
            "The dispute is closed; its timeline can no longer change.", "纠纷已结案，时间线不能再修改。"
        )
    if body.new_status and body.new_status != current and body.new_status not in NEXT[current]:
        raise Conflict(
            f"A dispute cannot go from {current} to {body.new_status}; next can be: "
            f"{', '.join(sorted(NEXT[current]))}.",
            f"纠纷不能从 {current} 变为 {body.new_status}；可选：{'、'.join(sorted(NEXT[current]))}。",
        )
    await db_session.execute(
        text("""
        INSERT INTO dispute_event (dispute_id, happened_on, kind, description, new_status, recorded_by)
        VALUES (:id, :happened_on, :kind, :description, :new_status, :by)"""),
        {**body.model_dump(), "id": dispute_id, "by": actor.id},
    )
    if body.new_status and body.new_status != current:
        await db_session.execute(
            text("UPDATE boundary_dispute SET status = :s WHERE id = :id"),
            {"s": body.new_status, "id": dispute_id},
        )
    await audit.record(
        db_session,
        by=actor,
        action="add_event",
        entity="boundary_dispute",
        entity_id=str(dispute_id),
        before={"status": current},
        after=body.model_dump(mode="json"),
    )


async def edit(
    db_session: AsyncSession, *, dispute_id: int, changes: dict, geometry: dict | None, actor: AppUser
) -> None:
    """Change a dispute's record (from an OGC client): the same rules as the register's.
    A closed dispute does not change; a new status moves only as NEXT allows and is
    recorded on the timeline as a status change."""
    current = await db_session.scalar(
        text("SELECT status FROM boundary_dispute WHERE id = :id FOR UPDATE"), {"id": dispute_id}
    )
    if current is None:
        raise NotFound(f"No dispute {dispute_id}.", f"纠纷 {dispute_id} 不存在。")
    if current == "closed":
        raise Conflict("The dispute is closed; it can no longer change.", "纠纷已结案，不能再修改。")
    try:
        checked = DisputeEdit.model_validate(changes).model_dump(exclude_unset=True)
    except ValidationError as exc:
        raise invalid_fields(exc) from None
    new_status = checked.pop("status", None)
    if checked.get("parties") is not None:
        await _check_units(db_session, checked["parties"])
    if new_status and new_status != current:
        await add_event(
            db_session,
            dispute_id=dispute_id,
            body=EventIn(
                happened_on=date.today(), kind="status_change", description="edited", new_status=new_status
            ),
            actor=actor,
        )
    sets = [f"{name} = :{name}" for name in checked]
    if geometry is not None:
        parse_geometry(geometry, ("Polygon", "MultiPolygon"))
        sets.append("geom = ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(:g), 4490))")
    if sets:
        await db_session.execute(
            text(f"UPDATE boundary_dispute SET {', '.join(sets)} WHERE id = :id"),
            {**checked, "g": json.dumps(geometry) if geometry else None, "id": dispute_id},
        )
    await audit.record(
        db_session,
        by=actor,
        action="update",
        entity="boundary_dispute",
        entity_id=str(dispute_id),
        before={"status": current},
        after={**jsonable(checked), "status": new_status or current, "geometry": geometry},
    )


def refuse_delete(dispute_id: int) -> Conflict:
    return Conflict(
        f"Dispute {dispute_id} cannot be deleted: its timeline is the record. Close it with an event.",
        f"纠纷 {dispute_id} 不能删除：时间线即档案。请通过事件结案。",
    )
