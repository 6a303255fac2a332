"""One base map tile, whichever door asks for it: its route, or a bundle of an offline
area's tiles."""

from __future__ import annotations

from typing import NamedTuple

from fastapi import Request

from gis_service.basemap import reference
from gis_service.basemap.packages import MBTiles, PMTiles
from gis_service.catalogue.tile_cache import cached_tile, current_versions
from gis_service.core.errors import BadRequest


def package(request: Request) -> MBTiles | PMTiles | None:
    """The bureau's own package (BASEMAP_FILE), or None for the reference base map."""
    return request.app.state.basemap


class StoredTile(NamedTuple):
    etag: str
    data: bytes
    gzipped: bool
    media_type: str


async def stored_tile(request: Request, z: int, x: int, y: int) -> StoredTile | None:
    """One base map tile, or None where there is none to draw, after the checks every
    door makes (the tile route, or a bundle of an offline area's tiles)."""
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise BadRequest(
            f"Tile {z}/{x}/{y} does not exist: x and y are 0..2^z-1.",
            f"切片 {z}/{x}/{y} 不存在：x、y 取 0..2^z-1。",
        )
    pkg = package(request)
    if pkg is None:
        if z > reference.MAX_ZOOM:
            return None
        key = reference.tile_key(await current_versions(request, reference.TABLES), z, x, y)
        data = await cached_tile(request, key, lambda conn: reference.tile(conn, z, x, y))
        return StoredTile(f'"{key}"', data, True, reference.INFO.media_type) if data else None
    found = pkg.tile(z, x, y)
    if found is None or not found.data:
        return None
    return StoredTile(found.etag, found.data, found.gzipped, pkg.info.media_type)
