"""OGC API - Features (Parts 1 and 2) over the layer catalogue, at /ogc.

Collections are the catalogue's layers; paging follows `next` links built from a keyset
cursor; `limit` above the maximum is clamped; unknown parameters are refused; CRS84 is
the default output and EPSG:4490 / 4524 / 4525 are offered in their authority axis order.
"""

from __future__ import annotations

import functools
import json
import re
import time

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from gis_service.admin_units.home import describe
from gis_service.auth.dependencies import OptionalUser
from gis_service.catalogue import feature_query
from gis_service.catalogue import service as layers
from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.catalogue.dependencies import CatalogueDep, ReadableLayer, page_arguments, property_filters
from gis_service.catalogue.feature_query import FeatureQueryDep
from gis_service.catalogue.reads import FeatureReadsDep
from gis_service.core.answers import answer
from gis_service.core.dependencies import SessionDep, SettingsDep
from gis_service.core.errors import AppError, BadRequest, NotFound, Unauthorized
from gis_service.core.etags import etag_of, revalidated, unchanged
from gis_service.core.geojson_pages import (
    FEATURE_SCHEMA,
    GeoJSONResponse,
    feature_collection,
    features_answer,
    geojson_answer,
    page_links,
)
from gis_service.core.lean_route import LeanRoute, lean
from gis_service.core.openapi_links import SAME_LAYER, record_link
from gis_service.core.public_url import app_root, public_base, public_request_url, with_query
from gis_service.ogc import answers, html, schemas
from gis_service.ogc import openapi as ogc_openapi
from gis_service.ogc import tiles as ogc_tiles
from gis_service.ogc.negotiation import prefers_html, schema_media_type
from gis_service.query.crs import CRS84, SUPPORTED, Crs, crs_headers, parse_crs
from gis_service.query.paging import MAX_LIMIT

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])
# the pages of features, matched early and answered as LeanRoutes (catalogue/router.py)
items_router = APIRouter(prefix="/ogc", tags=["OGC API - Features"], route_class=LeanRoute)
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


QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"


@functools.lru_cache(maxsize=1)
def _stamp_of(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))


def time_stamp() -> str:
    """Now, as a page's OGC `timeStamp` (to the second): written once a second."""
    return _stamp_of(int(time.time()))


def _base(request: Request) -> str:
    return public_base(request)


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
    return html.sign_in_page(app_root(request)) if wants else None


def _respond(request: Request, doc: dict, title: str, media_type: str = JSON, headers: dict | None = None):
    headers = {"Link": link_header(doc.get("links", [])), **(headers or {})}
    if _wants_html(request):
        return HTMLResponse(html.page(title, doc, app_root(request)), headers=headers)
    return Response(orjson.dumps(doc), media_type=media_type, headers=headers)


@router.get("", responses=answer(answers.Landing), summary="Landing page")
async def landing(request: Request, settings: SettingsDep, db_session: SessionDep):
    """The OGC API landing page with service-desc, conformance and data links."""
    b = _base(request)
    home = await describe(db_session, settings.home_unit_code)
    doc = {
        "title": f"{home['name']}界线与地名管理系统 {home['name_en']} boundaries and place names",
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
async def landing_with_slash(request: Request, settings: SettingsDep, db_session: SessionDep):
    """/ogc/ is the landing page too (clients and checkers request it with the slash)."""
    return await landing(request, settings, db_session)


@router.get(
    "/api",
    summary="The OGC API's OpenAPI 3.0.3 document",
    response_class=Response,
    responses={
        200: {
            "content": {ogc_openapi.MEDIA_TYPE: {"schema": answers.OPENAPI_DOCUMENT}},
            "description": "OpenAPI 3.0.3",
        }
    },
)
async def api_document(request: Request, catalogue: CatalogueDep, user: OptionalUser, settings: SettingsDep):
    """Paths relative to /ogc, with every items parameter (limit with its default and
    maximum, the filter languages, each layer's filterable properties) as clients read them."""
    readable = catalogue.readable(user, settings)
    doc = ogc_openapi.document(_base(request), readable)
    return Response(orjson.dumps(doc), media_type=ogc_openapi.MEDIA_TYPE)


@router.get("/conformance", responses=answer(answers.Conformance), summary="Conformance classes")
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
                "rel": QUERYABLES,
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


@router.get(
    "/collections",
    summary="Collections",
    responses=answer(
        answers.Collections,
        **record_link("/ogc/collections/{layer_id}", layer_id="$response.body#/collections/0/id"),
    ),
)
async def collections(
    request: Request,
    catalogue: CatalogueDep,
    user: OptionalUser,
    settings: SettingsDep,
    db_session: SessionDep,
):
    """Every catalogue layer the caller may read."""
    readable = catalogue.readable(user, settings)
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


@router.get("/collections/{layer_id}", responses=answer(answers.Collection), summary="One collection")
async def collection(layer: ReadableLayer, request: Request, db_session: SessionDep):
    doc = await _collection(request, layer, db_session)
    return _respond(request, doc, layer.title.zh)


def link_header(links: list[dict]) -> str:
    """The page's links as an HTTP Link header too (RFC 8288), as OGC API recommends:
    commas inside a URL are escaped, for the readers that split the header on them."""
    return ", ".join(
        f'<{x["href"].replace(",", "%2C")}>; rel="{x["rel"]}"; type="{x["type"]}"'
        for x in links
        if "type" in x
    )


def _crs_members(crs: Crs) -> str:
    # For non-default CRSs, name the CRS in the document too, as the GeoJSON-2008 member
    # that GDAL reads with authority axis order. Not JSON-FG's "coordRefSys": GDAL then
    # reads the document as JSON-FG and looks for projected coordinates in "place",
    # leaving every geometry empty (seen with GDAL 3.12 and EPSG:4525).
    if crs.uri == CRS84:
        return ""
    return f'"crs":{{"type":"name","properties":{{"name":"{crs.urn}"}}}},'


SCHEMA_RESPONSES = {
    200: {
        "content": {
            SCHEMA: {"schema": answers.JSON_SCHEMA_DOCUMENT},
            JSON: {"schema": answers.JSON_SCHEMA_DOCUMENT},
        },
        "description": "JSON Schema",
    }
}


async def _schema_response(request: Request, layer: LayerDeclaration, name: str, build) -> Response:
    """A JSON Schema document of the collection at …/{name}, in the media type the client
    accepts (schema+json, or plain JSON for GDAL)."""
    url = f"{_base(request)}/ogc/collections/{layer.id}/{name}"
    doc = await build(request.app.state.pg_pool, layer, url)
    return Response(orjson.dumps(doc), media_type=schema_media_type(request.headers.get("accept", "")))


@router.get("/collections/{layer_id}/queryables", summary="Queryables", responses=SCHEMA_RESPONSES)
async def queryables(layer: ReadableLayer, request: Request):
    """The properties a CQL2 filter may use, as JSON Schema: dates carry `format`, the
    geometry its exact type."""
    return await _schema_response(request, layer, "queryables", schemas.queryables)


@router.get("/collections/{layer_id}/schema", summary="Feature schema", responses=SCHEMA_RESPONSES)
async def feature_schema(layer: ReadableLayer, request: Request):
    """A feature of this collection as JSON Schema (linked as `describedby`): types,
    formats, read-only and required properties; right for an empty collection too."""
    return await _schema_response(request, layer, "schema", schemas.feature_schema)


@items_router.get(
    "/collections/{layer_id}/items",
    response_class=GeoJSONResponse,
    summary="Features",
    responses={
        200: features_answer(
            "/ogc/collections/{layer_id}/items/{feature_id}",
            "feature_id",
            layer_id=SAME_LAYER,
            also=("text/html",),
        )
    },
)
@lean(page_arguments)
async def items(layer: ReadableLayer, request: Request, query: FeatureQueryDep, reads: FeatureReadsDep):
    """Features of a collection: the query both doors share (`bbox` with `bbox-crs`, `crs`,
    `limit` clamped to 10,000, `datetime` where the layer has a time, a CQL2 `filter`,
    `skipGeometry`) and equality on the filterable properties; paged by `next` links.
    numberMatched is given when it is cheap (up to 100,000)."""
    filters = property_filters(layer, request.query_params, feature_query.NAMES | {"f"})
    as_html = _wants_html(request)
    page = await feature_query.read_page(reads, layer, query, filters, count=True)
    crs, limit = query.crs, query.limit
    caching = {} if as_html else revalidated(page.etag)
    if caching and unchanged(request.headers.get("if-none-match"), page.etag):
        return Response(status_code=304, headers=crs_headers(crs) | caching)
    # A client that keeps following `next` is reading the whole layer: its pages grow
    # tenfold up to the maximum. GDAL before 3.8 always asks for 10 and cannot learn the
    # maximum from /ogc/api; it then copies 20,000 graves in 6 requests instead of 2,002.
    # Every response still holds no more than the limit its own URL asks for. A person's
    # HTML pages keep their size.
    here, collection = public_request_url(request), f"{_base(request)}/ogc/collections/{layer.id}"
    links = page_links(request, page.next_key, None if as_html else min(limit * 10, MAX_LIMIT), here)
    links[1:1] = [
        {"rel": "alternate", "type": "text/html", "href": with_query(here, request, f="html")},
        {"rel": "collection", "type": JSON, "href": collection},
        {"rel": QUERYABLES, "type": SCHEMA, "href": f"{collection}/queryables"},
    ]
    matched = f'"numberMatched":{page.number_matched},' if page.number_matched is not None else ""
    body = feature_collection(
        page.features_json,
        page.returned,
        links,
        _crs_members(crs) + matched + f'"timeStamp":"{time_stamp()}",',
    )
    headers = crs_headers(crs) | {"Link": link_header(links)} | caching
    if as_html:
        return HTMLResponse(html.page(layer.title.zh, json.loads(body), app_root(request)), headers=headers)
    return Response(body, media_type=GEOJSON, headers=headers)


@router.get(
    "/collections/{layer_id}/items/{feature_id}",
    response_class=GeoJSONResponse,
    summary="One feature",
    responses={200: geojson_answer(FEATURE_SCHEMA, also=("text/html",))},
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
    headers = crs_headers(crs) | {"ETag": etag_of(version or feature)}
    if crs.uri != CRS84:
        doc["crs"] = {"type": "name", "properties": {"name": crs.urn}}
    return _respond(request, doc, f"{layer.title.zh} {feature_id}", GEOJSON, headers)
