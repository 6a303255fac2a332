"""Endpoints generated from the layer catalogue: list, items, feature, vector tiles."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from starlette.background import BackgroundTask

from gis_service.auth.acting import acting
from gis_service.auth.dependencies import OptionalUser
from gis_service.catalogue import answers, export, feature_query, service, tile_serving
from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.catalogue.dependencies import (
    CatalogueDep,
    ReadableLayer,
    layer_arguments,
    page_arguments,
    property_filters,
)
from gis_service.catalogue.feature_query import BboxQuery, FeatureQueryDep
from gis_service.catalogue.reads import FeatureReadsDep
from gis_service.catalogue.tile_grids import WEB_MERCATOR
from gis_service.core.answers import TileJSON, answer
from gis_service.core.dependencies import SessionDep, SettingsDep
from gis_service.core.errors import NotFound, Unauthorized
from gis_service.core.geojson_pages import (
    FEATURE_SCHEMA,
    GeoJSONResponse,
    features_answer,
    geojson_answer,
)
from gis_service.core.lean_route import LeanRoute, lean, path_int
from gis_service.core.openapi_links import SAME_LAYER, record_link
from gis_service.core.public_url import public_base

router = APIRouter(tags=["layers"])
# Vector tiles, the most frequent request of all, and pages of features, in a router of
# their own that the app includes first: routes are matched one by one, in order. Both
# are LeanRoutes (core/lean_route.py).
hot_router = APIRouter(tags=["layers"])
GEOJSON = "application/geo+json"
MVT = tile_serving.MVT


def describe(layer: LayerDeclaration, request: Request, role: str | None) -> dict:
    base = public_base(request)
    out = layer.model_dump(
        mode="json",
        exclude={"read_roles", "edit_roles", "source", "default_for_roles", "unit_columns", "read_within"},
    )
    if layer.default_for_roles is not None:
        out["default_visible"] = (role or "anonymous") in layer.default_for_roles
    out["editable"] = layer.editable_by(role)
    out["native_max_zoom"] = layer.native_max_zoom
    out["links"] = {"items": f"{base}/api/v1/layers/{layer.id}/items"}
    if layer.has_geometry:
        out["links"]["tiles"] = f"{base}/api/v1/layers/{layer.id}/tiles/{{z}}/{{x}}/{{y}}"
    return out


async def _tile_arguments(request: Request) -> dict:
    """What FastAPI would resolve for layer_tile, by calling the same checks directly."""
    return await layer_arguments(request) | {n: path_int(request, n) for n in ("z", "x", "y")}


@lean(_tile_arguments)
async def layer_tile(layer: ReadableLayer, z: int, x: int, y: int, request: Request) -> Response:
    """The map's own XYZ tiles (zoom, column x, row y) of Web Mercator. The same tiles are
    at /ogc/collections/{id}/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}, in the
    order OGC API - Tiles gives them."""
    return await tile_serving.layer_tile(request, layer, WEB_MERCATOR, z, y, x)


hot_router.add_api_route(
    "/api/v1/layers/{layer_id}/tiles/{z}/{x}/{y}",
    layer_tile,
    methods=["GET"],
    route_class_override=LeanRoute,
    response_class=Response,
    responses={200: {"content": {MVT: {}}, "description": "Mapbox vector tile"}},
)


@router.get(
    "/api/v1/layers",
    responses=answer(
        answers.Layers, **record_link("/api/v1/layers/{layer_id}", layer_id="$response.body#/layers/0/id")
    ),
)
async def list_layers(request: Request, catalogue: CatalogueDep, user: OptionalUser, settings: SettingsDep):
    """The layers this caller may read, with their style and links."""
    role = user.role if user else None
    visible = [describe(layer, request, role) for layer in catalogue.readable(user, settings)]
    if user is None and not visible:
        raise Unauthorized("Sign in to see the layers.", "请登录后查看图层。")
    return {"layers": visible}


@router.get("/api/v1/layers/{layer_id}", responses=answer(answers.LayerDescription))
async def get_layer(layer: ReadableLayer, request: Request, user: OptionalUser):
    """One layer's declaration."""
    return describe(layer, request, user.role if user else None)


@lean(page_arguments)
async def layer_items(layer: ReadableLayer, request: Request, query: FeatureQueryDep, reads: FeatureReadsDep):
    """Features as GeoJSON: the same query, with the same rules, as the OGC API's items
    (bbox with bbox-crs, crs, limit, cursor, datetime, CQL2 filter, skipGeometry), plus
    `?name=...` for the layer's filterable properties; paged through `next` links."""
    filters = property_filters(layer, request.query_params, feature_query.NAMES)
    return await feature_query.items_response(request, reads, layer, query, filters)


hot_router.add_api_route(
    "/api/v1/layers/{layer_id}/items",
    layer_items,
    methods=["GET"],
    route_class_override=LeanRoute,
    response_class=GeoJSONResponse,
    responses={
        200: features_answer(
            "/api/v1/layers/{layer_id}/items/{feature_id}", "feature_id", layer_id=SAME_LAYER
        )
    },
)


@router.get(
    "/api/v1/layers/{layer_id}/items/{feature_id}",
    response_class=GeoJSONResponse,
    responses={200: geojson_answer(FEATURE_SCHEMA)},
)
async def layer_item(layer: ReadableLayer, feature_id: str, db_session: SessionDep):
    """One feature by its id."""
    feature = await service.item(db_session, layer=layer, feature_id=feature_id)
    if feature is None:
        raise NotFound(
            f"Layer '{layer.id}' has no feature '{feature_id}'.",
            f"图层“{layer.id}”中没有要素“{feature_id}”。",
        )
    return Response(feature, media_type=GEOJSON)


@router.get(
    "/ogc/collections/{layer_id}/tiles/WebMercatorQuad/tilejson.json",
    responses=answer(TileJSON),
    tags=["OGC API - Tiles"],
)
async def tilejson(layer: ReadableLayer, request: Request, db_session: SessionDep):
    """TileJSON 3.0.0 for the layer's vector tiles (what MapLibre, Leaflet plugins and QGIS read)."""
    if not layer.has_geometry:
        raise NotFound(
            f"Layer '{layer.id}' has no geometry to tile.", f"图层“{layer.id}”没有几何，无法切片。"
        )
    base = public_base(request)
    bounds = (await service.extent(db_session, layer=layer)).bbox
    fields = {p: "" for p in [layer.id_column, *layer.properties]}
    return {
        "tilejson": "3.0.0",
        "name": layer.id,
        "description": layer.title.en,
        "scheme": "xyz",
        "tiles": [f"{base}/api/v1/layers/{layer.id}/tiles/{{z}}/{{x}}/{{y}}"],
        "minzoom": layer.min_zoom,
        "maxzoom": layer.max_zoom,
        "bounds": bounds or [-180, -85.0511, 180, 85.0511],
        "vector_layers": [
            {"id": layer.id, "fields": fields, "minzoom": layer.min_zoom, "maxzoom": layer.max_zoom}
        ],
    }


@router.get("/api/v1/layers/{layer_id}/export.{fmt}", response_class=Response)
async def export_layer(
    layer: ReadableLayer,
    fmt: Literal["geojson", "csv", "gpkg", "shp"],
    request: Request,
    area: BboxQuery,
    user: OptionalUser,
    db_session: SessionDep,
    settings: SettingsDep,
):
    """The layer, filtered like its items (`bbox` with `bbox-crs`, property filters), as
    GeoJSON, CSV (WKT geometry), GeoPackage or zipped Shapefile (.prj for CGCS2000, .cpg
    UTF-8). Streams in pages, so memory stays bounded for millions of features. GeoJSON
    (`exported_by`), GeoPackage (layer metadata) and Shapefile (`.about.txt`) name who
    exported it and for which bureau; CSV stays a plain table that imports read back."""
    filters = property_filters(layer, request.query_params, {"bbox", "bbox-crs"})
    service.refuse_bbox_without_geometry(layer, area)  # before the stream starts
    by = await acting(db_session, user, settings.home_unit_code) if user else None
    pool = await request.app.state.reads.pool()
    media, ext = export.FORMATS[fmt]
    disposition = {"Content-Disposition": f'attachment; filename="{layer.id}.{ext}"'}
    if fmt == "geojson":
        return StreamingResponse(
            export.geojson_stream(pool, layer, area, filters, by), media_type=media, headers=disposition
        )
    if fmt == "csv":
        return StreamingResponse(
            export.csv_stream(pool, layer, area, filters), media_type=media, headers=disposition
        )
    path = await export.write_file(pool, layer, area, filters, fmt, by)
    return FileResponse(
        path, media_type=media, headers=disposition, background=BackgroundTask(export.cleanup, path)
    )
