"""Who made a report or an export: the account and the bureau it acts for (the
civil-affairs bureau of its unit, the served unit for its accounts), named on the file as
the audit log names it (`actor_unit`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.home import describe
from gis_service.auth.dependencies import CurrentUser
from gis_service.auth.models import AppUser
from gis_service.core.dependencies import SessionDep, SettingsDep


@dataclass(frozen=True)
class Acting:
    username: str
    person: str  # the display name, or the user name
    unit_code: str
    bureau: str
    bureau_en: str

    @property
    def zh(self) -> str:
        return f"{self.person}（{self.bureau}）"

    @property
    def en(self) -> str:
        return f"{self.person} ({self.bureau_en})"

    def said(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def as_dict(self) -> dict:
        return {
            "username": self.username,
            "unit_code": self.unit_code,
            "bureau": self.bureau,
            "bureau_en": self.bureau_en,
        }


async def acting(db_session: AsyncSession, user: AppUser, home_code: str) -> Acting:
    code = user.unit_code or home_code
    unit = await describe(db_session, code)
    return Acting(
        username=user.username,
        person=user.display_name or user.username,
        unit_code=code,
        bureau=f"{unit['name']}民政局",
        bureau_en=f"{unit['name_en']} Civil Affairs Bureau",
    )


async def _acting_caller(user: CurrentUser, db_session: SessionDep, settings: SettingsDep) -> Acting:
    return await acting(db_session, user, settings.home_unit_code)


# a route's signed-in caller, as its files name them
ActingBureau = Annotated[Acting, Depends(_acting_caller)]
