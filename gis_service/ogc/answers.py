"""What the OGC API answers in JSON, as documented in the service's OpenAPI document
(core/answers.py: documented, not applied at run time). The shapes are those of OGC API -
Features Part 1 and OGC API - Tiles Part 1; members are the specifications' names."""

from __future__ import annotations

from typing import Any

from gis_service.core.answers import Answer, Link


class Landing(Answer):
    title: str
    description: str | None = None
    links: list[Link]


class Conformance(Answer):
    conformsTo: list[str]  # noqa: N815 (the standard's member name)
    links: list[Link] | None = None


class Collection(Answer):
    id: str
    title: str
    description: str | None = None
    itemType: str  # noqa: N815
    crs: list[str]
    storageCrs: str  # noqa: N815
    extent: dict[str, Any] | None = None
    links: list[Link]


class Collections(Answer):
    collections: list[Collection]
    links: list[Link]


class TileMatrixSetRef(Answer):
    id: str
    title: str | None = None
    uri: str | None = None
    links: list[Link]


class TileMatrixSets(Answer):
    tileMatrixSets: list[TileMatrixSetRef]  # noqa: N815
    links: list[Link] | None = None


class TileMatrixSet(Answer):
    id: str
    title: str | None = None
    crs: str
    uri: str | None = None
    orderedAxes: list[str] | None = None  # noqa: N815
    tileMatrices: list[dict[str, Any]]  # noqa: N815


class TileSet(Answer):
    title: str | None = None
    dataType: str  # noqa: N815
    crs: str
    tileMatrixSetURI: str | None = None  # noqa: N815
    links: list[Link]


class TileSets(Answer):
    tilesets: list[TileSet]
    links: list[Link] | None = None


# A JSON Schema document (queryables, a collection's feature schema), and an OpenAPI 3.0
# document (the OGC API's own), described by what a client checks first.
JSON_SCHEMA_DOCUMENT = {
    "type": "object",
    "required": ["type", "properties"],
    "properties": {
        "$schema": {"type": "string"},
        "$id": {"type": "string"},
        "properties": {"type": "object"},
    },
}
OPENAPI_DOCUMENT = {
    "type": "object",
    "required": ["openapi", "info", "paths"],
    "properties": {"openapi": {"type": "string"}, "paths": {"type": "object"}},
}
