"""OGC API - Features (Parts 1 and 2) over the layer catalogue, at /ogc.

Collections are the catalogue's layers; paging follows `next` links built from a keyset
cursor; `limit` above the maximum is clamped; unknown parameters are refused; CRS84 is
the default output and EPSG:4490 / 4524 / 4525 are offered in their authority axis order.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from gis_service.catalogue import service as layers
from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.catalogue.dependencies import CatalogueDep, ReadableLayer, property_filters
from gis_service.core.dependencies import OptionalUser, SessionDep, SettingsDep
from gis_service.core.errors import AppError, BadRequest, NotFound, Unauthorized
from gis_service.core.geojson_pages import feature_collection, page_links
from gis_service.core.query_params import decode_cursor
from gis_service.ogc import cql2, html, schemas, temporal
from gis_service.ogc import openapi as ogc_openapi
from gis_service.ogc import tiles as ogc_tiles
from gis_service.ogc.crs import CRS84, SUPPORTED, Crs, parse_crs
from gis_service.ogc.negotiation import prefers_html, schema_media_type
from gis_service.ogc.transactions import etag_of

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])
GEOJSON = "application/geo+json"
JSON = "application/json"
SCHEMA = schemas.MEDIA_TYPE
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    # Part 4 (draft): POST, PUT, DELETE on editable collections; PATCH; If-Match ETags
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
    # Part 5 (draft): a schema per collection
    "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
    *ogc_tiles.CONFORMANCE,
]
ITEM_PARAMS = {
    "bbox",
    "bbox-crs",
    "crs",
    "limit",
    "cursor",
    "datetime",
    "f",
    "filter",
    "filter-lang",
    "filter-crs",
}
DEFAULT_LIMIT, MAX_LIMIT = 10, 10_000


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _wants_html(request: Request) -> bool:
    f = request.query_params.get("f")
    if f is not None:
        if f not in ("json", "html"):
            raise BadRequest("f must be json or html.", "f 必须是 json 或 html。")
        return f == "html"
    return prefers_html(request.headers.get("accept", ""))


def page_for_error(request: Request, exc: AppError) -> str | None:
    """A person's browser asking for an OGC page it must sign in for gets a sign-in page
    (401 all the same), not the JSON error."""
    if not isinstance(exc, Unauthorized) or not request.url.path.startswith("/ogc"):
        return None
    try:
        wants = _wants_html(request)
    except BadRequest:
        return None
    return html.sign_in_page() if wants else None


def _respond(request: Request, doc: dict, title: str, media_type: str = JSON, headers: dict | None = None):
    headers = {"Link": link_header(doc.get("links", [])), **(headers or {})}
    if _wants_html(request):
        return HTMLResponse(html.page(title, doc), headers=headers)
    return Response(orjson.dumps(doc), media_type=media_type, headers=headers)


@router.get("", summary="Landing page")
async def landing(request: Request):
    """The OGC API landing page with service-desc, conformance and data links."""
    b = _base(request)
    doc = {
        "title": "鄂尔多斯市界线与地名管理系统 Ordos boundaries and place names",
        "description": "OGC API - Features over the layer catalogue. Geometry is stored in CGCS2000.",
        "links": [
            {"rel": "self", "type": JSON, "href": f"{b}/ogc"},
            {"rel": "alternate", "type": "text/html", "href": f"{b}/ogc?f=html"},
            {
                "rel": "service-desc",
                "type": ogc_openapi.MEDIA_TYPE,
                "href": f"{b}/ogc/api",
            },
            {"rel": "service-doc", "type": "text/html", "href": f"{b}/docs"},
            {"rel": "conformance", "type": JSON, "href": f"{b}/ogc/conformance"},
            {"rel": "data", "type": JSON, "href": f"{b}/ogc/collections"},
            {"rel": f"{ogc_tiles.REL}tiling-schemes", "type": JSON, "href": f"{b}/ogc/tileMatrixSets"},
            {"rel": f"{ogc_tiles.REL}tilesets-vector", "type": JSON, "href": f"{b}/ogc/tiles"},
        ],
    }
    return _respond(request, doc, "OGC API")


@router.get("/", include_in_schema=False)
async def landing_with_slash(request: Request):
    """/ogc/ is the landing page too (clients and checkers request it with the slash)."""
    return await landing(request)


@router.get(
    "/api",
    summary="The OGC API's OpenAPI 3.0.3 document",
    responses={200: {"content": {ogc_openapi.MEDIA_TYPE: {}}, "description": "OpenAPI 3.0.3"}},
)
async def api_document(request: Request, catalogue: CatalogueDep, user: OptionalUser, settings: SettingsDep):
    """Paths relative to /ogc, with every items parameter (limit with its default and
    maximum, the filter languages, each layer's filterable properties) as clients read them."""
    role = user.role if user else None
    readable = [x for x in catalogue.layers().values() if x.readable_by(role, settings.anonymous_layers)]
    doc = ogc_openapi.document(_base(request), readable, default_limit=DEFAULT_LIMIT, max_limit=MAX_LIMIT)
    return Response(orjson.dumps(doc), media_type=ogc_openapi.MEDIA_TYPE)


@router.get("/conformance", summary="Conformance classes")
async def conformance(request: Request):
    b = _base(request)
    links = [
        {"rel": "self", "type": JSON, "href": f"{b}/ogc/conformance"},
        {"rel": "alternate", "type": "text/html", "href": f"{b}/ogc/conformance?f=html"},
    ]
    return _respond(request, {"conformsTo": CONFORMANCE, "links": links}, "Conformance")


async def _collection(request: Request, layer: LayerDeclaration, db_session) -> dict:
    b = _base(request)
    url = f"{b}/ogc/collections/{layer.id}"
    doc = {
        "id": layer.id,
        "title": layer.title.zh,
        "description": layer.title.en,
        "itemType": "feature",
        "crs": [c.uri for c in SUPPORTED],
        "storageCrs": "http://www.opengis.net/def/crs/EPSG/0/4490",
        "links": [
            {"rel": "self", "type": JSON, "href": url},
            {"rel": "alternate", "type": "text/html", "href": f"{url}?f=html"},
            {"rel": "items", "type": GEOJSON, "href": f"{url}/items"},
            {"rel": "items", "type": "text/html", "href": f"{url}/items?f=html"},
            # the registered relation, and the short name GDAL looks for
            {
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "type": SCHEMA,
                "href": f"{url}/queryables",
            },
            {"rel": "queryables", "type": SCHEMA, "href": f"{url}/queryables"},
            {"rel": "describedby", "type": SCHEMA, "href": f"{url}/schema"},
            # the same relation (they compare case-blind); GDAL 3.6 matches only this spelling
            {"rel": "describedBy", "type": SCHEMA, "href": f"{url}/schema"},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/schema", "type": SCHEMA, "href": f"{url}/schema"},
        ],
    }
    if layer.has_geometry:
        doc["links"].append({"rel": f"{ogc_tiles.REL}tilesets-vector", "type": JSON, "href": f"{url}/tiles"})
    found = await layers.extent(db_session, layer=layer)
    if found.bbox:
        doc["extent"] = {"spatial": {"bbox": [found.bbox], "crs": CRS84}}
    if found.interval:
        trs = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
        doc.setdefault("extent", {})["temporal"] = {"interval": [found.interval], "trs": trs}
    return doc


@router.get("/collections", summary="Collections")
async def collections(
    request: Request,
    catalogue: CatalogueDep,
    user: OptionalUser,
    settings: SettingsDep,
    db_session: SessionDep,
):
    """Every catalogue layer the caller may read."""
    role = user.role if user else None
    readable = [x for x in catalogue.layers().values() if x.readable_by(role, settings.anonymous_layers)]
    if user is None and not readable:
        raise Unauthorized("Sign in to see the collections.", "请登录后查看数据集。")
    b = _base(request)
    doc = {
        "collections": [await _collection(request, x, db_session) for x in readable],
        "links": [
            {"rel": "self", "type": JSON, "href": f"{b}/ogc/collections"},
            {"rel": "alternate", "type": "text/html", "href": f"{b}/ogc/collections?f=html"},
        ],
    }
    return _respond(request, doc, "Collections")


@router.get("/collections/{layer_id}", summary="One collection")
async def collection(layer: ReadableLayer, request: Request, db_session: SessionDep):
    doc = await _collection(request, layer, db_session)
    return _respond(request, doc, layer.title.zh)


def _clamp_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"limit '{raw}' is not a whole number.", f"limit“{raw}”不是整数。") from None
    if value < 1:
        raise BadRequest("limit must be at least 1.", "limit 至少为 1。")
    return min(value, MAX_LIMIT)  # above the maximum: clamped, as OGC API asks


def _parse_bbox(raw: str | None, crs: Crs) -> tuple[tuple[float, float, float, float] | None, int]:
    """bbox in the axis order of bbox-crs, returned as (minx east, miny north, ...) and its SRID."""
    if not raw:
        return None, 4490
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        raise BadRequest(
            f"bbox '{raw}' contains something that is not a number.", f"bbox“{raw}”中含有非数字。"
        ) from None
    if len(values) == 6:  # 3-D bbox: drop the heights
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or any(v != v or v in (float("inf"), float("-inf")) for v in values):
        raise BadRequest("bbox needs four finite numbers.", "bbox 需要四个有限数。")
    a0, b0, a1, b1 = values
    x0, y0, x1, y1 = (b0, a0, b1, a1) if crs.flip else (a0, b0, a1, b1)
    if crs.srid == 4490 and not (
        -180 <= x0 <= 180 and -180 <= x1 <= 180 and -90 <= y0 <= 90 and -90 <= y1 <= 90
    ):
        raise BadRequest(
            "bbox is outside the valid range for its CRS (is the axis order right?).",
            "bbox 超出其坐标系的有效范围（坐标轴顺序是否正确？）。",
        )
    if x0 > x1 or y0 > y1:
        raise BadRequest("bbox minimum is greater than its maximum.", "bbox 最小值大于最大值。")
    return (x0, y0, x1, y1), crs.srid


def link_header(links: list[dict]) -> str:
    """The page's links as an HTTP Link header too (RFC 8288), as OGC API recommends:
    commas inside a URL are escaped, for the readers that split the header on them."""
    return ", ".join(
        f'<{x["href"].replace(",", "%2C")}>; rel="{x["rel"]}"; type="{x["type"]}"'
        for x in links
        if "type" in x
    )


def _crs_headers(crs: Crs) -> dict:
    return {"Content-Crs": f"<{crs.uri}>"}


def _crs_members(crs: Crs) -> str:
    # For non-default CRSs, name the CRS in the document too, as the GeoJSON-2008 member
    # that GDAL reads with authority axis order. Not JSON-FG's "coordRefSys": GDAL then
    # reads the document as JSON-FG and looks for projected coordinates in "place",
    # leaving every geometry empty (seen with GDAL 3.12 and EPSG:4525).
    if crs.uri == CRS84:
        return ""
    return f'"crs":{{"type":"name","properties":{{"name":"{crs.urn}"}}}},'


async def _filter(layer: LayerDeclaration, params, pool) -> tuple[str, dict] | None:
    """A CQL2-text `filter` as SQL, type-checked against the queryables before any SQL
    runs; other filter languages and CRSs are refused."""
    text = params.get("filter")
    if not text:
        return None
    # cql-text is the draft's name for the same text encoding, which GDAL still sends
    if params.get("filter-lang", "cql2-text") not in ogc_openapi.FILTER_LANGS:
        raise BadRequest("filter-lang must be cql2-text.", "filter-lang 必须是 cql2-text。")
    if parse_crs(params.get("filter-crs"), "filter-crs").uri != CRS84:
        raise BadRequest("filter-crs must be CRS84 (lon/lat).", "filter-crs 必须是 CRS84（经度/纬度）。")
    types = await layers.sql_types(pool, layer=layer)
    queryables = {
        name: cql2.kind_of(types.get(name, "text")) for name in (layer.id_column, *layer.properties)
    }
    return cql2.to_sql(text, queryables=queryables, geometry_column=layer.geometry_column)


def _datetime(layer: LayerDeclaration, params) -> tuple[str, dict] | None:
    """`datetime` on the layer's temporal property; refused where the layer has none."""
    raw = params.get("datetime")
    if not raw:
        return None
    if not layer.temporal_property:
        raise BadRequest(
            f"Collection '{layer.id}' has no time dimension; leave out datetime.",
            f"数据集“{layer.id}”没有时间维度，请去掉 datetime。",
        )
    return temporal.condition(raw, f"t.{layers.q(layer.temporal_property)}")


def _all_of(conditions: list[tuple[str, dict]]) -> tuple[str, dict] | None:
    """Conditions with their bound values joined by AND (their parameter names differ)."""
    if not conditions:
        return None
    return " AND ".join(f"({sql})" for sql, _ in conditions), {
        k: v for _, bound in conditions for k, v in bound.items()
    }


@router.get(
    "/collections/{layer_id}/queryables",
    summary="Queryables",
    responses={200: {"content": {SCHEMA: {}, JSON: {}}, "description": "JSON Schema"}},
)
async def queryables(layer: ReadableLayer, request: Request):
    """The properties a CQL2 filter may use, as JSON Schema: dates carry `format`, the
    geometry its exact type."""
    url = f"{_base(request)}/ogc/collections/{layer.id}/queryables"
    doc = await schemas.queryables(request.app.state.pg_pool, layer, url)
    return Response(orjson.dumps(doc), media_type=schema_media_type(request.headers.get("accept", "")))


@router.get(
    "/collections/{layer_id}/schema",
    summary="Feature schema",
    responses={200: {"content": {SCHEMA: {}, JSON: {}}, "description": "JSON Schema"}},
)
async def feature_schema(layer: ReadableLayer, request: Request):
    """A feature of this collection as JSON Schema (linked as `describedby`): types,
    formats, read-only and required properties; right for an empty collection too."""
    url = f"{_base(request)}/ogc/collections/{layer.id}/schema"
    doc = await schemas.feature_schema(request.app.state.pg_pool, layer, url)
    return Response(orjson.dumps(doc), media_type=schema_media_type(request.headers.get("accept", "")))


@router.get(
    "/collections/{layer_id}/items",
    summary="Features",
    responses={200: {"content": {GEOJSON: {}, "text/html": {}}}},
)
async def items(layer: ReadableLayer, request: Request):
    """Features of a collection: `bbox` (with `bbox-crs`), `crs`, `limit` (clamped to 10,000),
    `datetime` where the layer has a time, filters on its queryable properties; paged by
    `next` links. numberMatched is given when it is cheap (up to 100,000)."""
    params = request.query_params
    filters = property_filters(layer, params, ITEM_PARAMS)
    pool = request.app.state.pg_pool
    conditions = [c for c in (await _filter(layer, params, pool), _datetime(layer, params)) if c]
    crs = parse_crs(params.get("crs"))
    bbox, bbox_srid = _parse_bbox(params.get("bbox"), parse_crs(params.get("bbox-crs"), "bbox-crs"))
    out = layers.OutputCrs(srid=crs.srid, flip=crs.flip, decimals=crs.decimals)
    limit = _clamp_limit(params.get("limit"))
    as_html = _wants_html(request)
    async with request.app.state.database_reads, pool.connection() as conn:
        page = await layers.items(
            conn,
            layer=layer,
            bbox=bbox,
            bbox_srid=bbox_srid,
            limit=limit,
            after=decode_cursor(params.get("cursor")),
            filters=filters,
            out=out,
            count=True,
            condition=_all_of(conditions),
        )
    # A client that keeps following `next` is reading the whole layer: its pages grow
    # tenfold up to the maximum. GDAL before 3.8 always asks for 10 and cannot learn the
    # maximum from /ogc/api; it then copies 20,000 graves in 6 requests instead of 2,002.
    # Every response still holds no more than the limit its own URL asks for. A person's
    # HTML pages keep their size.
    links = page_links(request, page.next_key, None if as_html else min(limit * 10, MAX_LIMIT))
    links[1:1] = [
        {"rel": "alternate", "type": "text/html", "href": str(request.url.include_query_params(f="html"))},
        {"rel": "collection", "type": JSON, "href": f"{_base(request)}/ogc/collections/{layer.id}"},
        {
            "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
            "type": SCHEMA,
            "href": f"{_base(request)}/ogc/collections/{layer.id}/queryables",
        },
    ]
    matched = f'"numberMatched":{page.number_matched},' if page.number_matched is not None else ""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = feature_collection(
        page.features_json, page.returned, links, _crs_members(crs) + matched + f'"timeStamp":"{stamp}",'
    )
    headers = _crs_headers(crs) | {"Link": link_header(links)}
    if as_html:
        return HTMLResponse(html.page(layer.title.zh, json.loads(body)), headers=headers)
    return Response(body, media_type=GEOJSON, headers=headers)


@router.get(
    "/collections/{layer_id}/items/{feature_id}",
    summary="One feature",
    responses={200: {"content": {GEOJSON: {}, "text/html": {}}}},
)
async def item(layer: ReadableLayer, feature_id: str, request: Request, db_session: SessionDep):
    """One feature, with self, alternate and collection links."""
    unknown = set(request.query_params) - {"crs", "f"}
    if unknown:
        raise BadRequest(
            f"Unknown parameter '{sorted(unknown)[0]}'; a feature accepts crs and f.",
            f"未知参数“{sorted(unknown)[0]}”；单个要素只支持 crs 和 f。",
        )
    crs = parse_crs(request.query_params.get("crs"))
    out = layers.OutputCrs(srid=crs.srid, flip=crs.flip, decimals=crs.decimals)
    feature = await layers.item(db_session, layer=layer, feature_id=feature_id, out=out)
    if feature is None:
        raise NotFound(
            f"Collection '{layer.id}' has no feature '{feature_id}'.",
            f"数据集“{layer.id}”中没有要素“{feature_id}”。",
        )
    doc = orjson.loads(feature)
    url = f"{_base(request)}/ogc/collections/{layer.id}"
    safe_id = re.sub(r"[^0-9A-Za-z_.~-]", lambda m: f"%{ord(m.group()):02X}", feature_id)
    doc["links"] = [
        {"rel": "self", "type": GEOJSON, "href": f"{url}/items/{safe_id}"},
        {"rel": "alternate", "type": "text/html", "href": f"{url}/items/{safe_id}?f=html"},
        {"rel": "collection", "type": JSON, "href": url},
    ]
    # The ETag names the feature's version, whatever CRS it is read in, so that a client
    # reading in EPSG:4525 can send it back in If-Match: it is the CRS84 form's hash.
    version = (
        feature if crs.uri == CRS84 else await layers.item(db_session, layer=layer, feature_id=feature_id)
    )
    headers = _crs_headers(crs) | {"ETag": etag_of(version or feature)}
    if crs.uri != CRS84:
        doc["crs"] = {"type": "name", "properties": {"name": crs.urn}}
    return _respond(request, doc, f"{layer.title.zh} {feature_id}", GEOJSON, headers)
