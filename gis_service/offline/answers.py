"""What the offline-area routes answer (core/answers.py: documented, not applied)."""

from __future__ import annotations

from typing import Any

from gis_service.core.answers import Answer


class AreaOutline(Answer):
    kind: str
    code: str | None
    bbox: list[float]
    name: str
    max_zoom: int


class Manifest(Answer):
    """What an area needs offline. `tiles` are [url, etag, layer]; `records` are
    [key, etag]; `estimated_bytes` is the expected download (its parts in `estimate`)."""

    area: AreaOutline
    etag: str
    tiles: list[list[Any]]
    records: list[list[str]]
    counts: dict[str, Any]
    estimated_bytes: int
    estimate: dict[str, int]
    for_user: str


class StoredRecord(Answer):
    key: str
    etag: str
    data: dict


class Records(Answer):
    """The records asked for, each with its ETag; `gone` are keys that no longer exist
    (or that the caller may no longer read)."""

    records: list[StoredRecord]
    gone: list[str]
