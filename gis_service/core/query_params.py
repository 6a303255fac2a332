"""Parsing of the common query parameters (limit, cursor, booleans) with clear 4xx
errors; the bbox has its own parser in gis_service/query/bbox.py."""

from __future__ import annotations

import base64
import json

from gis_service.core.errors import BadRequest


def parse_limit(raw: str | None, *, default: int, maximum: int) -> int:
    """A page size: a whole number from 1; above `maximum` clamped, as OGC API asks, on
    every list (the next link carries on from there)."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"limit '{raw}' is not a whole number.", f"limit“{raw}”不是整数。") from None
    if value < 1:
        raise BadRequest("limit must be at least 1.", "limit 至少为 1。")
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
