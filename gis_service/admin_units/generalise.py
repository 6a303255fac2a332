"""Unit polygons generalised per zoom for the tiles below z10, without gaps.

A zoomed-out tile over China holds thousands of county outlines; drawing them at full
detail made a z3 tile cost over half a second. Simplifying polygon by polygon would open
gaps and overlaps between neighbours, because each side of a shared edge would lose
different vertices. Here each level (provinces, cities, counties) is simplified as one
coverage (GEOS coverage simplification, Visvalingam-Whyatt on each shared edge once), so
neighbours keep identical edges at every zoom. Each zoom is simplified from the one
above it, z9 from the source polygons.

The work is done at setup, after the reference data is loaded, and again for a level
whenever one of its units is new or its polygon changed (the trigger of migration 0026
forgets a changed unit; until then tiles draw that unit from its own polygon).
"""

from __future__ import annotations

import asyncio
import logging
import time

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.core.db import insert_columns

log = logging.getLogger(__name__)

LEVELS = ("province", "city", "county")  # the levels drawn as areas
ZOOMS = range(0, 10)  # every zoom whose tiles draw whole polygons (below PIECES_FROM_ZOOM)
TILE_UNITS = 4096
# How far edges are simplified, in units of a 4096-unit tile: a vertex goes when the
# triangle it makes with its neighbours is under 4 x 4 units, which moves the outline by
# well under a pixel of a 256-pixel tile (16 units).
TOLERANCE_TILE_UNITS = 4


def tolerance_degrees(zoom: int) -> float:
    """The simplification tolerance at `zoom`, in degrees (a Web Mercator tile is
    360 / 2^zoom degrees of longitude wide)."""
    return 360 / 2**zoom / TILE_UNITS * TOLERANCE_TILE_UNITS


def generalise(polygons: np.ndarray) -> tuple[dict[int, np.ndarray], bool]:
    """One level's polygons simplified together for each zoom (same order as given), and
    whether they already formed a clean coverage. A coverage with overlaps or unmatched
    edges is cleaned first, or its simplification could open the gaps it is meant to avoid."""
    clean = bool(shapely.coverage_is_valid(polygons))
    current = polygons if clean else shapely.coverage_clean(polygons)
    by_zoom: dict[int, np.ndarray] = {}
    for zoom in sorted(ZOOMS, reverse=True):
        current = shapely.coverage_simplify(current, tolerance_degrees(zoom))
        by_zoom[zoom] = current
    return by_zoom, clean


def holes(polygons: np.ndarray) -> int:
    """How many holes the union of `polygons` has: a gap between neighbours is one."""
    try:
        union = shapely.coverage_union_all(polygons)  # fast, for a clean coverage
    except shapely.errors.GEOSException:
        union = shapely.union_all(polygons)
    return sum(len(p.interiors) for p in getattr(union, "geoms", [union]))


_STALE_LEVELS = text("""
SELECT DISTINCT u.level FROM admin_unit u
LEFT JOIN admin_unit_generalised g ON g.code = u.code AND g.zoom = :deepest
WHERE u.valid_to IS NULL AND u.geom IS NOT NULL AND NOT ST_IsEmpty(u.geom)
  AND u.level = ANY(:levels) AND g.code IS NULL
""")

_POLYGONS = text("""
SELECT code, ST_AsBinary(geom) FROM admin_unit
WHERE valid_to IS NULL AND geom IS NOT NULL AND NOT ST_IsEmpty(geom) AND level = :level
ORDER BY code
""")

_INSERT = text("""
INSERT INTO admin_unit_generalised (code, zoom, geom)
SELECT c, :zoom, ST_Multi(ST_GeomFromWKB(w, 4490))
FROM unnest(CAST(:code AS text[]), CAST(:wkb AS bytea[])) AS r(c, w)
""")


async def ensure_generalised(db_session: AsyncSession) -> dict[str, dict]:
    """Generalise every level that has a unit without generalised polygons; the caller
    commits. A level is stale when a unit lacks its deepest zoom: a changed unit has lost
    them all, and a database generalised before a deeper zoom was kept lacks that one.
    Returns, per level done, its unit count, vertices at z9 and z3 beside the source,
    and whether the source was a clean coverage."""
    stale = (
        (await db_session.execute(_STALE_LEVELS, {"levels": list(LEVELS), "deepest": max(ZOOMS)}))
        .scalars()
        .all()
    )
    done: dict[str, dict] = {}
    for level in stale:
        started = time.perf_counter()
        rows = (await db_session.execute(_POLYGONS, {"level": level})).all()
        codes = [code for code, _ in rows]
        source = shapely.from_wkb([bytes(wkb) for _, wkb in rows])
        # shapely releases the GIL: the event loop stays free while a country is simplified
        by_zoom, clean = await asyncio.to_thread(generalise, source)
        await db_session.execute(
            text("DELETE FROM admin_unit_generalised WHERE code = ANY(:codes)"), {"codes": codes}
        )
        for zoom, polygons in by_zoom.items():
            wkb = [bytes(w) for w in shapely.to_wkb(polygons)]
            await insert_columns(
                db_session,
                _INSERT,
                [{"code": c, "wkb": w} for c, w in zip(codes, wkb, strict=True)],
                ["code", "wkb"],
                zoom=zoom,
            )
        done[level] = {
            "units": len(codes),
            "vertices": int(shapely.get_num_coordinates(source).sum()),
            "vertices_z9": int(shapely.get_num_coordinates(by_zoom[9]).sum()),
            "vertices_z3": int(shapely.get_num_coordinates(by_zoom[3]).sum()),
            "clean_coverage": clean,
            "seconds": round(time.perf_counter() - started, 1),
        }
        log.info("generalised %s polygons: %s", level, done[level])
    return done
