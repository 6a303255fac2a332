"""Offline areas: the manifest of an area and its records."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from gis_service.auth.dependencies import CurrentUser, ReadWithin
from gis_service.catalogue.dependencies import CatalogueDep
from gis_service.core.answers import answer
from gis_service.core.dependencies import SessionDep, SettingsDep
from gis_service.core.long_requests import cancel_on_disconnect, per_user_slots
from gis_service.core.public_url import public_base
from gis_service.offline import answers, bundles, service
from gis_service.offline.schemas import AreaSpec, RecordsRequest, TilesRequest

router = APIRouter(prefix="/api/v1/offline-areas", tags=["offline areas"])


def _readable(catalogue, user, settings) -> dict:
    return {lay.id: lay for lay in catalogue.readable(user, settings)}


@router.post("/manifest", responses=answer(answers.Manifest))
async def area_manifest(
    spec: AreaSpec,
    request: Request,
    user: CurrentUser,
    within: ReadWithin,
    db_session: SessionDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
):
    """What an area needs offline: the vector tiles of every layer the caller may read
    (to each layer's native zoom, at most `max_zoom`), the base map tiles (to `max_zoom`),
    and the records (marker cards, signs, graves), each with its ETag; the area's ETag
    changes when any of them does. `estimated_bytes` is the expected download size. An
    area needing more than `OFFLINE_MAX_TILES` tiles is refused at once (400
    `area_too_large`, with the estimate and the largest zoom that fits); a user prepares
    at most `OFFLINE_MANIFESTS_PER_USER` at a time (429), and a manifest whose caller has
    gone away is stopped."""
    readable = _readable(catalogue, user, settings)
    tiled = [lay for lay in readable.values() if lay.has_geometry and lay.map_renderer == "tiles"]
    pool = request.app.state.pg_pool
    busy = ("A download list for you is already being prepared", "您的离线下载清单正在生成")
    async with per_user_slots(pool, "manifest", user.username, settings.offline_manifests_per_user, busy):
        return await cancel_on_disconnect(
            request,
            service.manifest(
                db_session,
                pool,
                spec=spec,
                layers=tiled,
                basemap=request.app.state.basemap,
                may_read_graves="grave" in readable,
                user=user,
                max_tiles=settings.offline_max_tiles,
                base=public_base(request),
                within=within,
            ),
        )


@router.post("/records", responses=answer(answers.Records))
async def area_records(
    body: RecordsRequest,
    user: CurrentUser,
    within: ReadWithin,
    db_session: SessionDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
):
    """Records by key (`marker:CODE`, `sign:CODE`, `grave:CODE`, up to 1,000 a request),
    each with its ETag and what its card shows offline; keys that no longer exist come
    back under `gone`."""
    readable = _readable(catalogue, user, settings)
    return await service.fetch_records(
        db_session, keys=body.keys, may_read_graves="grave" in readable, within=within
    )


@router.post(
    "/tiles",
    response_class=Response,
    responses={200: {"content": {bundles.BUNDLE_MEDIA_TYPE: {}}, "description": "a bundle of tiles"}},
)
async def area_tiles(body: TilesRequest, request: Request, user: CurrentUser):
    """Up to 256 of an area's tiles (the manifest's URLs, or service paths) in one answer,
    each as its own URL answers it to this caller: a phone fetches an area in a few dozen
    requests instead of thousands. The answer: 4 bytes (unsigned, big-endian) giving the
    length of a UTF-8 JSON index `{"tiles": [{"path", "status", "etag", "type",
    "length"}]}`, then each tile's bytes in the index's order (status 204, length 0, where
    there is nothing to draw). A tile the caller may not read, or that does not exist,
    refuses the bundle (4xx, naming the tile)."""
    return await bundles.bundle(request, user, body.tiles, public_base(request))
