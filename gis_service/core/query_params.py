"""Parsing of the common query parameters (bbox, limit, cursor) with clear 4xx errors."""

from __future__ import annotations

import base64
import json
import math

from gis_service.core.errors import BadRequest

BBox = tuple[float, float, float, float]


def parse_bbox(raw: str | None) -> BBox | None:
    """'minLon,minLat,maxLon,maxLat' in degrees (RFC 7946 order)."""
    if raw is None or raw == "":
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise BadRequest(
            "bbox needs four comma-separated numbers: minLon,minLat,maxLon,maxLat.",
            "bbox 需要四个以逗号分隔的数：最小经度,最小纬度,最大经度,最大纬度。",
        )
    try:
        minx, miny, maxx, maxy = (float(p) for p in parts)
    except ValueError:
        raise BadRequest(
            f"bbox '{raw}' contains something that is not a number.", f"bbox“{raw}”中含有非数字。"
        ) from None
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        raise BadRequest("bbox values must be finite numbers.", "bbox 的值必须是有限数。")
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90):
        raise BadRequest(
            "bbox is outside the valid range: longitude -180..180, latitude -90..90.",
            "bbox 超出有效范围：经度 -180..180，纬度 -90..90。",
        )
    if minx > maxx or miny > maxy:
        raise BadRequest(
            "bbox minimum is greater than its maximum; order is minLon,minLat,maxLon,maxLat.",
            "bbox 最小值大于最大值；顺序为 最小经度,最小纬度,最大经度,最大纬度。",
        )
    return minx, miny, maxx, maxy


def parse_limit(raw: str | None, *, default: int, maximum: int, clamp: bool = False) -> int:
    """A page size: a whole number from 1; above `maximum` clamped (as OGC API asks) or,
    without `clamp`, refused."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"limit '{raw}' is not a whole number.", f"limit“{raw}”不是整数。") from None
    if value < 1:
        raise BadRequest("limit must be at least 1.", "limit 至少为 1。")
    if value > maximum and not clamp:
        raise BadRequest(f"limit must be between 1 and {maximum}.", f"limit 必须在 1 到 {maximum} 之间。")
    return min(value, maximum)


def encode_cursor(last_key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([last_key]).encode()).decode().rstrip("=")


def decode_cursor(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        padded = raw + "=" * (-len(raw) % 4)
        (value,) = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(value, str):
            raise ValueError
        return value
    except Exception:
        raise BadRequest(
            "cursor is not valid; use the 'next' link of the previous page.",
            "cursor 无效，请使用上一页返回的 next 链接。",
        ) from None


def parse_bool(name: str, raw: str | None) -> bool:
    if raw is None or raw == "":
        return False
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise BadRequest(f"{name} must be true or false.", f"{name} 必须是 true 或 false。")
