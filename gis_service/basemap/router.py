"""Base map endpoints: TileJSON, tiles with ETags, and the reference base map's labels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from gis_service.auth.dependencies import CurrentUser
from gis_service.basemap import reference
from gis_service.basemap.tiles import package, stored_tile
from gis_service.catalogue.tile_cache import tile_response
from gis_service.core.answers import TileJSON, answer
from gis_service.core.etags import revalidated, unchanged
from gis_service.core.geojson_pages import (
    COLLECTION_SCHEMA,
    GeoJSONResponse,
    collection_response,
    geojson_answer,
)
from gis_service.core.public_url import public_base

router = APIRouter(prefix="/basemap", tags=["base map"])
Zoom = Annotated[int, Path(ge=0, le=22)]


class BasemapTileJSON(TileJSON):
    """The base map's TileJSON: where its tiles come from (`reference` data in the
    database or a bureau's `file`), their format, and the labels' GeoJSON."""

    source: str
    format: str
    attribution: str | None = None
    labels: str | None = None


@router.get("/tilejson.json", responses=answer(BasemapTileJSON))
async def tilejson(request: Request, _: CurrentUser):
    """TileJSON 3.0.0 of the base map: its format (pbf, png, jpg, webp), zoom range, bounds
    and, for the reference base map, where its labels are (public addresses)."""
    pkg = package(request)
    base = public_base(request)
    if pkg is None:
        info = reference.INFO
        async with request.app.state.pg_pool.connection() as conn:
            bounds = await reference.bounds(conn)
    else:
        info, bounds = pkg.info, pkg.info.bounds
    out = {
        "tilejson": "3.0.0",
        "name": info.name,
        "source": "reference" if pkg is None else "file",
        "format": info.format,
        "scheme": "xyz",
        "tiles": [base + "/basemap/tiles/{z}/{x}/{y}"],
        "minzoom": info.minzoom,
        "maxzoom": info.maxzoom,
        "bounds": bounds,
        "attribution": info.attribution,
        "vector_layers": info.vector_layers,
    }
    if pkg is None:
        out["labels"] = base + "/basemap/labels.geojson"
    return out


@router.get(
    "/tiles/{z}/{x}/{y}",
    response_class=Response,
    responses={
        200: {"content": {"application/vnd.mapbox-vector-tile": {}, "image/png": {}}},
        204: {"description": "no tile here"},
    },
)
async def basemap_tile(z: Zoom, x: int, y: int, request: Request, _: CurrentUser):
    """One base map tile (XYZ). A tile the package does not hold answers 204. Unchanged
    tiles answer 304 to If-None-Match."""
    tile = await stored_tile(request, z, x, y)
    if tile is None:
        return Response(status_code=204)
    if tile.gzipped:
        return tile_response(request, tile.data, tile.etag, tile.media_type)
    headers = revalidated(tile.etag)
    if unchanged(request.headers.get("if-none-match"), tile.etag):
        return Response(status_code=304, headers=headers)
    return Response(tile.data, media_type=tile.media_type, headers=headers)


@router.get(
    "/labels.geojson",
    response_class=GeoJSONResponse,
    responses={200: geojson_answer(COLLECTION_SCHEMA)},
)
async def labels(request: Request, _: CurrentUser):
    """The reference base map's labels: located township seats and villages, and named
    rivers along their course, each with the zoom it shows from (`minzoom`)."""
    if package(request) is not None:
        return collection_response([])
    async with request.app.state.pg_pool.connection() as conn:
        return collection_response(await reference.labels(conn))
