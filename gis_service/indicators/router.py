"""GET /api/v1/indicators: the plan's targets with their live values."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gis_service.auth.areas import AreaQuery
from gis_service.auth.dependencies import CurrentUser
from gis_service.catalogue.answer_cache import cached_answer
from gis_service.core.answers import answer
from gis_service.core.dependencies import SessionDep, SettingsDep
from gis_service.funeral.coverage import RadiusKm
from gis_service.indicators import answers, service

router = APIRouter(prefix="/api/v1", tags=["indicators"])


@router.get("/indicators", responses=answer(answers.Indicators))
async def indicators(
    _: CurrentUser,
    db_session: SessionDep,
    settings: SettingsDep,
    request: Request,
    area: AreaQuery,
    radius_km: RadiusKm = None,
):
    """Every target of the city's plan with its current value in a unit (default: your own),
    from the data as it is now:
    boundary-line vectorisation, markers managed and smart, remediation and coverage (the
    remediation and coverage parts are kept until their tables change). The distance
    coverage uses `radius_km` (default: the setting) and says which it used."""

    def cached(tables, key, compute):
        return cached_answer(request, tables, key, compute)

    found = await service.indicators(db_session, settings, area, radius_km=radius_km, cached=cached)
    return {"unit": area.as_answer(), "indicators": found}
