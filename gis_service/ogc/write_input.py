"""Checking what an OGC API Part 4 write sends, before any SQL runs.

Properties are checked against the edit table's own column definitions (type, length,
NOT NULL), so a bad or missing field gets a 400 that names it instead of the database's
anonymous refusal. Geometry may come in any CRS the API offers, named by `Content-Crs`;
it is brought to lon/lat CGCS2000 here and then checked like any other geometry.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from functools import lru_cache

from pyproj import Transformer

from gis_service.catalogue.service import Column
from gis_service.core.errors import BadRequest
from gis_service.query.crs import SUPPORTED, Crs, parse_crs

INTEGER_TYPES = {"integer", "bigint", "smallint"}
NUMBER_TYPES = {"numeric", "double precision", "real"}
TEXT_TYPES = {"text", "character varying", "character"}


def content_crs(header: str | None) -> Crs:
    """The CRS named by a write's Content-Crs header (`<uri>`); CRS84 when absent."""
    if header is None or not header.strip():
        return SUPPORTED[0]
    return parse_crs(header.strip().strip("<>"), "Content-Crs")


@lru_cache(maxsize=8)
def _to_storage(srid: int) -> Transformer:
    return Transformer.from_crs(srid, 4490, always_xy=True)


def to_lon_lat(geometry: object, crs: Crs) -> object:
    """The geometry's positions in lon/lat order and CGCS2000 degrees. Anything that is not
    a plain GeoJSON geometry is returned as it came, for the geometry check to refuse."""
    if crs is SUPPORTED[0] or not isinstance(geometry, dict) or "coordinates" not in geometry:
        return geometry
    transformer = _to_storage(crs.srid) if crs.srid != 4490 else None

    def walk(coords: object, depth: int) -> object:
        if depth > 4 or not isinstance(coords, list):
            return coords
        if len(coords) == 2 and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords):
            x, y = (coords[1], coords[0]) if crs.flip else (coords[0], coords[1])
            if transformer is not None:
                x, y = transformer.transform(x, y)
            return [x, y]
        return [walk(c, depth + 1) for c in coords]

    return {**geometry, "coordinates": walk(geometry["coordinates"], 0)}


def _refuse(name: str, en: str, zh: str) -> BadRequest:
    return BadRequest(f"Property '{name}' {en}.", f"属性“{name}”{zh}。")


def _check_value(name: str, value: object, column: Column) -> None:
    t = column.sql_type
    if t == "date":
        try:
            date.fromisoformat(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _refuse(name, "must be a date like 2025-01-31", "必须是日期，如 2025-01-31") from None
    elif t.startswith("timestamp"):
        try:
            datetime.fromisoformat(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _refuse(
                name, "must be a time like 2025-01-31T08:00:00Z", "必须是时间，如 2025-01-31T08:00:00Z"
            ) from None
    elif t in INTEGER_TYPES:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _refuse(name, "must be a whole number", "必须是整数")
    elif t in NUMBER_TYPES:
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            raise _refuse(name, "must be a finite number", "必须是有限数值")
    elif t == "boolean":
        if not isinstance(value, bool):
            raise _refuse(name, "must be true or false", "必须是 true 或 false")
    elif t == "ARRAY":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _refuse(name, "must be a list of texts", "必须是文本列表")
    elif t in TEXT_TYPES:
        if not isinstance(value, str):
            raise _refuse(name, "must be text", "必须是文本")
        if column.max_length and len(value) > column.max_length:
            raise _refuse(
                name,
                f"is longer than {column.max_length} characters",
                f"超过 {column.max_length} 个字符",
            )


def check_properties(props: dict, columns: dict[str, Column], required: list[str], *, partial: bool) -> None:
    """A 400 naming the first property that is missing, empty where it may not be, or of
    the wrong type. A partial update checks only what it sends."""
    if not partial:
        for name in required:
            if props.get(name) in (None, "", []):
                raise _refuse(name, "is required", "为必填项")
    for name, value in props.items():
        column = columns.get(name)
        if column is None:
            continue
        if value is None:
            if not column.nullable and not column.has_default:
                raise _refuse(name, "must not be empty", "不能为空")
            continue
        _check_value(name, value, column)
