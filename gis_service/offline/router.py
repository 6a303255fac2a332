"""Offline areas: the manifest of an area and its records."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gis_service.catalogue.dependencies import CatalogueDep
from gis_service.core.dependencies import CurrentUser, SessionDep, SettingsDep
from gis_service.offline import service
from gis_service.offline.schemas import AreaSpec, RecordsRequest

router = APIRouter(prefix="/api/v1/offline-areas", tags=["offline areas"])


def _readable(catalogue, role: str, settings) -> dict:
    return {lay.id: lay for lay in catalogue.readable(role, settings.anonymous_layers)}


@router.post("/manifest")
async def area_manifest(
    spec: AreaSpec,
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
):
    """What an area needs offline: the vector tiles of every layer the caller may read
    (to each layer's native zoom, at most `max_zoom`), the base map tiles (to `max_zoom`),
    and the records (marker cards, signs, graves), each with its ETag; the area's ETag
    changes when any of them does. `estimated_bytes` is the expected download size."""
    readable = _readable(catalogue, user.role, settings)
    tiled = [lay for lay in readable.values() if lay.has_geometry and lay.map_renderer == "tiles"]
    return await service.manifest(
        db_session,
        request.app.state.pg_pool,
        spec=spec,
        layers=tiled,
        basemap=request.app.state.basemap,
        may_read_graves="grave" in readable,
        user=user,
    )


@router.post("/records")
async def area_records(
    body: RecordsRequest,
    user: CurrentUser,
    db_session: SessionDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
):
    """Records by key (`marker:CODE`, `sign:CODE`, `grave:CODE`, up to 1,000 a request),
    each with its ETag and what its card shows offline; keys that no longer exist come
    back under `gone`."""
    readable = _readable(catalogue, user.role, settings)
    return await service.fetch_records(db_session, keys=body.keys, may_read_graves="grave" in readable)
