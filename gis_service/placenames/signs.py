"""Place-name signs (地名标志): the register of signs, and the check of each sign's text
against its place's standard name and romanisation. Visits and repairs of signs use
the same mechanism as boundary markers (gis_service.inspections)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth import jurisdiction
from gis_service.auth.models import AppUser
from gis_service.core.errors import BadRequest, Conflict, NotFound
from gis_service.placenames.rules import Finding
from gis_service.placenames.schemas import SignIn

_SELECT = """SELECT s.code, s.kind, s.text_zh, s.text_mn, s.romanization, s.material, s.installed_on,
    coalesce(s.condition, 'unknown') AS condition, s.condition_observed_at, s.source,
    ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat, s.place_name_id, p.name AS place_name,
    p.romanization AS place_romanization, p.origin_language, p.status AS place_status,
    (SELECT r.id FROM sign_repair_order r WHERE r.sign_id = s.id AND r.status = 'open') AS open_repair_id
    FROM place_name_sign s JOIN place_name p ON p.id = s.place_name_id"""


def _letters(value: str) -> str:
    return re.sub(r"[^a-z']", "", value.lower())


def check_sign(sign: dict) -> list[Finding]:
    """The sign must show the standard name and its official romanisation, without tone
    marks; a Mongolian-origin name's sign carries the Mongolian text too."""
    return _name_findings(sign) + _romanization_findings(sign) + _script_findings(sign)


def _name_findings(sign: dict) -> list[Finding]:
    found = []
    if sign["place_status"] != "standard":
        found.append(
            Finding(
                "sign_place_not_standard",
                "warning",
                f"The place's name is '{sign['place_status']}', not a standard name.",
                "Standardise the name before the sign is made.",
                message_zh=f"该地名的状态为“{sign['place_status']}”，不是标准名。",
                suggestion_zh="请先完成地名标准化，再制作标志。",
            )
        )
    if sign["text_zh"].strip() != sign["place_name"]:
        found.append(
            Finding(
                "sign_text_mismatch",
                "error",
                f"The sign reads “{sign['text_zh']}” but the standard name is “{sign['place_name']}”.",
                f"Replace the sign text with “{sign['place_name']}”.",
                message_zh=f"标志文字为“{sign['text_zh']}”，标准名为“{sign['place_name']}”。",
                suggestion_zh=f"请将标志文字改为“{sign['place_name']}”。",
            )
        )
    return found


def _romanization_findings(sign: dict) -> list[Finding]:
    found = []
    roman = sign.get("romanization") or ""
    if roman and any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", roman)):
        found.append(
            Finding(
                "sign_tone_marks",
                "warning",
                "The sign's romanisation carries tone marks.",
                "Signs are written without tone marks.",
                message_zh="标志的罗马字母拼写带有声调符号。",
                suggestion_zh="地名标志上的拼写不标声调。",
            )
        )
    official = sign.get("place_romanization")
    if not official:
        found.append(
            Finding(
                "sign_no_official_romanization",
                "review",
                "The place has no official romanisation to compare the sign with.",
                "Record the official romanisation in the register.",
                message_zh="该地名没有可供对照的规范罗马字母拼写。",
                suggestion_zh="请在地名库中登记规范拼写。",
            )
        )
    elif not roman:
        found.append(
            Finding(
                "sign_romanization_missing",
                "warning",
                "The sign has no romanisation.",
                f"Add “{official}”.",
                message_zh="标志没有罗马字母拼写。",
                suggestion_zh=f"请加上“{official}”。",
            )
        )
    elif _letters(unicodedata.normalize("NFD", roman).encode("ascii", "ignore").decode()) != _letters(
        official
    ):
        found.append(
            Finding(
                "sign_romanization_mismatch",
                "error",
                f"The sign's romanisation “{roman}” differs from the official “{official}”.",
                f"Use “{official}”.",
                message_zh=f"标志拼写“{roman}”与规范拼写“{official}”不一致。",
                suggestion_zh=f"请使用“{official}”。",
            )
        )
    return found


def _script_findings(sign: dict) -> list[Finding]:
    found = []
    if sign["origin_language"] == "mn" and not (sign.get("text_mn") or "").strip():
        found.append(
            Finding(
                "sign_mongolian_missing",
                "warning",
                "The name is Mongolian in origin but the sign has no Mongolian text.",
                "Signs in Inner Mongolia show the name in Mongolian script and Chinese.",
                message_zh="该地名源自蒙古语，但标志上没有蒙古文。",
                suggestion_zh="内蒙古的地名标志应同时使用蒙古文和汉字。",
            )
        )
    return found


async def get_many(db_session: AsyncSession, codes: list[str], within: str | None = None) -> dict[str, dict]:
    """Signs by code with the checks of their text (missing codes, and with `within` the
    signs of places outside that unit, are left out)."""
    rows = await db_session.execute(
        text(_SELECT + " WHERE s.code = ANY(:codes) AND units_within(p.admin_code, CAST(:within AS text))"),
        {"codes": codes, "within": within},
    )
    out = {}
    for row in rows:
        sign = dict(row._mapping)
        sign["findings"] = [f.as_dict() for f in check_sign(sign)]
        out[sign["code"]] = sign
    return out


async def get(db_session: AsyncSession, code: str, within: str | None = None) -> dict:
    sign = (await get_many(db_session, [code], within)).get(code)
    if sign is None:
        raise NotFound(f"No place-name sign '{code}'.", f"地名标志“{code}”不存在。")
    return sign


async def list_signs(
    db_session: AsyncSession,
    *,
    place_name_id: int | None,
    condition: str | None,
    limit: int,
    within: str | None = None,
) -> list[dict]:
    rows = await db_session.execute(
        text(
            _SELECT
            + """ WHERE (CAST(:pid AS bigint) IS NULL OR s.place_name_id = :pid)
                AND (CAST(:cond AS text) IS NULL OR coalesce(s.condition, 'unknown') = :cond)
                AND units_within(p.admin_code, CAST(:within AS text))
                ORDER BY s.code LIMIT :limit"""
        ),
        {"pid": place_name_id, "cond": condition, "limit": limit, "within": within},
    )
    out = []
    for r in rows:
        sign = dict(r._mapping)
        sign["findings"] = [f.as_dict() for f in check_sign(sign)]
        out.append(sign)
    return out


async def create(db_session: AsyncSession, body: SignIn, actor: AppUser) -> dict:
    place = (
        await db_session.execute(
            text("SELECT admin_code FROM place_name WHERE id = :id"), {"id": body.place_name_id}
        )
    ).first()
    if place is None:
        raise BadRequest(f"No place name {body.place_name_id}.", f"地名 {body.place_name_id} 不存在。")
    jurisdiction.require_within(actor, [place.admin_code], ("The sign's place", "该标志所标地名"))
    taken = await db_session.scalar(text("SELECT 1 FROM place_name_sign WHERE code = :c"), {"c": body.code})
    if taken:
        raise Conflict(f"Sign code '{body.code}' is already used.", f"标志编号“{body.code}”已被使用。")
    await db_session.execute(
        text("""INSERT INTO place_name_sign (code, place_name_id, kind, text_zh, text_mn, romanization, material,
                    installed_on, geom)
                VALUES (:code, :place_name_id, :kind, :text_zh, :text_mn, :romanization, :material, :installed_on,
                        ST_SetSRID(ST_MakePoint(:lon, :lat), 4490))"""),
        body.model_dump(),
    )
    await audit.record(
        db_session,
        by=actor,
        action="create",
        entity="place_name_sign",
        entity_id=body.code,
        after=body.model_dump(mode="json"),
    )
    return await get(db_session, body.code)
