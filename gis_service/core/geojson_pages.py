"""The one FeatureCollection writer: collections built around features PostgreSQL already
serialised (one JSON text each, or several comma-separated), paged or whole, sent at once
or streamed."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from gis_service.core.openapi_links import FIRST_FEATURE_ID, record_link
from gis_service.core.public_url import public_request_url, with_query
from gis_service.core.query_params import encode_cursor

GEOJSON = "application/geo+json"


class GeoJSONResponse(Response):
    """A route's response class when it answers GeoJSON: the OpenAPI document then names
    application/geo+json, not FastAPI's default JSON."""

    media_type = GEOJSON


# What the OpenAPI document says a GeoJSON answer holds (RFC 7946), for clients and for
# the fuzzer that checks every answer against the document.
_GEOMETRY = {"type": ["object", "null"], "required": ["type"], "properties": {"type": {"type": "string"}}}
FEATURE_SCHEMA = {
    "type": "object",
    "required": ["type", "geometry", "properties"],
    "properties": {
        "type": {"enum": ["Feature"]},
        "id": {"type": ["string", "integer"]},
        "geometry": _GEOMETRY,
        "properties": {"type": ["object", "null"]},
    },
}
COLLECTION_SCHEMA = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": FEATURE_SCHEMA},
        "numberReturned": {"type": "integer"},
        "numberMatched": {"type": "integer"},
        "links": {"type": "array", "items": {"type": "object", "required": ["href"]}},
    },
}


def geojson_answer(schema: dict, *, also: tuple[str, ...] = (), **extra) -> dict:
    """A route's documented 200 answer: GeoJSON with its schema (and other media types the
    route can also give, undescribed), plus extra entries such as `links`."""
    content = {GEOJSON: {"schema": schema}} | {media: {} for media in also}
    return {"description": schema["properties"]["type"]["enum"][0], "content": content, **extra}


def features_answer(record_path: str, id_param: str, *, also: tuple[str, ...] = (), **params: str) -> dict:
    """A feature list's documented 200 answer: a FeatureCollection whose first feature's
    id leads to its record at `record_path` (as `id_param`, beside any other `params`)."""
    link = record_link(record_path, **{id_param: FIRST_FEATURE_ID}, **params)
    return geojson_answer(COLLECTION_SCHEMA, also=also, **link)


def page_links(
    request: Request, next_key: str | None, next_limit: int | None = None, here: str | None = None
) -> list[dict]:
    """`self` (`here`, by default this request's public URL), and `next` (that URL with the
    cursor moved on, and `next_limit` as its limit when given) when more rows follow."""
    here = here or public_request_url(request)
    links = [{"rel": "self", "type": GEOJSON, "href": here}]
    if next_key is not None:
        moved = {"cursor": encode_cursor(next_key)} | ({"limit": next_limit} if next_limit else {})
        links.append({"rel": "next", "type": GEOJSON, "href": with_query(here, request, **moved)})
    return links


def collection_parts(links: list[dict] | None = None, members: str = "") -> tuple[str, str]:
    """The text before and after the features: for a stream, which cannot count them first.
    `members` are extra JSON members, each ending with a comma."""
    linked = f'"links":{orjson.dumps(links).decode()},' if links is not None else ""
    return '{"type":"FeatureCollection",' + members + linked + '"features":[', "]}"


def feature_collection(
    features: str, returned: int, links: list[dict] | None = None, members: str = ""
) -> str:
    """The collection as text around the features (comma-separated), with how many."""
    head, tail = collection_parts(links, members + f'"numberReturned":{returned},')
    return head + features + tail


def collection_response(features: list[str], request: Request | None = None) -> Response:
    """A whole (unpaged) collection of serialised features, with its `self` link."""
    links = page_links(request, None) if request is not None else None
    return Response(feature_collection(",".join(features), len(features), links), media_type=GEOJSON)
