"""Paged GeoJSON FeatureCollections built around features Postgres already serialised."""

from __future__ import annotations

import orjson
from starlette.requests import Request

from gis_service.core.public_url import public_request_url, with_query
from gis_service.core.query_params import encode_cursor

GEOJSON = "application/geo+json"


def page_links(request: Request, next_key: str | None, next_limit: int | None = None) -> list[dict]:
    """`self`, and `next` (this URL with the cursor moved on, and `next_limit` as its
    limit when given) when more rows follow."""
    here = public_request_url(request)
    links = [{"rel": "self", "type": GEOJSON, "href": here}]
    if next_key is not None:
        moved = {"cursor": encode_cursor(next_key)} | ({"limit": next_limit} if next_limit else {})
        links.append({"rel": "next", "type": GEOJSON, "href": with_query(here, request, **moved)})
    return links


def feature_collection(features: str, returned: int, links: list[dict], members: str = "") -> str:
    """The collection as text around the features PostgreSQL wrote (comma-separated);
    `members` are extra JSON members, each ending with a comma."""
    return (
        '{"type":"FeatureCollection",'
        + members
        + f'"numberReturned":{returned},"links":'
        + orjson.dumps(links).decode()
        + ',"features":['
        + features
        + "]}"
    )
