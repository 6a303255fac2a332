"""The naming procedure for naming, renaming and cancellation requests:
application → review (expert opinion, consultation) → approval (approving body,
document number, date) → announcement → filing. A request may be rejected or withdrawn
before it is announced. Each move checks what its stage needs; the register changes
when the decision is announced, as a new version of the record."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth import jurisdiction
from gis_service.auth.models import AppUser
from gis_service.core.errors import BadRequest, Conflict, NotFound
from gis_service.placenames import approval, service
from gis_service.placenames.schemas import AdvanceIn, RequestIn

NEXT = {
    "application": {"review", "rejected", "withdrawn"},
    "review": {"approval", "rejected", "withdrawn"},
    "approval": {"announcement", "rejected", "withdrawn"},
    "announcement": {"filed"},
    "filed": set(),
    "rejected": set(),
    "withdrawn": set(),
}
# What each stage needs before a request may enter it (field: label).
NEEDS = {
    "approval": {"expert_opinion": "expert opinion", "consultation": "consultation record"},
    "announcement": {
        "approval_body": "approving body",
        "approval_document": "approval document number",
        "approval_date": "approval date",
    },
    "filed": {"announced_on": "announcement date"},
}
# The six items an announcement of a standard name must carry (docs/domain.md).
ANNOUNCEMENT_ITEMS = {
    "name": "standard name",
    "romanization": "romanisation",
    "admin_code": "admin unit",
    "location_description": "location description",
    "approval_body": "approving body",
    "approval_date": "approval date",
}

_SELECT = """SELECT id, kind, place_name_id, stage, proposal, applicant, reason, expert_opinion, consultation,
    approval_body, approval_document, approval_date, announced_on, filed_on, created_by, created_at, events
    FROM naming_request"""


async def get(db_session: AsyncSession, request_id: int, *, for_update: bool = False) -> dict:
    row = (
        await db_session.execute(
            text(_SELECT + " WHERE id = :id" + (" FOR UPDATE" if for_update else "")), {"id": request_id}
        )
    ).first()
    if row is None:
        raise NotFound(f"No naming request {request_id}.", f"命名申请 {request_id} 不存在。")
    return dict(row._mapping)


async def list_requests(
    db_session: AsyncSession,
    *,
    stage: str | None,
    user: AppUser,
    served_unit: str,
    waiting: bool = False,
    within: str | None = None,
) -> list[dict]:
    """The requests, each with who approves it and whose step is next; `waiting`: only
    those whose next step the user's bureau takes; `within`: those of the place's or the
    approving unit within it."""
    rows = await db_session.execute(
        text(_SELECT + " WHERE CAST(:stage AS text) IS NULL OR stage = :stage ORDER BY id DESC"),
        {"stage": stage},
    )
    requests = [dict(r._mapping) for r in rows]
    table = await approval.rules(db_session)
    targets = await _targets(db_session, [r["place_name_id"] for r in requests if r["place_name_id"]])
    out = []
    for r in requests:
        found = approval.approval_of(table, r, targets.get(r["place_name_id"]), served_unit)
        if not jurisdiction.readable(within, [found.place_unit, found.approving_unit]):
            continue
        described = r | found.describe(r["stage"], user)
        if described["yours"] or not waiting:
            out.append(described)
    return out


async def _targets(db_session: AsyncSession, ids: list[int]) -> dict[int, dict]:
    """What decides a request's approval, of the names it changes."""
    rows = await db_session.execute(
        text("SELECT id, admin_code, category_code, level FROM place_name WHERE id = ANY(:ids)"), {"ids": ids}
    )
    return {r.id: dict(r._mapping) for r in rows}


async def approval_for(db_session: AsyncSession, req: dict, served_unit: str) -> approval.Approval:
    targets = await _targets(db_session, [req["place_name_id"]] if req["place_name_id"] else [])
    return approval.approval_of(
        await approval.rules(db_session), req, targets.get(req["place_name_id"]), served_unit
    )


async def described(
    db_session: AsyncSession, req: dict, user: AppUser, served_unit: str, within: str | None = None
) -> dict:
    """A request with who approves it and whose step is next (404 for a caller whose reads
    `within` holds neither the place's unit nor the approving one)."""
    found = await approval_for(db_session, req, served_unit)
    what = (f"Naming request {req['id']}", f"命名申请 {req['id']}")
    jurisdiction.require_readable(within, [found.place_unit, found.approving_unit], what)
    return req | found.describe(req["stage"], user)


async def create(db_session: AsyncSession, body: RequestIn, actor: AppUser) -> dict:
    proposal = body.proposal.model_dump(exclude_none=True, mode="json")
    if body.kind == "naming":
        if body.place_name_id is not None:
            raise BadRequest(
                "A naming request names a new place: leave place_name_id out.",
                "命名申请针对新地名，请勿填写 place_name_id。",
            )
        missing = [f for f in ("name", "level", "admin_code") if not proposal.get(f)]
        if missing:
            raise BadRequest(
                f"A naming request needs proposal fields: {', '.join(missing)}.",
                f"命名申请缺少拟用字段：{'、'.join(missing)}。",
            )
        jurisdiction.require_within(
            actor, [proposal["admin_code"]], ("The proposed name's unit", "拟命名地名所在单位")
        )
    else:
        if body.place_name_id is None:
            raise BadRequest(
                f"A {body.kind} request needs the place_name_id of the name it changes.",
                "更名或销名申请须指明地名 place_name_id。",
            )
        target = await service.get(db_session, body.place_name_id)
        what = (f"Place name {body.place_name_id}", f"地名 {body.place_name_id}")
        jurisdiction.require_within(actor, [target["admin_code"]], what)
        if body.kind == "renaming" and not proposal.get("name"):
            raise BadRequest(
                "A renaming request needs the proposed name (proposal.name).",
                "更名申请须填写拟用名称（proposal.name）。",
            )
    event = {
        "at": date.today().isoformat(),
        "by": actor.username,
        "stage": "application",
        "note": body.reason,
    }
    request_id = await db_session.scalar(
        text("""INSERT INTO naming_request (kind, place_name_id, proposal, applicant, reason, created_by, events)
                VALUES (:kind, :pid, CAST(:proposal AS jsonb), :applicant, :reason, :by, CAST(:events AS jsonb))
                RETURNING id"""),
        {
            "kind": body.kind,
            "pid": body.place_name_id,
            "proposal": json.dumps(proposal),
            "applicant": body.applicant,
            "reason": body.reason,
            "by": actor.username,
            "events": json.dumps([event]),
        },
    )
    await audit.record(
        db_session,
        by=actor,
        action="create",
        entity="naming_request",
        entity_id=str(request_id),
        after={"kind": body.kind, "place_name_id": body.place_name_id},
    )
    return await get(db_session, request_id)


async def advance(
    db_session: AsyncSession, request_id: int, body: AdvanceIn, actor: AppUser, served_unit: str
) -> dict:
    """Take the request's next step: by the bureau of the place's unit while it is prepared,
    by the approving unit's from approval on (placenames/approval.py)."""
    req = await get(db_session, request_id, for_update=True)
    approval.require_step(
        actor, await approval_for(db_session, req, served_unit), req["stage"], body.to, request_id
    )
    if body.to not in NEXT[req["stage"]]:
        allowed = ", ".join(sorted(NEXT[req["stage"]])) or "none (the request is closed)"
        raise Conflict(
            f"A request at '{req['stage']}' cannot move to '{body.to}'; next steps: {allowed}.",
            f"处于“{req['stage']}”阶段的申请不能转到“{body.to}”。",
        )
    updates = body.model_dump(
        exclude_none=True, exclude={"to", "note", "proposal", "waiver_reason"}, mode="json"
    )
    proposal = dict(req["proposal"])
    if body.proposal is not None:
        proposal |= body.proposal.model_dump(exclude_none=True, mode="json")
    state = {**req, **updates}
    missing = [label for field, label in NEEDS.get(body.to, {}).items() if not state.get(field)]
    if body.to == "announcement" and req["kind"] != "cancellation":
        record = await _target_record(db_session, req)
        announced = {**record, **proposal, **{k: state.get(k) for k in ("approval_body", "approval_date")}}
        missing += [
            label
            for field, label in ANNOUNCEMENT_ITEMS.items()
            if not announced.get(field) and label not in missing
        ]
    if missing:
        raise BadRequest(
            f"To move to '{body.to}' the request needs: {', '.join(missing)}.",
            f"转到“{body.to}”阶段还需要：{'、'.join(missing)}。",
        )
    events = list(req["events"]) + [
        {"at": date.today().isoformat(), "by": actor.username, "stage": body.to, "note": body.note}
    ]
    sets = ", ".join(f"{k} = :{k}" for k in updates)
    await db_session.execute(
        text(f"""UPDATE naming_request SET stage = :to, proposal = CAST(:proposal AS jsonb),
                 events = CAST(:events AS jsonb){", " + sets if sets else ""} WHERE id = :id"""),
        {
            **updates,
            "to": body.to,
            "proposal": json.dumps(proposal),
            "events": json.dumps(events),
            "id": request_id,
        },
    )
    if body.to == "announcement":
        await _apply(db_session, {**state, "proposal": proposal}, actor, waiver_reason=body.waiver_reason)
    await audit.record(
        db_session,
        by=actor,
        action="update",
        entity="naming_request",
        entity_id=str(request_id),
        before={"stage": req["stage"]},
        after={"stage": body.to},
    )
    return await get(db_session, request_id)


async def _target_record(db_session: AsyncSession, req: dict) -> dict:
    if req["place_name_id"] is None:
        return {}
    record = await service.get(db_session, req["place_name_id"])
    return {k: record[k] for k in service.FIELDS}


async def _apply(db_session: AsyncSession, req: dict, actor: AppUser, *, waiver_reason: str | None) -> None:
    """Write the announced decision into the register; its name is checked like any other."""
    reason = f"naming request {req['id']} ({req['kind']}), {req['approval_body']} {req['approval_document']}"
    approval = {k: req.get(k) for k in ("approval_body", "approval_document", "approval_date")}
    approval["approval_date"] = date.fromisoformat(str(approval["approval_date"]))
    proposal = {k: v for k, v in req["proposal"].items()}
    if req["kind"] == "naming":
        record = await service.create(
            db_session,
            values={**proposal, **approval, "status": "standard", "source": f"naming request {req['id']}"},
            actor=actor,
            reason=reason,
            waiver_reason=waiver_reason,
        )
        await db_session.execute(
            text("UPDATE naming_request SET place_name_id = :pid WHERE id = :id"),
            {"pid": record["id"], "id": req["id"]},
        )
        return
    changes = {**proposal, **approval}
    changes["status"] = "cancelled" if req["kind"] == "cancellation" else "standard"
    await service.update(
        db_session,
        req["place_name_id"],
        changes=changes,
        actor=actor,
        reason=reason,
        if_match=None,
        waiver_reason=waiver_reason,
    )
