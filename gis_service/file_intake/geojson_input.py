"""Checking GeoJSON geometry that callers send, before it reaches the database."""

from __future__ import annotations

import math

import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

from gis_service.core.errors import BadRequest
from gis_service.core.settings import get_settings

# Mainland China and its islands, generously; CGCS2000 lon/lat.
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)
# GeoJSON is lon/lat (RFC 7946); an old-style "crs" member may only say so.
LON_LAT_CRS = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "EPSG:4326",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4490",
    "urn:ogc:def:crs:EPSG::4490",
    "http://www.opengis.net/def/crs/EPSG/0/4490",
}


def _check_positions(coords: object, depth: int = 0, limit: int | None = None) -> int:
    """Every position is [lon, lat] of two finite numbers; returns the vertex count.
    3-D and measured (M) positions are refused rather than silently flattened; more than
    MAX_VERTICES_PER_FEATURE vertices (the limit uploaded files have too) are refused."""
    limit = limit or get_settings().max_vertices_per_feature
    if depth > 4 or not isinstance(coords, list | tuple):
        raise BadRequest(
            "geometry coordinates are not nested lists of [lon, lat] positions.",
            "几何坐标不是由 [经度, 纬度] 组成的嵌套数组。",
        )
    if coords and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords):
        if len(coords) != 2:
            raise BadRequest(
                f"positions must be [lon, lat]; got {len(coords)} numbers (3-D and M values are not accepted).",
                f"坐标点必须为 [经度, 纬度]，收到 {len(coords)} 个数值（不接受三维或 M 值）。",
            )
        if not all(math.isfinite(c) for c in coords):
            raise BadRequest("geometry has NaN or infinite coordinates.", "几何坐标含有 NaN 或无穷值。")
        return 1
    total = 0
    for item in coords:
        total += _check_positions(item, depth + 1, limit)
        if total > limit:
            raise BadRequest(
                f"geometry has more than {limit:,} vertices; simplify it first.",
                f"几何顶点超过 {limit:,} 个，请先简化。",
            )
    return total


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
    crs = value.get("crs")
    if crs is not None:
        name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else crs
        if name not in LON_LAT_CRS:
            raise BadRequest(
                f"geometry crs {name!r} is not accepted: send lon/lat (CRS84, EPSG:4326 or EPSG:4490).",
                f"不接受几何坐标系 {name!r}：请使用经纬度（CRS84、EPSG:4326 或 EPSG:4490）。",
            )
    if "coordinates" not in value:
        raise BadRequest("geometry has no coordinates.", "几何缺少 coordinates。")
    if _check_positions(value["coordinates"]) == 0:
        raise BadRequest("geometry is empty.", "几何为空。")
    try:
        geom = shape(value)
    except Exception as exc:
        raise BadRequest(
            f"geometry is not valid GeoJSON: {exc}.", f"geometry 不是有效的 GeoJSON：{exc}。"
        ) from None
    if geom.is_empty:
        raise BadRequest("geometry is empty.", "几何为空。")
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
