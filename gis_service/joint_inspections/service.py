"""Joint inspections (联合检查) of boundary lines: rounds, findings per marker, the
due/overdue list and the round report."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth.jurisdiction import line_units, require_readable
from gis_service.auth.models import AppUser
from gis_service.core.errors import BadRequest, Conflict, NotFound
from gis_service.joint_inspections import parties, tracks
from gis_service.joint_inspections.schemas import FindingIn, RoundIn, SignatureIn


async def due_list(
    db_session: AsyncSession, *, years: dict[str, int], soon_days: int, today: date, within: str | None = None
) -> list[dict]:
    """Every current line with its last completed round and when the next one is due."""
    rows = await db_session.execute(
        text("""
        WITH last AS (SELECT line_code, max(completed_on) AS last_completed FROM inspection_round
                      WHERE status = 'completed' GROUP BY line_code),
        lines AS (SELECT l.code, l.name, l.level, last.last_completed,
                         (CAST(:years AS jsonb) ->> l.level)::int AS interval_years
                  FROM boundary_line l LEFT JOIN last ON last.line_code = l.code
                  WHERE l.valid_to IS NULL AND units_within(l.code, CAST(:within AS text)))
        SELECT code, name, level, last_completed, interval_years,
               (last_completed + make_interval(years => interval_years))::date AS due_on,
               (SELECT min(planned_on) FROM inspection_round r WHERE r.line_code = lines.code
                 AND r.status = 'planned') AS next_planned
        FROM lines WHERE interval_years IS NOT NULL"""),
        {"years": json.dumps(years), "within": within},
    )
    out = []
    for r in rows:
        d = dict(r._mapping)
        if d["due_on"] is None:
            d["status"] = "never_inspected"
        elif d["due_on"] < today:
            d["status"] = "overdue"
        elif (d["due_on"] - today).days <= soon_days:
            d["status"] = "due_soon"
        else:
            d["status"] = "ok"
        out.append(d)
    order = {"overdue": 0, "never_inspected": 1, "due_soon": 2, "ok": 3}
    return sorted(out, key=lambda d: (order[d["status"]], d["due_on"] or date.min, d["code"]))


async def create_round(db_session: AsyncSession, *, body: RoundIn, actor: AppUser) -> int:
    exists = await db_session.scalar(
        text("SELECT true FROM boundary_line WHERE code = :c AND valid_to IS NULL"), {"c": body.line_code}
    )
    if not exists:
        raise NotFound(f"No boundary line '{body.line_code}'.", f"界线“{body.line_code}”不存在。")
    parties.require_party(actor, body.line_code)
    round_id = await db_session.scalar(
        text("""
        INSERT INTO inspection_round (line_code, kind, reason, planned_on, sides, lead, created_by)
        VALUES (:line_code, :kind, :reason, :planned_on, :sides, :lead, :by) RETURNING id"""),
        {**body.model_dump(), "by": actor.id},
    )
    await audit.record(
        db_session,
        by=actor,
        action="create",
        entity="inspection_round",
        entity_id=str(round_id),
        after=body.model_dump(mode="json"),
    )
    return round_id


async def _round_row(db_session: AsyncSession, round_id: int, *, for_update: bool = False):
    row = (
        await db_session.execute(
            text("SELECT * FROM inspection_round WHERE id = :id" + (" FOR UPDATE" if for_update else "")),
            {"id": round_id},
        )
    ).first()
    if row is None:
        raise NotFound(f"No inspection round {round_id}.", f"联合检查 {round_id} 不存在。")
    return row


async def add_finding(
    db_session: AsyncSession, *, round_id: int, body: FindingIn, actor: AppUser
) -> tuple[int, bool]:
    """Record a finding for the side the actor acts for; (its id, whether it was stored
    before: the same id from the phone's outbox again)."""
    if body.id is not None:
        stored = await db_session.scalar(
            text("SELECT id FROM inspection_finding WHERE client_id = :c AND round_id = :r"),
            {"c": body.id, "r": round_id},
        )
        if stored is not None:
            return stored, True
    r = await _round_row(db_session, round_id, for_update=True)
    side = parties.acting_side(actor, r.line_code, body.side)
    parties.refuse_if_signed(round_id, side, await parties.signed_sides(db_session, round_id))
    if r.status != "planned":
        raise Conflict(
            f"Round {round_id} is {r.status}; findings can no longer be added.",
            f"联合检查 {round_id} 状态为 {r.status}，不能再添加发现。",
        )
    if body.marker_code:
        line = await db_session.scalar(
            text("SELECT line_code FROM boundary_marker WHERE code = :c"), {"c": body.marker_code}
        )
        if line is None:
            raise BadRequest(f"No marker '{body.marker_code}'.", f"界桩“{body.marker_code}”不存在。")
        if line != r.line_code:
            raise BadRequest(
                f"Marker {body.marker_code} is on line {line}, not {r.line_code}.",
                f"界桩 {body.marker_code} 属于界线 {line}，而非 {r.line_code}。",
            )
    finding_id = await db_session.scalar(
        text("""
        INSERT INTO inspection_finding
            (round_id, marker_code, condition, finding, action_required, recorded_by, side, client_id)
        VALUES (:round_id, :marker_code, :condition, :finding, :action_required, :by, :side, :client_id)
        RETURNING id"""),
        {
            **body.model_dump(exclude={"id"}),
            "round_id": round_id,
            "by": actor.id,
            "side": side,
            "client_id": body.id,
        },
    )
    await audit.record(
        db_session,
        by=actor,
        action="create",
        entity="inspection_finding",
        entity_id=str(finding_id),
        after={"round": round_id, **body.model_dump(mode="json", exclude={"id"}), "side": side},
    )
    return finding_id, False


async def sign(db_session: AsyncSession, *, round_id: int, body: SignatureIn, actor: AppUser) -> dict:
    """A side signs its part of a planned round (once; its findings are closed then)."""
    r = await _round_row(db_session, round_id, for_update=True)
    if r.status != "planned":
        raise Conflict(f"Round {round_id} is {r.status}.", f"联合检查 {round_id} 状态为 {r.status}。")
    side, again = await parties.sign(
        db_session,
        round_id=round_id,
        line_code=r.line_code,
        side=body.side,
        signer_name=body.signer_name,
        statement=body.statement,
        actor=actor,
    )
    if not again:
        await audit.record(
            db_session,
            by=actor,
            action="sign",
            entity="inspection_round",
            entity_id=str(round_id),
            after={"side": side, "signer_name": body.signer_name, "statement": body.statement},
        )
    return {"round_id": round_id, "side": side, "duplicate": again}


async def complete_round(
    db_session: AsyncSession, *, round_id: int, completed_on: date, notes: str | None, actor: AppUser
) -> None:
    r = await _round_row(db_session, round_id, for_update=True)
    if r.status != "planned":
        raise Conflict(
            f"Round {round_id} is already {r.status}.", f"联合检查 {round_id} 状态已为 {r.status}。"
        )
    if completed_on > date.today():
        raise BadRequest("completed_on is in the future.", "完成日期晚于今天。")
    parties.require_party(actor, r.line_code)
    await parties.require_all_signed(db_session, round_id=round_id, line_code=r.line_code)
    await db_session.execute(
        text(
            "UPDATE inspection_round SET status = 'completed', completed_on = :d,"
            " report_notes = :n WHERE id = :id"
        ),
        {"d": completed_on, "n": notes, "id": round_id},
    )
    await audit.record(
        db_session,
        by=actor,
        action="complete",
        entity="inspection_round",
        entity_id=str(round_id),
        before={"status": "planned"},
        after={"status": "completed", "completed_on": str(completed_on)},
    )


async def list_rounds(db_session: AsyncSession, *, line: str | None, within: str | None = None) -> list[dict]:
    rows = await db_session.execute(
        text("""
        SELECT r.id, r.line_code, l.name AS line_name, r.kind, r.reason, r.planned_on, r.completed_on, r.status,
               r.sides, r.lead, (SELECT count(*) FROM inspection_finding f WHERE f.round_id = r.id) AS findings
        FROM inspection_round r LEFT JOIN boundary_line l ON l.code = r.line_code AND l.valid_to IS NULL
        WHERE (CAST(:line AS text) IS NULL OR r.line_code = :line)
          AND units_within(r.line_code, CAST(:within AS text))
        ORDER BY r.planned_on DESC, r.id DESC"""),
        {"line": line, "within": within},
    )
    return [dict(x._mapping) for x in rows]


async def round_report(db_session: AsyncSession, *, round_id: int, within: str | None = None) -> dict:
    """The round with its line and findings, in marker order: what the report shows."""
    r = await _round_row(db_session, round_id)
    require_readable(
        within, line_units(r.line_code), (f"Inspection round {round_id}", f"联合检查 {round_id}")
    )
    line = (
        await db_session.execute(
            text(
                "SELECT name, level, round(length_m::numeric / 1000, 2)::float8 AS length_km FROM boundary_line"
                " WHERE code = :c AND valid_to IS NULL"
            ),
            {"c": r.line_code},
        )
    ).first()
    findings = await db_session.execute(
        text("""
        SELECT f.id, f.side, f.marker_code, f.condition, f.finding, f.action_required,
               u.username AS recorded_by, f.recorded_at
        FROM inspection_finding f LEFT JOIN app_user u ON u.id = f.recorded_by
        LEFT JOIN boundary_marker m ON m.code = f.marker_code
        WHERE f.round_id = :id ORDER BY f.side NULLS FIRST, m.seq NULLS LAST, m.type_suffix, f.id"""),
        {"id": round_id},
    )
    markers = await db_session.scalar(
        text("SELECT count(*) FROM boundary_marker WHERE line_code = :c"), {"c": r.line_code}
    )
    return {
        "round": {k: v for k, v in r._mapping.items() if k != "created_by"},
        "line": dict(line._mapping) if line else None,
        "markers_on_line": markers,
        "parties": await parties.parties(db_session, round_id=round_id, line_code=r.line_code),
        "findings": [dict(f._mapping) for f in findings],
        "track": await tracks.summary(db_session, round_id=round_id),
    }
