"""Administrative units: list by parent/level/date, one unit with its history, corrections."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request, Response

from gis_service.admin_units import service
from gis_service.admin_units.schemas import AdminUnitUpdate
from gis_service.auth.dependencies import AdminUser, CurrentUser, WholeDeployment
from gis_service.core.dependencies import IfMatch, SessionDep
from gis_service.core.errors import BadRequest
from gis_service.core.geojson_pages import (
    FEATURE_SCHEMA,
    GeoJSONResponse,
    feature_collection,
    features_answer,
    geojson_answer,
    page_links,
)
from gis_service.query.paging import PageQuery

router = APIRouter(prefix="/api/v1/admin-units", tags=["admin units"])
GEOJSON = "application/geo+json"
Code = Annotated[
    str,
    Path(pattern=r"^\d{6}(\d{3}(\d{3})?)?$", description="GB/T 2260 (6 digits) or NBS (9/12 digits) code"),
]
Level = Literal["province", "city", "county", "township", "village"]


@router.get(
    "",
    response_class=GeoJSONResponse,
    responses={200: features_answer("/api/v1/admin-units/{code}", "code")},
)
async def list_admin_units(
    request: Request,
    _: CurrentUser,
    db_session: SessionDep,
    page: PageQuery,
    parent: Annotated[str | None, Query(description="parent unit code, e.g. 150600")] = None,
    level: Level | None = None,
    as_of: Annotated[date | None, Query(description="the units in force on this date")] = None,
    geometry: bool = True,
):
    """Units as a GeoJSON FeatureCollection, a page at a time as every list of features
    (`limit`, `cursor`): `?parent=150600` lists Ordos' nine banners and districts;
    `as_of=2015-06-30` shows the division before Kangbashi."""
    if parent is not None and not re.fullmatch(r"\d{6}(\d{3}(\d{3})?)?", parent):
        raise BadRequest(
            "parent must be a 6-, 9- or 12-digit division code, e.g. 150600.",
            "parent 必须是 6、9 或 12 位行政区划代码，例如 150600。",
        )
    features, next_key = await service.list_units(
        db_session,
        parent=parent,
        level=level,
        as_of=as_of,
        geometry=geometry,
        limit=page.limit,
        after=page.after,
    )
    body = feature_collection(",".join(features), len(features), page_links(request, next_key))
    return Response(body, media_type=GEOJSON)


@router.get("/{code}", response_class=GeoJSONResponse, responses={200: geojson_answer(FEATURE_SCHEMA)})
async def get_admin_unit(code: Code, _: CurrentUser, db_session: SessionDep, as_of: date | None = None):
    """One unit as a GeoJSON Feature, with its change history under `history`. The current
    version's ETag is what a correction sends as If-Match."""
    feature = orjson.loads(await service.get_unit_feature(db_session, code=code, as_of=as_of))
    feature["history"] = await service.history(db_session, code=code)
    headers = {} if as_of else {"ETag": service.unit_etag(await service.current_unit(db_session, code=code))}
    return Response(orjson.dumps(feature), media_type=GEOJSON, headers=headers)


@router.patch(
    "/{code}",
    response_class=GeoJSONResponse,
    responses={200: geojson_answer(FEATURE_SCHEMA)},
    dependencies=[WholeDeployment],
)
async def update_admin_unit(
    code: Code, body: AdminUnitUpdate, admin: AdminUser, db_session: SessionDep, if_match: IfMatch
):
    """Correct the romanised name of the current version (admin only; audited). If-Match is
    required (428 without it; 412 if the unit changed since it was read)."""
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise BadRequest(
            "Nothing to change: send name_romanized and/or name_romanized_source.",
            "没有可修改的内容：请提供 name_romanized 或 name_romanized_source。",
        )
    await service.update_current(db_session, code=code, changes=changes, if_match=if_match, actor=admin)
    await db_session.commit()
    return Response(
        await service.get_unit_feature(db_session, code=code, as_of=None, geometry=False), media_type=GEOJSON
    )
