"""One paging rule for every list of features: `limit` (10 by default, clamped to
10,000, as OGC API asks) and an opaque `cursor` taken from the `next` link. The catalogue's
feature query and the domain lists that are not a layer's (the register of units, with
its dates) declare them from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from gis_service.core.query_params import decode_cursor, parse_limit

DEFAULT_LIMIT, MAX_LIMIT = 10, 10_000

# (JSON schema, description): what the OpenAPI documents say of each parameter
LIMIT = (
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    f"Features per page (default {DEFAULT_LIMIT}; above {MAX_LIMIT} it is {MAX_LIMIT}).",
)
CURSOR = ({"type": "string"}, "Opaque position of the next page (from the next link).")


def documented(name: str, schema: dict, description: str):
    """A query parameter taken as text (parsed with its own 400) whose OpenAPI schema is the
    declared one, not "string or null"."""

    def declared(generated: dict) -> None:
        generated.clear()
        generated.update(schema)

    return Query(alias=name, description=description, json_schema_extra=declared)


@dataclass(frozen=True)
class Page:
    limit: int
    after: str | None  # the key the page starts after (from the cursor)


async def page_query(
    limit: Annotated[str | None, documented("limit", *LIMIT)] = None,
    cursor: Annotated[str | None, documented("cursor", *CURSOR)] = None,
) -> Page:
    return Page(parse_limit(limit, default=DEFAULT_LIMIT, maximum=MAX_LIMIT), decode_cursor(cursor))


PageQuery = Annotated[Page, Depends(page_query)]
