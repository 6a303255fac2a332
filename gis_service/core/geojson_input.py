"""Checking GeoJSON geometry that callers send, before it reaches the database."""

from __future__ import annotations

import math

import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

from gis_service.core.errors import BadRequest

# Mainland China and its islands, generously; CGCS2000 lon/lat.
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)
MAX_VERTICES = 200_000


def parse_geometry(value: object, allowed: tuple[str, ...]) -> shapely.Geometry:
    """A valid 2-D shapely geometry of one of the allowed GeoJSON types, or a clear 400."""
    if not isinstance(value, dict) or "type" not in value:
        raise BadRequest(
            "geometry must be a GeoJSON geometry object with a 'type'.",
            "geometry 必须是带 type 的 GeoJSON 几何对象。",
        )
    if value["type"] not in allowed:
        raise BadRequest(
            f"geometry type {value['type']!r} is not accepted here; use {', '.join(allowed)}.",
            f"此处不接受几何类型 {value['type']!r}，请使用 {'、'.join(allowed)}。",
        )
    try:
        geom = shape(value)
    except Exception as exc:
        raise BadRequest(
            f"geometry is not valid GeoJSON: {exc}.", f"geometry 不是有效的 GeoJSON：{exc}。"
        ) from None
    if geom.is_empty:
        raise BadRequest("geometry is empty.", "几何为空。")
    if shapely.get_num_coordinates(geom) > MAX_VERTICES:
        raise BadRequest(
            f"geometry has more than {MAX_VERTICES} vertices.", f"几何顶点超过 {MAX_VERTICES} 个。"
        )
    if geom.has_z:
        geom = shapely.force_2d(geom)
    coords = shapely.get_coordinates(geom)
    if not all(math.isfinite(v) for v in coords.ravel()):
        raise BadRequest("geometry has NaN or infinite coordinates.", "几何坐标含有 NaN 或无穷值。")
    minx, miny, maxx, maxy = geom.bounds
    bx0, by0, bx1, by1 = CHINA_BOUNDS
    if minx < bx0 or maxx > bx1 or miny < by0 or maxy > by1:
        raise BadRequest(
            "geometry lies outside China; coordinates must be lon/lat (CGCS2000) in that order.",
            "几何位于中国范围之外；坐标必须为经度/纬度（CGCS2000），且经度在前。",
        )
    if not geom.is_valid:
        reason = explain_validity(geom)
        raise BadRequest(f"geometry is not valid: {reason}.", f"几何无效：{reason}。")
    return geom
