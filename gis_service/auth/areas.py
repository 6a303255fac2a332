"""The unit a planner's figures are for: the planners' page, indicators, progress,
coverage and the planners' report are asked for one unit (`?unit=`), by default the
caller's own (the served unit for its accounts). A banner's planner sees the banner; the
city's sees the city, and may narrow to any banner in it. Another unit's figures are
readable too unless reads are limited to one's unit (READ_SCOPE=unit, auth/jurisdiction.py);
the page offers one's own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query
from sqlalchemy import text

from gis_service.admin_units.home import HomeUnit, describe
from gis_service.auth import jurisdiction
from gis_service.auth.dependencies import CurrentUser, ReadWithin
from gis_service.core.dependencies import SessionDep, SettingsDep
from gis_service.core.errors import NotFound


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    name_en: str  # the romanised name (GB/T 17693), or the Chinese where it has none
    whole: bool  # the served unit: every record, also those with no unit code yet

    @property
    def like(self) -> str | None:
        """A LIKE pattern on a record's county or township code; None: no filter."""
        return None if self.whole else HomeUnit(self.code).like

    def where(self, column: str) -> str:
        """An SQL condition keeping the area's records (bind `:area_like`)."""
        return "true" if self.whole else f"{column} LIKE :area_like"

    @property
    def params(self) -> dict:
        return {} if self.whole else {"area_like": self.like}

    def as_answer(self) -> dict:
        return {"code": self.code, "name": self.name, "name_en": self.name_en}


async def area_query(
    user: CurrentUser,
    within: ReadWithin,
    settings: SettingsDep,
    db_session: SessionDep,
    unit: Annotated[
        str | None,
        Query(
            pattern=r"^[1-9]\d{5}$",
            description="the county-level or higher unit the figures are for (default: your own)",
        ),
    ] = None,
) -> Area:
    code = unit or user.unit_code or settings.home_unit_code
    home = HomeUnit(settings.home_unit_code)
    jurisdiction.require_readable(within, [code], (f"Unit {code}", f"单位 {code}"))
    if code == home.code:  # the served unit: the country has no row of its own
        served = await describe(db_session, code)
        return Area(code, served["name"], served["name_en"], whole=True)
    found = (
        await db_session.execute(
            text("""SELECT name, coalesce(name_romanized, name) AS name_en FROM admin_unit
                    WHERE code = :c AND valid_to IS NULL AND level IN ('province', 'city', 'county')"""),
            {"c": code},
        )
    ).first()
    if found is None or not home.contains(code):
        raise NotFound(
            f"No county-level or higher unit {code} in this deployment.", f"本系统中没有县级以上单位 {code}。"
        )
    return Area(code, found.name, found.name_en, whole=False)


AreaQuery = Annotated[Area, Depends(area_query)]
