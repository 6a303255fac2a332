"""Which tiles cover an area: every tile over the area's bounding box at small zooms,
then, zoom by zoom, only the children of the tiles kept that touch the area itself, so a
long thin line costs a band of tiles rather than its whole bounding box."""

from __future__ import annotations

import math

FULL_BBOX_BELOW = 11  # a handful of tiles at these zooms: no need to test each one
WEB_MERCATOR_SIDE_M = 40_075_016.686  # the world's width in EPSG:3857 metres

TileId = tuple[int, int, int]


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    lat = max(min(lat, 85.0511), -85.0511)
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def bbox_tiles(bbox: tuple[float, float, float, float], z: int) -> list[TileId]:
    w, s, e, n = bbox
    x0, y0 = lonlat_to_tile(w, n, z)
    x1, y1 = lonlat_to_tile(e, s, z)
    return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def children(tiles: list[TileId]) -> list[TileId]:
    return [(z + 1, 2 * x + dx, 2 * y + dy) for z, x, y in tiles for dx in (0, 1) for dy in (0, 1)]


# The candidate tiles (one zoom) that touch the area, given as its pieces in EPSG:3857.
TOUCHING_SQL = """
SELECT DISTINCT c.x, c.y FROM unnest(%(xs)s::int[], %(ys)s::int[]) AS c(x, y)
JOIN area_pieces a ON ST_Intersects(a.g, ST_TileEnvelope(%(z)s, c.x, c.y))
"""


async def covering(conn, area_sql: str, params: dict, bbox, max_zoom: int) -> dict[int, list[TileId]]:
    """The tiles of each zoom 0..max_zoom that cover the area (a geometry in EPSG:4490
    given by `area_sql`)."""
    await conn.execute("DROP TABLE IF EXISTS area_pieces")
    await conn.execute(
        f"CREATE TEMP TABLE area_pieces ON COMMIT DROP AS SELECT ST_Subdivide(ST_Transform(({area_sql}), 3857), 64) AS g",
        params,
    )
    await conn.execute("CREATE INDEX ON area_pieces USING gist (g)")
    out: dict[int, list[TileId]] = {}
    for z in range(0, max_zoom + 1):
        if z < FULL_BBOX_BELOW:
            out[z] = bbox_tiles(bbox, z)
            continue
        candidates = children(out[z - 1])
        cur = await conn.execute(
            TOUCHING_SQL, {"xs": [c[1] for c in candidates], "ys": [c[2] for c in candidates], "z": z}
        )
        out[z] = sorted((z, x, y) for x, y in await cur.fetchall())
    return out


def estimated_tiles(area_m2: float, perimeter_m: float, bbox, max_zoom: int) -> list[int]:
    """Tiles per zoom 0..max_zoom that an area of this size and outline needs, without
    touching a tile: the bounding box's count at small zooms, then area / tile + outline /
    side (each tile the outline crosses) + 1. Within a few per cent of `covering` for real
    areas, and free to compute, so a request for millions of tiles is refused at once."""
    counts = []
    for z in range(0, max_zoom + 1):
        if z < FULL_BBOX_BELOW:
            counts.append(len(bbox_tiles(bbox, z)))
            continue
        side = WEB_MERCATOR_SIDE_M / (1 << z)
        counts.append(math.ceil(area_m2 / side**2 + perimeter_m / side + 1))
    return counts
