"""OGC API - Tiles 1.0 over the layer catalogue: tile matrix sets, each collection's
vector tilesets, and dataset tiles holding every layer the caller may read.

Tiles are addressed as the standard says, `{tileMatrix}/{tileRow}/{tileCol}`: row before
column. (The map's own XYZ route, /api/v1/layers/{id}/tiles/{z}/{x}/{y}, keeps x first.)
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from gis_service.auth.dependencies import OptionalUser
from gis_service.catalogue import tile_serving
from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.catalogue.dependencies import CatalogueDep, ReadableLayer
from gis_service.catalogue.tile_grids import GRIDS, Grid
from gis_service.core.answers import answer
from gis_service.core.dependencies import SettingsDep
from gis_service.core.errors import NotFound, Unauthorized
from gis_service.core.openapi_links import record_link
from gis_service.core.public_url import public_base
from gis_service.ogc import answers

router = APIRouter(prefix="/ogc", tags=["OGC API - Tiles"])
tiles_router = APIRouter(prefix="/ogc", tags=["OGC API - Tiles"])  # matched first, like the map's
JSON = "application/json"
MVT = tile_serving.MVT
REL = "http://www.opengis.net/def/rel/ogc/1.0/"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
]
TILE_RESPONSES = {200: {"content": {MVT: {}}, "description": "Mapbox vector tile"}}


def _base(request: Request) -> str:
    return public_base(request) + "/ogc"


def _grid(tms: str) -> Grid:
    grid = GRIDS.get(tms)
    if grid is None:
        raise NotFound(
            f"Tile matrix set '{tms}' is not offered; use {' or '.join(GRIDS)}.",
            f"不提供切片矩阵集“{tms}”，可选：{'、'.join(GRIDS)}。",
        )
    return grid


def _tileset_summary(base: str, grid: Grid, url: str, title: str) -> dict:
    """What a tileset list and the tileset itself both say: its grid, CRS and links."""
    return {
        "title": title,
        "dataType": "vector",
        "crs": grid.crs,
        **({"tileMatrixSetURI": grid.uri} if grid.uri else {}),
        "links": [
            {"rel": "self", "type": JSON, "href": url},
            {"rel": f"{REL}tiling-scheme", "type": JSON, "href": f"{base}/tileMatrixSets/{grid.id}"},
        ],
    }


def _tileset(base: str, grid: Grid, url: str, title: str, layers: list[LayerDeclaration]) -> dict:
    """A vector tileset's metadata: its grid, its tile template and the layers in it."""
    dimension = {"Point": 0, "MultiPoint": 0, "LineString": 1, "MultiLineString": 1}
    doc = _tileset_summary(base, grid, url, title)
    doc["links"].append(
        {"rel": "item", "type": MVT, "templated": True, "href": url + "/{tileMatrix}/{tileRow}/{tileCol}"}
    )
    doc["layers"] = [
        {
            "id": x.id,
            "title": x.title.zh,
            "dataType": "vector",
            "geometryDimension": dimension.get(x.geometry_type, 2),
            "minTileMatrix": str(max(0, x.min_zoom - grid.zoom_offset)),
            "maxTileMatrix": str(max(0, min(grid.max_matrix, x.max_zoom - grid.zoom_offset))),
        }
        for x in layers
    ]
    return doc


def _tileset_list(base: str, url: str, title: str) -> dict:
    return {
        "tilesets": [
            _tileset_summary(base, grid, f"{url}/{grid.id}", f"{title} ({grid.id})")
            for grid in GRIDS.values()
        ],
        "links": [{"rel": "self", "type": JSON, "href": url}],
    }


def _readable(catalogue, user, settings) -> list[LayerDeclaration]:
    found = [x for x in catalogue.readable(user, settings) if x.has_geometry]
    if user is None and not found:
        raise Unauthorized("Sign in to see the tiles.", "请登录后查看切片。")
    return found


@router.get(
    "/tileMatrixSets",
    summary="Tile matrix sets",
    responses=answer(
        answers.TileMatrixSets,
        **record_link("/ogc/tileMatrixSets/{tms}", tms="$response.body#/tileMatrixSets/0/id"),
    ),
)
async def tile_matrix_sets(request: Request):
    b = _base(request)
    return {
        "tileMatrixSets": [
            {
                "id": g.id,
                "title": g.title,
                **({"uri": g.uri} if g.uri else {}),
                "links": [{"rel": "self", "type": JSON, "href": f"{b}/tileMatrixSets/{g.id}"}],
            }
            for g in GRIDS.values()
        ],
        "links": [{"rel": "self", "type": JSON, "href": f"{b}/tileMatrixSets"}],
    }


@router.get(
    "/tileMatrixSets/{tms}",
    responses=answer(answers.TileMatrixSet),
    summary="One tile matrix set (OGC TMS 2.0 JSON)",
)
async def tile_matrix_set(tms: str):
    return _grid(tms).tile_matrix_set()


@router.get(
    "/tiles",
    responses=answer(answers.TileSets),
    summary="Dataset vector tilesets (every layer the caller may read)",
)
async def dataset_tilesets(
    request: Request, catalogue: CatalogueDep, user: OptionalUser, settings: SettingsDep
):
    _readable(catalogue, user, settings)
    base = _base(request)
    return _tileset_list(base, f"{base}/tiles", "全部图层 All layers")


@router.get("/tiles/{tms}", responses=answer(answers.TileSet), summary="A dataset vector tileset")
async def dataset_tileset(
    tms: str, request: Request, catalogue: CatalogueDep, user: OptionalUser, settings: SettingsDep
):
    grid = _grid(tms)
    layers = _readable(catalogue, user, settings)
    base = _base(request)
    return _tileset(base, grid, f"{base}/tiles/{grid.id}", "全部图层 All layers", layers)


@tiles_router.get(
    "/tiles/{tms}/{tileMatrix}/{tileRow}/{tileCol}",
    response_class=Response,
    responses=TILE_RESPONSES,
    summary="A dataset tile",
)
async def dataset_tile(
    tms: str,
    tileMatrix: int,  # noqa: N803 - the standard's names
    tileRow: int,  # noqa: N803
    tileCol: int,  # noqa: N803
    request: Request,
    catalogue: CatalogueDep,
    user: OptionalUser,
    settings: SettingsDep,
):
    """Every layer the caller may read, each as a layer of one vector tile."""
    layers = _readable(catalogue, user, settings)
    return await tile_serving.dataset_tile(request, layers, _grid(tms), tileMatrix, tileRow, tileCol)


@router.get(
    "/collections/{layer_id}/tiles",
    responses=answer(answers.TileSets),
    summary="A collection's vector tilesets",
)
async def collection_tilesets(layer: ReadableLayer, request: Request):
    _has_geometry(layer)
    base = _base(request)
    return _tileset_list(base, f"{base}/collections/{layer.id}/tiles", layer.title.zh)


@router.get(
    "/collections/{layer_id}/tiles/{tms}",
    responses=answer(answers.TileSet),
    summary="A collection's vector tileset",
)
async def collection_tileset(layer: ReadableLayer, tms: str, request: Request):
    _has_geometry(layer)
    grid, base = _grid(tms), _base(request)
    return _tileset(base, grid, f"{base}/collections/{layer.id}/tiles/{grid.id}", layer.title.zh, [layer])


@tiles_router.get(
    "/collections/{layer_id}/tiles/{tms}/{tileMatrix}/{tileRow}/{tileCol}",
    response_class=Response,
    responses=TILE_RESPONSES,
    summary="A collection's tile",
)
async def collection_tile(
    layer: ReadableLayer,
    tms: str,
    tileMatrix: int,  # noqa: N803
    tileRow: int,  # noqa: N803
    tileCol: int,  # noqa: N803
    request: Request,
):
    return await tile_serving.layer_tile(request, layer, _grid(tms), tileMatrix, tileRow, tileCol)


def _has_geometry(layer: LayerDeclaration) -> None:
    if not layer.has_geometry:
        raise NotFound(
            f"Collection '{layer.id}' has no geometry to tile.", f"数据集“{layer.id}”没有几何，无法切片。"
        )
