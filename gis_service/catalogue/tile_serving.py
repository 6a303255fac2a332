"""Serving a layer's vector tile, or every readable layer in one tile, from the cache.

Both the map's XYZ route and OGC API - Tiles call these: one rendering, one cache and
one ETag rule, whichever door a tile is asked through.
"""

from __future__ import annotations

import gzip
import hashlib

from fastapi import Request, Response

from gis_service.catalogue import service
from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.catalogue.tile_cache import cached_tile, compress, tile_key, tile_response
from gis_service.catalogue.tile_grids import Grid
from gis_service.core.errors import BadRequest, NotFound

MVT = "application/vnd.mapbox-vector-tile"


def check_tile(grid: Grid, matrix: int, row: int, col: int) -> None:
    if not grid.contains(matrix, row, col):
        cols, rows = grid.size(min(max(matrix, 0), grid.max_matrix))
        raise BadRequest(
            f"{grid.id} has no tile at matrix {matrix}, row {row}, column {col}: matrices are "
            f"0..{grid.max_matrix}; at this one rows are 0..{rows - 1} and columns 0..{cols - 1}.",
            f"{grid.id} 中没有矩阵 {matrix} 第 {row} 行第 {col} 列的切片：矩阵取 0..{grid.max_matrix}，"
            f"该矩阵行取 0..{rows - 1}、列取 0..{cols - 1}。",
        )


async def _layer_tile(request: Request, layer: LayerDeclaration, grid: Grid, m: int, row: int, col: int):
    key = await tile_key(request, layer, m, col, row, grid)
    data = await cached_tile(
        request, key, lambda conn: service.tile(conn, layer=layer, z=m, x=col, y=row, grid=grid)
    )
    return key, data


async def checked_layer_tile(
    request: Request, layer: LayerDeclaration, grid: Grid, m: int, row: int, col: int
) -> tuple[str, bytes]:
    """(ETag, gzip bytes) of one layer's tile, after the checks every door makes (a tile
    route, or a bundle of an offline area's tiles)."""
    if not layer.has_geometry:
        raise NotFound(
            f"Layer '{layer.id}' has no geometry to tile.", f"图层“{layer.id}”没有几何，无法切片。"
        )
    check_tile(grid, m, row, col)
    key, data = await _layer_tile(request, layer, grid, m, row, col)
    return f'"{key}"', data


async def layer_tile(request: Request, layer: LayerDeclaration, grid: Grid, m: int, row: int, col: int):
    """One layer's tile. Clients revalidate each time; an unchanged tile costs a 304 and,
    with the versions in memory, no database round trip."""
    etag, data = await checked_layer_tile(request, layer, grid, m, row, col)
    return tile_response(request, data, etag, MVT)


async def dataset_tile(
    request: Request, layers: list[LayerDeclaration], grid: Grid, m: int, row: int, col: int
) -> Response:
    """Every given layer in one tile: a vector tile's layers are independent messages, so
    the layers' tiles laid end to end are one valid tile."""
    check_tile(grid, m, row, col)
    parts = [await _layer_tile(request, layer, grid, m, row, col) for layer in layers if layer.has_geometry]
    key = hashlib.blake2b("|".join(k for k, _ in parts).encode(), digest_size=16).hexdigest()
    cache = request.app.state.tile_cache
    data = cache.get(key)
    if data is None:
        raw = b"".join(gzip.decompress(d) for _, d in parts if d)
        data = await compress(raw)
        cache.put(key, data)
    return tile_response(request, data, f'"{key}"', MVT)
