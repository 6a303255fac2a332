"""The register itself: reading, creating and changing records, each change a version
with who, when, why and a diff, so a record can be read as it stood on any date."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth import jurisdiction
from gis_service.auth.models import AppUser
from gis_service.core.errors import NotFound, PreconditionFailed
from gis_service.file_intake.geojson_input import parse_geometry
from gis_service.placenames import name_guard
from gis_service.placenames.known_codes import check_references
from gis_service.placenames.naming import category_for, split_name
from gis_service.placenames.romanize import pinyin_keys

GEOMETRY_TYPES = ("Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
# The fields a version records; `geometry` is GeoJSON.
FIELDS = (
    "name",
    "specific_part",
    "generic_part",
    "romanization",
    "mongolian_script",
    "origin_language",
    "category_code",
    "level",
    "admin_code",
    "unit_code",
    "location_description",
    "meaning",
    "origin",
    "history",
    "former_names",
    "status",
    "approval_body",
    "approval_document",
    "approval_date",
    "source",
)
_SELECT = f"""
SELECT p.id, {", ".join("p." + f for f in FIELDS)}, p.version, p.updated_at, p.updated_by,
       ST_AsGeoJSON(p.geom, 7, 0)::json AS geometry,
       (SELECT name_zh FROM place_name_category c WHERE c.code = p.category_code) AS category_name,
       (SELECT name_en FROM place_name_category c WHERE c.code = p.category_code) AS category_name_en,
       (SELECT name FROM admin_unit a WHERE a.code = p.admin_code AND a.valid_to IS NULL) AS admin_name,
       (SELECT count(*) FROM place_name_finding f WHERE f.place_name_id = p.id AND f.status = 'open')
           AS open_findings
FROM place_name p"""


def etag(record: dict) -> str:
    return f'"v{record["version"]}"'


def _jsonable(record: dict) -> dict:
    return json.loads(json.dumps(record, default=str))


async def get(
    db_session: AsyncSession, place_id: int, *, for_update: bool = False, within: str | None = None
) -> dict:
    row = (
        await db_session.execute(
            text(_SELECT + " WHERE p.id = :id" + (" FOR UPDATE OF p" if for_update else "")), {"id": place_id}
        )
    ).first()
    if row is None:
        raise NotFound(f"No place name {place_id}.", f"地名 {place_id} 不存在。")
    jurisdiction.require_readable(within, [row.admin_code], (f"Place name {place_id}", f"地名 {place_id}"))
    return dict(row._mapping)


async def as_of(db_session: AsyncSession, place_id: int, at: datetime, within: str | None = None) -> dict:
    await get(db_session, place_id, within=within)
    row = (
        await db_session.execute(
            text("""SELECT version, valid_from, valid_to, changed_by, reason, record FROM place_name_version
                    WHERE place_name_id = :id AND valid_from <= :at AND (valid_to IS NULL OR valid_to > :at)"""),
            {"id": place_id, "at": at},
        )
    ).first()
    if row is None:
        raise NotFound(
            f"Place name {place_id} was not yet in the register at {at.isoformat()}.",
            f"{at.isoformat()} 时地名 {place_id} 尚未登记。",
        )
    return {
        "id": place_id,
        **row.record,
        "version": row.version,
        "valid_from": row.valid_from,
        "valid_to": row.valid_to,
        "changed_by": row.changed_by,
        "reason": row.reason,
    }


async def history(db_session: AsyncSession, place_id: int, within: str | None = None) -> list[dict]:
    await get(db_session, place_id, within=within)
    rows = await db_session.execute(
        text("""SELECT version, valid_from, valid_to, changed_by, reason, diff FROM place_name_version
                WHERE place_name_id = :id ORDER BY version DESC"""),
        {"id": place_id},
    )
    return [dict(r._mapping) for r in rows]


def _completed(values: dict) -> dict:
    """Fill what follows from the name: specific/generic parts, category, search keys."""
    out = dict(values)
    specific, generic = split_name(out["name"])
    out.setdefault("specific_part", None)
    out.setdefault("generic_part", None)
    out["specific_part"] = out["specific_part"] or specific
    out["generic_part"] = out["generic_part"] if out["generic_part"] is not None else generic
    if not out.get("category_code"):
        out["category_code"] = category_for(out["generic_part"], out.get("level"))
    out["pinyin"], out["initials"] = pinyin_keys(out["name"])
    return out


# A record as it stands, for its version row; built in SQL so that imports and edits
# snapshot records the same way.
SNAPSHOT = (
    "jsonb_build_object("
    + ", ".join(f"'{f}', p.{f}" for f in FIELDS)
    + ", 'geometry', ST_AsGeoJSON(p.geom, 7, 0)::jsonb)"
)


async def record_versions(
    db_session: AsyncSession,
    *,
    ids_sql: str,
    params: dict,
    actor: str,
    reason: str,
    diff: dict,
    valid_from: date | datetime | None = None,
) -> None:
    """Close the open version of each record selected by `ids_sql` and add its current
    state, in force from now, or from `valid_from` (the day an edition of the register
    describes; the audit log keeps when it was recorded)."""
    since = "now()" if valid_from is None else "CAST(:valid_from AS timestamptz)"
    params = {**params, "valid_from": valid_from}
    await db_session.execute(
        text(
            f"UPDATE place_name_version SET valid_to = {since}"
            f" WHERE valid_to IS NULL AND place_name_id IN ({ids_sql})"
        ),
        params,
    )
    await db_session.execute(
        text(f"""INSERT INTO place_name_version (place_name_id, version, changed_by, reason, record, diff, valid_from)
                 SELECT p.id, p.version, :by, :reason, {SNAPSHOT}, CAST(:diff AS jsonb), {since}
                 FROM place_name p WHERE p.id IN ({ids_sql})"""),
        {**params, "by": actor, "reason": reason, "diff": json.dumps(_jsonable(diff))},
    )


async def _record_version(
    db_session: AsyncSession,
    place_id: int,
    *,
    actor: str,
    reason: str,
    diff: dict,
    valid_from: datetime | None = None,
) -> dict:
    await record_versions(
        db_session,
        ids_sql=":id",
        params={"id": place_id},
        actor=actor,
        reason=reason,
        diff=diff,
        valid_from=valid_from,
    )
    return await get(db_session, place_id)


def _geometry_wkt(value: dict | None) -> str | None:
    return None if value is None else parse_geometry(value, GEOMETRY_TYPES).wkt


async def create(
    db_session: AsyncSession,
    *,
    values: dict,
    actor: AppUser | None,
    reason: str,
    waiver_reason: str | None = None,
) -> dict:
    """A new record as its first version. A name that breaks a prohibition is refused
    unless `waiver_reason` waives it (name_guard)."""
    values = _completed(values)
    jurisdiction.require_within(actor, [values.get("admin_code")], ("The name's unit", "该地名所在单位"))
    await check_references(db_session, values)
    waived = await name_guard.check_on_save(db_session, values, exclude_id=None, waiver_reason=waiver_reason)
    waiver = name_guard.waiver_note(waived, waiver_reason)
    geometry = values.pop("geometry", None)
    columns = [c for c in (*FIELDS, "pinyin", "initials") if values.get(c) is not None]
    place_id = await db_session.scalar(
        text(f"""INSERT INTO place_name ({", ".join(columns)}, geom, updated_by)
                 VALUES ({", ".join(":" + c for c in columns)},
                         ST_GeomFromText(CAST(:wkt AS text), 4490), :by) RETURNING id"""),
        {**{c: values[c] for c in columns}, "wkt": _geometry_wkt(geometry), "by": _who(actor)},
    )
    record = await _record_version(
        db_session, place_id, actor=_who(actor), reason=reason, diff={"created": True} | waiver
    )
    await name_guard.record_waived(db_session, place_id, waived, reason=waiver_reason, actor=_who(actor))
    await audit.record(
        db_session,
        by=actor,
        action="create",
        entity="place_name",
        entity_id=str(place_id),
        after={"name": record["name"], "reason": reason} | waiver,
    )
    return record


def _who(actor: AppUser | None) -> str:
    return actor.username if actor else "cli"


def _complete_changes(changes: dict, current: dict) -> dict:
    """The record as it will be; `changes` gains the parts derived again. A new name
    re-derives its parts unless they are given too, and the old name is kept as former."""
    if "name" in changes and changes["name"] != current["name"]:
        changes.setdefault("specific_part", None)
        changes.setdefault("generic_part", None)
        former = list(changes.get("former_names") or current["former_names"] or [])
        if current["name"] not in former:
            former.append(current["name"])
        changes["former_names"] = former
    completed = _completed({k: current[k] for k in FIELDS} | changes)
    for key in ("specific_part", "generic_part", "category_code"):
        if key in changes or completed[key] != current[key]:
            changes[key] = completed[key]
    return completed


async def _write_changes(
    db_session: AsyncSession, place_id: int, changes: dict, completed: dict, actor
) -> None:
    sets = [f"{k} = :{k}" for k in changes if k != "geometry"]
    params: dict[str, Any] = {k: v for k, v in changes.items() if k != "geometry"}
    if "geometry" in changes:
        sets.append("geom = ST_GeomFromText(CAST(:wkt AS text), 4490)")
        params["wkt"] = _geometry_wkt(changes["geometry"])
    sets += [
        "pinyin = :pinyin",
        "initials = :initials",
        "version = version + 1",
        "updated_at = now()",
        "updated_by = :by",
    ]
    params |= {
        "pinyin": completed["pinyin"],
        "initials": completed["initials"],
        "by": actor.username,
        "id": place_id,
    }
    await db_session.execute(text(f"UPDATE place_name SET {', '.join(sets)} WHERE id = :id"), params)


async def update(
    db_session: AsyncSession,
    place_id: int,
    *,
    changes: dict,
    actor: AppUser,
    reason: str,
    if_match: str | None,
    waiver_reason: str | None = None,
    valid_from: datetime | None = None,
) -> dict:
    """Apply changes as a new version (in force from now, or from `valid_from`). With
    If-Match, a stale version gets 412. A change of name, place or status is checked like
    a new name (name_guard)."""
    current = await get(db_session, place_id, for_update=True)
    if if_match is not None and if_match != etag(current):
        raise PreconditionFailed(
            f"The record changed since you read it (now version {current['version']}); reload and try again.",
            f"记录在您读取后已被修改（当前版本 {current['version']}），请刷新后重试。",
        )
    what = (f"Place name {place_id}", f"地名 {place_id}")
    jurisdiction.require_within(actor, [current["admin_code"]], what)
    if "admin_code" in changes:  # moved: it must land within the unit too
        jurisdiction.require_within(actor, [changes["admin_code"]], what)
    completed = _complete_changes(changes, current)
    await check_references(db_session, changes)
    waived: list = []
    if name_guard.touches_name(changes, current):
        waived = await name_guard.check_on_save(
            db_session, completed, exclude_id=place_id, waiver_reason=waiver_reason
        )
    diff = {k: {"before": current.get(k), "after": v} for k, v in changes.items() if v != current.get(k)}
    if not diff:
        return current
    await _write_changes(db_session, place_id, changes, completed, actor)
    waiver = name_guard.waiver_note(waived, waiver_reason)
    record = await _record_version(
        db_session, place_id, actor=actor.username, reason=reason, diff=diff | waiver, valid_from=valid_from
    )
    await name_guard.record_waived(db_session, place_id, waived, reason=waiver_reason, actor=actor.username)
    await audit.record(
        db_session,
        by=actor,
        action="update",
        entity="place_name",
        entity_id=str(place_id),
        before=_jsonable({k: v["before"] for k, v in diff.items() if k != "geometry"}),
        after=_jsonable(
            {k: v["after"] for k, v in diff.items() if k != "geometry"} | {"reason": reason} | waiver
        ),
    )
    return record


def feature(record: dict) -> dict:
    props = {k: v for k, v in record.items() if k != "geometry"}
    return {"type": "Feature", "id": record["id"], "geometry": record["geometry"], "properties": props}


async def categories(db_session: AsyncSession) -> list[dict]:
    rows = await db_session.execute(
        text(
            "SELECT code, name_zh, name_en, parent_code, generics, level, note FROM place_name_category ORDER BY code"
        )
    )
    return [dict(r._mapping) for r in rows]
