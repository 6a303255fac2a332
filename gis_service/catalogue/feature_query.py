"""One query for reading features, the same at both doors: /api/v1/layers/{id}/items and
/ogc/collections/{id}/items.

The parameters are declared once (`PARAMETERS`): FastAPI takes them as typed query
parameters, so /openapi.json carries their types, defaults and maxima, and the OGC API's
own document (/ogc/api) lists the same ones. Each is parsed here with one rule and a 400
that names it: `limit` above the maximum is clamped, as OGC API asks; a 6-number bbox
drops its heights; `bbox` and `filter` are read in the CRS they name.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Annotated

from fastapi import Depends, Query, Request, Response

from gis_service.catalogue import service as layers
from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.catalogue.reads import FeatureReads, page_key
from gis_service.core.errors import BadRequest
from gis_service.core.etags import revalidated, unchanged
from gis_service.core.geojson_pages import GEOJSON, feature_collection, page_links
from gis_service.core.query_params import parse_bool
from gis_service.query import cql2, temporal
from gis_service.query.bbox import Bbox, parse_bbox
from gis_service.query.crs import CRS84, SUPPORTED, Crs, crs_headers, parse_crs
from gis_service.query.paging import CURSOR, LIMIT, PageQuery, documented, page_query

FILTER_LANGS = ["cql2-text", "cql-text"]  # cql-text: the draft's name, which GDAL still sends
CRS_URIS = [c.uri for c in SUPPORTED]

# name -> (JSON schema, description): what both OpenAPI documents say about each parameter
PARAMETERS: dict[str, tuple[dict, str]] = {
    "limit": LIMIT,
    "bbox": (
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        "Bounding box in bbox-crs (CRS84 lon/lat by default): min x, min y, max x, max y "
        "(a 6-number box's heights are ignored).",
    ),
    "bbox-crs": ({"type": "string", "format": "uri", "enum": CRS_URIS}, "CRS of bbox."),
    "crs": ({"type": "string", "format": "uri", "enum": CRS_URIS}, "CRS of the response geometries."),
    "datetime": (
        {"type": "string"},
        "An instant, a whole day or an interval ('..' for an open end) on the layer's time property.",
    ),
    "filter": ({"type": "string"}, "A CQL2 text filter on the queryable properties."),
    "filter-lang": ({"type": "string", "enum": FILTER_LANGS, "default": "cql2-text"}, "Filter language."),
    "filter-crs": (
        {"type": "string", "format": "uri", "enum": [CRS84]},
        "CRS of geometries in the filter (CRS84).",
    ),
    "cursor": CURSOR,
    "skipGeometry": ({"type": "boolean", "default": False}, "Leave out the geometries."),
}
NAMES = set(PARAMETERS) | {"skip_geometry"}  # skip_geometry: the map API's older spelling


def openapi_parameter(name: str) -> dict:
    schema, description = PARAMETERS[name]
    extra = {"style": "form", "explode": False} if name == "bbox" else {}
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        **extra,
    }


def _param(name: str):
    schema, description = PARAMETERS[name]
    if name == "bbox":  # FastAPI cannot say style=form, explode=false: the text as it is sent
        schema = {"type": "string", "example": "109.5,39.5,110.2,40.0"}
    return documented(name, schema, description)


@dataclass(frozen=True)
class FeatureQuery:
    area: Bbox | None  # the bbox, in its own CRS
    crs: Crs
    limit: int
    after: str | None
    datetime: str | None
    filter: str | None
    skip_geometry: bool

    @cached_property
    def text(self) -> str:
        """The whole query, faithfully, for a page's key: written once per parsed query."""
        return repr(self)


async def bbox_query(
    bbox: Annotated[str | None, _param("bbox")] = None,
    bbox_crs: Annotated[str | None, _param("bbox-crs")] = None,
) -> Bbox | None:
    """`bbox` with `bbox-crs`, for the reads that take nothing else of the feature query."""
    return parse_bbox(bbox, parse_crs(bbox_crs, "bbox-crs"))


BboxQuery = Annotated[Bbox | None, Depends(bbox_query)]


async def crs_query(crs: Annotated[str | None, _param("crs")] = None) -> Crs:
    return parse_crs(crs)


async def filter_query(
    filter: Annotated[str | None, _param("filter")] = None,  # noqa: A002 - the standard's name
    filter_lang: Annotated[str | None, _param("filter-lang")] = None,
    filter_crs: Annotated[str | None, _param("filter-crs")] = None,
) -> str | None:
    """A CQL2 text `filter` (checked against a layer's columns when it is read)."""
    if filter and (filter_lang or "cql2-text") not in FILTER_LANGS:
        raise BadRequest("filter-lang must be cql2-text.", "filter-lang 必须是 cql2-text。")
    if filter and parse_crs(filter_crs, "filter-crs").uri != CRS84:
        raise BadRequest("filter-crs must be CRS84 (lon/lat).", "filter-crs 必须是 CRS84（经度/纬度）。")
    return filter or None


async def datetime_query(datetime: Annotated[str | None, _param("datetime")] = None) -> str | None:
    return datetime or None


async def skip_geometry_query(
    skip_geometry: Annotated[str | None, _param("skipGeometry")] = None,
    skip_geometry_old: Annotated[str | None, Query(alias="skip_geometry", include_in_schema=False)] = None,
) -> bool:
    return parse_bool("skipGeometry", skip_geometry) or parse_bool("skip_geometry", skip_geometry_old)


CrsQuery = Annotated[Crs, Depends(crs_query)]
FilterQuery = Annotated[str | None, Depends(filter_query)]
DatetimeQuery = Annotated[str | None, Depends(datetime_query)]
SkipGeometryQuery = Annotated[bool, Depends(skip_geometry_query)]


async def feature_query(
    area: BboxQuery,
    crs: CrsQuery,
    page: PageQuery,
    datetime: DatetimeQuery,
    filter: FilterQuery,  # noqa: A002
    skip_geometry: SkipGeometryQuery,
) -> FeatureQuery:
    """The whole query of a feature list, from its typed parts."""
    return FeatureQuery(area, crs, page.limit, page.after, datetime, filter, skip_geometry)


FeatureQueryDep = Annotated[FeatureQuery, Depends(feature_query)]


# The queries parsed last, by their query string: a page asked again (a map redrawn, a
# client revalidating) is answered from the kept pages, and parsing was a tenth of that.
# Only short strings are kept (a bbox, a limit, a cursor, a short filter), so that 512 of
# them stay within about a megabyte: a URL carries no length limit of its own here.
_PARSED: OrderedDict[bytes, FeatureQuery] = OrderedDict()
_PARSED_MAX = 512
_PARSED_LONGEST = 1024


async def feature_query_from(request: Request) -> FeatureQuery:
    """What FeatureQueryDep resolves to, by the same parsers in the same order, for a
    LeanRoute (the pages of features, which FastAPI's solving of these seven dependencies
    made a fifth slower). The result depends on the query string alone."""
    raw = request.scope.get("query_string", b"")
    query = _PARSED.get(raw)
    if query is None:
        query = await _parse(request)
        if len(raw) <= _PARSED_LONGEST:
            _PARSED[raw] = query
            if len(_PARSED) > _PARSED_MAX:
                _PARSED.popitem(last=False)
    return query


async def _parse(request: Request) -> FeatureQuery:
    q = request.query_params.get  # the last of a repeated parameter, as FastAPI takes it
    return await feature_query(
        await bbox_query(q("bbox"), q("bbox-crs")),
        await crs_query(q("crs")),
        await page_query(q("limit"), q("cursor")),
        await datetime_query(q("datetime")),
        await filter_query(q("filter"), q("filter-lang"), q("filter-crs")),
        await skip_geometry_query(q("skipGeometry"), q("skip_geometry")),
    )


async def conditions(layer: LayerDeclaration, query: FeatureQuery, pool) -> tuple[str, dict] | None:
    """The query's CQL2 filter (type-checked against the layer's columns before any SQL
    runs) and its datetime, as one SQL condition with bound values."""
    found = []
    if query.filter:
        types = await layers.sql_types(pool, layer=layer)
        queryables = {
            name: cql2.kind_of(types.get(name, "text")) for name in (layer.id_column, *layer.properties)
        }
        found.append(cql2.to_sql(query.filter, queryables=queryables, geometry_column=layer.geometry_column))
    if query.datetime:
        if not layer.temporal_property:
            raise BadRequest(
                f"Collection '{layer.id}' has no time dimension; leave out datetime.",
                f"数据集“{layer.id}”没有时间维度，请去掉 datetime。",
            )
        span = temporal.condition(query.datetime, f"t.{layers.q(layer.temporal_property)}")
        if span:  # None for "../..": every time
            found.append(span)
    if not found:
        return None
    return " AND ".join(f"({sql})" for sql, _ in found), {
        k: v for _, bound in found for k, v in bound.items()
    }


async def read_page(
    reads: FeatureReads, layer: LayerDeclaration, query: FeatureQuery, filters: dict, *, count: bool
) -> layers.ItemsPage:
    """One page of the layer for this query: the single read both doors share, kept by the
    worker until one of the layer's tables changes (catalogue/reads.py)."""
    versions = await reads.versions(layer.depends_on or [layer.source])
    key = page_key(layer, versions, query.text, sorted(filters.items()), count)
    page = reads.pages.get(key)
    if page is None:
        page = replace(await _read_page(reads, layer, query, filters, count=count), etag=f'W/"{key}"')
        reads.pages.put(key, page)
    return page


async def _read_page(
    reads: FeatureReads, layer: LayerDeclaration, query: FeatureQuery, filters: dict, *, count: bool
) -> layers.ItemsPage:
    pool = await reads.pool()  # after the versions: see catalogue/reads.py
    condition = await conditions(layer, query, pool)
    out = layers.OutputCrs(srid=query.crs.srid, flip=query.crs.flip, decimals=query.crs.decimals)
    async with reads.slots, pool.connection() as conn:
        return await layers.items(
            conn,
            layer=layer,
            area=query.area,
            limit=query.limit,
            after=query.after,
            filters=filters,
            skip_geometry=query.skip_geometry,
            out=out,
            count=count,
            condition=condition,
        )


def and_filters(*parts: str | None) -> str | None:
    """CQL2 filters joined with AND (a route's own conditions beside the caller's filter)."""
    present = [f"({p})" for p in parts if p]
    return " AND ".join(present) or None


async def items_response(
    request: Request, reads: FeatureReads, layer: LayerDeclaration, query: FeatureQuery, filters: dict
) -> Response:
    """A page of the layer as a GeoJSON FeatureCollection with its `next` link: what every
    list of features answers (the layers' items, and the domain lists over their layers)."""
    page = await read_page(reads, layer, query, filters, count=False)
    headers = crs_headers(query.crs) | revalidated(page.etag)
    if unchanged(request.headers.get("if-none-match"), page.etag):
        return Response(status_code=304, headers=headers)
    body = feature_collection(page.features_json, page.returned, page_links(request, page.next_key))
    return Response(body, media_type=GEOJSON, headers=headers)
