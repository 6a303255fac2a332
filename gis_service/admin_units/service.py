"""Queries over administrative units. Postgres builds the GeoJSON."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.models import AdminUnit, AdminUnitChange
from gis_service.audit import service as audit
from gis_service.auth.models import AppUser
from gis_service.core.errors import NotFound
from gis_service.core.etags import check_if_match, etag_of

_FEATURE = """
json_build_object(
  'type', 'Feature', 'id', u.code,
  'geometry', CASE WHEN :geometry THEN ST_AsGeoJSON(u.geom, 7, 0)::json END,
  'properties', json_build_object(
     'code', u.code, 'name', u.name, 'level', u.level, 'parent_code', u.parent_code,
     'name_romanized', u.name_romanized, 'name_romanized_source', u.name_romanized_source,
     'valid_from', u.valid_from, 'valid_from_precision', u.valid_from_precision,
     'valid_to', u.valid_to, 'source', u.source,
     'area_km2', round((ST_Area(u.geom::geography) / 1e6)::numeric, 1)))::text
"""

# A version is in force on a date if it started on or before it and ended after it.
_IN_FORCE = """
((CAST(:as_of AS date) IS NULL AND u.valid_to IS NULL) OR
 (CAST(:as_of AS date) IS NOT NULL
  AND (u.valid_from IS NULL OR u.valid_from <= CAST(:as_of AS date))
  AND (u.valid_to IS NULL OR u.valid_to > CAST(:as_of AS date))))
"""


async def list_units(
    db_session: AsyncSession,
    *,
    parent: str | None,
    level: str | None,
    as_of: date | None,
    geometry: bool,
    limit: int,
    after: str | None,
) -> tuple[list[str], str | None]:
    """A page of units in code order (one unit in force per code on any day), and the
    code the next page starts after, if more follow."""
    sql = f"""
        SELECT u.code, {_FEATURE} AS feature FROM admin_unit u
        WHERE {_IN_FORCE}
          AND (CAST(:parent AS text) IS NULL OR u.parent_code = :parent)
          AND (CAST(:level AS text) IS NULL OR u.level = :level)
          AND (CAST(:after AS text) IS NULL OR u.code > :after)
        ORDER BY u.code LIMIT :limit"""
    params = {"parent": parent, "level": level, "as_of": as_of, "geometry": geometry, "after": after}
    rows = (await db_session.execute(text(sql), params | {"limit": limit + 1})).all()
    more = len(rows) > limit
    return [r.feature for r in rows[:limit]], rows[limit - 1].code if more else None


async def get_unit_feature(
    db_session: AsyncSession, *, code: str, as_of: date | None, geometry: bool = True
) -> str:
    sql = f"SELECT {_FEATURE} FROM admin_unit u WHERE u.code = :code AND {_IN_FORCE}"
    feature = await db_session.scalar(text(sql), {"code": code, "as_of": as_of, "geometry": geometry})
    if feature is None:
        when = f" on {as_of}" if as_of else ""
        raise NotFound(
            f"No administrative unit with code {code}{when}.",
            f"不存在代码为 {code} 的行政区划{'（' + str(as_of) + '）' if as_of else ''}。",
        )
    return feature


async def history(db_session: AsyncSession, *, code: str) -> list[dict]:
    rows = await db_session.scalars(
        select(AdminUnitChange)
        .where(AdminUnitChange.code == code)
        .order_by(AdminUnitChange.effective_date.nulls_first(), AdminUnitChange.id)
    )
    return [
        {
            "change_type": r.change_type,
            "name": r.name,
            "effective_date": r.effective_date,
            "date_precision": r.date_precision,
            "related_codes": r.related_codes,
            "authority": r.authority,
            "source": r.source,
            "note": r.note,
        }
        for r in rows
    ]


def unit_etag(unit: AdminUnit) -> str:
    """The version of what may be edited of a unit (its romanised name and source)."""
    return etag_of(f"{unit.id}|{unit.name_romanized}|{unit.name_romanized_source}")


async def current_unit(db_session: AsyncSession, *, code: str, lock: bool = False) -> AdminUnit:
    query = select(AdminUnit).where(AdminUnit.code == code, AdminUnit.valid_to.is_(None))
    unit = await db_session.scalar(query.with_for_update() if lock else query)
    if unit is None:
        raise NotFound(
            f"No current administrative unit with code {code}.", f"不存在代码为 {code} 的现行行政区划。"
        )
    return unit


async def update_current(
    db_session: AsyncSession, *, code: str, changes: dict, if_match: str, actor: AppUser
) -> AdminUnit:
    unit = await current_unit(db_session, code=code, lock=True)
    check_if_match(if_match, unit_etag(unit))
    before = {k: getattr(unit, k) for k in changes}
    for key, value in changes.items():
        setattr(unit, key, value)
    await audit.record(
        db_session,
        by=actor,
        action="update",
        entity="admin_unit",
        entity_id=code,
        before=before,
        after=changes,
    )
    return unit
