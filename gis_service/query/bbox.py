"""The one bbox parser: `minx,miny,maxx,maxy` (or six numbers, heights dropped) in the
axis order of its CRS, for every read that takes a bbox (items, exports, markers, graves)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from pyproj import CRS, Transformer

from gis_service.core.errors import BadRequest
from gis_service.query.crs import SUPPORTED, Crs

BBox = tuple[float, float, float, float]  # x east, y north
GEOGRAPHIC_SRID = 4490
DEFAULT = SUPPORTED[0]  # CRS84: lon, lat


@dataclass(frozen=True)
class Bbox:
    box: BBox  # x east, y north, in `srid`
    srid: int
    lonlat: BBox  # the envelope of its corners in lon/lat, for the reads whose SQL works in degrees
    # a projected box as the quadrilateral of its corners in lon/lat (what PostGIS's
    # ST_Transform of its envelope gives), as WKT; None for a lon/lat box
    lonlat_outline: str | None = None


def parse_bbox(raw: str | None, crs: Crs = DEFAULT) -> Bbox | None:
    if raw is None or raw == "":
        return None
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        raise BadRequest(
            f"bbox '{raw}' contains something that is not a number.", f"bbox“{raw}”中含有非数字。"
        ) from None
    if len(values) == 6:  # a 3-D bbox: the heights are dropped
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4:
        raise BadRequest(
            "bbox needs four comma-separated numbers: minx,miny,maxx,maxy (lon/lat unless bbox-crs says otherwise).",
            "bbox 需要四个以逗号分隔的数：最小x,最小y,最大x,最大y（除非 bbox-crs 另有规定，为经度/纬度）。",
        )
    return bbox_of(values, crs)


def bbox_of(values: list[float] | tuple[float, ...], crs: Crs = DEFAULT) -> Bbox:
    """Four numbers in `crs`'s axis order, checked: finite, in range, minimum before
    maximum, inside the CRS's area (the query string's bbox and a JSON body's alike)."""
    if not all(math.isfinite(v) for v in values):
        raise BadRequest("bbox values must be finite numbers.", "bbox 的值必须是有限数。")
    a0, b0, a1, b1 = values
    x0, y0, x1, y1 = (b0, a0, b1, a1) if crs.flip else (a0, b0, a1, b1)
    if crs.srid == GEOGRAPHIC_SRID and not (
        -180 <= x0 <= 180 and -180 <= x1 <= 180 and -90 <= y0 <= 90 and -90 <= y1 <= 90
    ):
        raise BadRequest(
            "bbox is outside the valid range: longitude -180..180, latitude -90..90 (is the axis order right?).",
            "bbox 超出有效范围：经度 -180..180，纬度 -90..90（坐标轴顺序是否正确？）。",
        )
    if x0 > x1 or y0 > y1:
        raise BadRequest(
            "bbox minimum is greater than its maximum; the order is minx,miny,maxx,maxy.",
            "bbox 最小值大于最大值；顺序为 最小x,最小y,最大x,最大y。",
        )
    box = (x0, y0, x1, y1)
    if crs.srid == GEOGRAPHIC_SRID:
        return Bbox(box, crs.srid, box)
    corners = _lonlat_within_area_of_use(crs.srid, box)
    if corners is None:
        raise BadRequest(
            f"bbox is outside the area EPSG:{crs.srid} covers (is it in that CRS's metres, easting with its zone number?).",
            f"bbox 超出 EPSG:{crs.srid} 的适用范围（是否为该坐标系的米制坐标、东坐标带有带号？）。",
        )
    lons, lats = [c[0] for c in corners], [c[1] for c in corners]
    outline = ", ".join(f"{lon!r} {lat!r}" for lon, lat in [*corners, corners[0]])
    return Bbox(box, crs.srid, (min(lons), min(lats), max(lons), max(lats)), f"POLYGON(({outline}))")


@functools.cache
def _to_lonlat(srid: int) -> tuple[Transformer, tuple[float, float, float, float]]:
    area = CRS.from_epsg(srid).area_of_use
    bounds = (area.west, area.south, area.east, area.north) if area else (-180.0, -90.0, 180.0, 90.0)
    return Transformer.from_crs(srid, GEOGRAPHIC_SRID, always_xy=True), bounds


# a projected CRS is still answered a little past its area of use (a zone's edge)
AREA_MARGIN_DEG = 1.0


def _lonlat_within_area_of_use(srid: int, box: BBox) -> list[tuple[float, float]] | None:
    """A projected bbox's corners in lon/lat, going round (south-west, north-west,
    north-east, south-east), when they land inside (or just beside) its CRS's area; None
    otherwise: numbers given in the wrong CRS would reach the database."""
    transformer, (w, s, e, n) = _to_lonlat(srid)
    x0, y0, x1, y1 = box
    lons, lats = transformer.transform([x0, x0, x1, x1], [y0, y1, y1, y0])
    m = AREA_MARGIN_DEG
    inside = all(
        math.isfinite(lon) and math.isfinite(lat) and w - m <= lon <= e + m and s - m <= lat <= n + m
        for lon, lat in zip(lons, lats, strict=True)
    )
    return list(zip(lons, lats, strict=True)) if inside else None
