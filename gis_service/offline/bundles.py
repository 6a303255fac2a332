"""An offline area's tiles in bundles: many tiles in one answer.

A phone downloading an area one request per tile spends most of its time on requests,
not bytes: thousands of small tiles, each a round trip over a mobile network and a trip
through the browser's network stack. A bundle carries up to `TILES_PER_BUNDLE` tiles
(schemas.py). Each tile goes through the same door its own URL does (the layer read check and the
tile checks, the same rendering, cache and ETag), so a bundle holds exactly what the
caller could fetch tile by tile.

The answer (`BUNDLE_MEDIA_TYPE`), gzip-compressed as a whole when the client accepts it:

    4 bytes     n, the length of the index (unsigned, big-endian)
    n bytes     the index, UTF-8 JSON: {"tiles": [{"path", "status", "etag", "type", "length"}]}
    the tiles   each tile's bytes (uncompressed), in the index's order

`status` is 200, or 204 where there is nothing to draw (length 0, as the tile's own URL
answers).
"""

from __future__ import annotations

import gzip
import json
import re
import struct

from fastapi import Request, Response

from gis_service.auth.models import AppUser
from gis_service.basemap.tiles import stored_tile
from gis_service.catalogue.dependencies import readable_layer
from gis_service.catalogue.tile_cache import accepts_gzip, compress
from gis_service.catalogue.tile_grids import WEB_MERCATOR
from gis_service.catalogue.tile_serving import MVT, checked_layer_tile
from gis_service.core.errors import AppError, BadRequest

BUNDLE_MEDIA_TYPE = "application/vnd.gis-service.tile-bundle"

_LAYER_TILE = re.compile(r"/api/v1/layers/([^/?#]+)/tiles/(\d{1,2})/(\d{1,8})/(\d{1,8})")
_BASEMAP_TILE = re.compile(r"/basemap/tiles/(\d{1,2})/(\d{1,8})/(\d{1,8})")


async def _tile(request: Request, user: AppUser, path: str) -> tuple[int, str, str, bytes]:
    """(status, ETag, media type, bytes) of the tile at this service path."""
    if m := _LAYER_TILE.fullmatch(path):
        layer = await readable_layer(m[1], request, user)
        z, x, y = int(m[2]), int(m[3]), int(m[4])
        etag, data = await checked_layer_tile(request, layer, WEB_MERCATOR, z, y, x)
        return 200, etag, MVT, gzip.decompress(data) if data else b""
    if m := _BASEMAP_TILE.fullmatch(path):
        tile = await stored_tile(request, int(m[1]), int(m[2]), int(m[3]))
        if tile is None:
            return 204, "", "", b""
        return 200, tile.etag, tile.media_type, gzip.decompress(tile.data) if tile.gzipped else tile.data
    raise BadRequest(
        "Not a tile of an offline area: give a layer's /api/v1/layers/{id}/tiles/{z}/{x}/{y} "
        "or a base map /basemap/tiles/{z}/{x}/{y}, as the manifest lists them.",
        "不是离线区域的切片：请按清单给出图层切片 /api/v1/layers/{id}/tiles/{z}/{x}/{y} "
        "或底图切片 /basemap/tiles/{z}/{x}/{y}。",
    )


def service_path(tile: str, base: str) -> str:
    """A tile as the manifest lists it (at the public address) or as a service path."""
    return tile[len(base) :] if tile.startswith(base + "/") else tile


async def bundle(request: Request, user: AppUser, tiles: list[str], base: str) -> Response:
    """The tiles, in one answer. The first tile refused (a layer the caller may not read, a
    tile that does not exist) refuses the bundle, with which tile it was."""
    index, parts = [], []
    # one tile after another: a bundle holds one database connection at a time, as a
    # client fetching the same tiles one by one would
    for i, tile in enumerate(tiles):
        path = service_path(tile, base)
        try:
            status, etag, media_type, data = await _tile(request, user, path)
        except AppError as refused:
            refused.message = f"Tile {i} ({path}): {refused.message}"
            refused.message_zh = f"第 {i} 个切片（{path}）：{refused.message_zh}"
            raise
        index.append({"path": path, "status": status, "etag": etag, "type": media_type, "length": len(data)})
        parts.append(data)
    head = json.dumps({"tiles": index}, separators=(",", ":")).encode()
    body = b"".join([struct.pack(">I", len(head)), head, *parts])
    headers = {"Cache-Control": "no-store", "Vary": "Accept-Encoding"}
    if accepts_gzip(request):
        headers["Content-Encoding"] = "gzip"
        body = await compress(body)
    return Response(body, media_type=BUNDLE_MEDIA_TYPE, headers=headers)
