"""The OGC API's own OpenAPI 3.0.3 document (`/ogc/api`), built from the catalogue.

GIS clients decide what the server can do from this document, relative to the OGC API's
root (`servers`): GDAL looks up `paths["/collections/{id}/items"]` (then the generic
`/collections/{collectionId}/items`) and filters on the server only when that path lists
`filter-lang` with `cql-text` among its values; otherwise it filters locally and turns
any date comparison into `datetime=`, which filters the layer's own time property and
gives wrong answers. GDAL 3.6 and QGIS also take their page size from `limit`."""

from __future__ import annotations

from gis_service.catalogue import feature_query
from gis_service.catalogue.declarations import LayerDeclaration

MEDIA_TYPE = "application/vnd.oai.openapi+json;version=3.0"


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def item_parameters() -> list[dict]:
    """The query parameters every collection's items accept: the ones both doors share,
    declared once in catalogue/feature_query.py, and `f`."""
    return [
        *(feature_query.openapi_parameter(name) for name in feature_query.PARAMETERS),
        _query("f", {"type": "string", "enum": ["json", "html"]}, "Response format."),
    ]


def document(base: str, layers: list[LayerDeclaration]) -> dict:
    common = item_parameters()
    features = {"200": {"description": "A page of features", "content": {"application/geo+json": {}}}}
    paths: dict[str, dict] = {
        "/": {"get": {"summary": "Landing page", "responses": {"200": {"description": "Links"}}}},
        "/conformance": {
            "get": {"summary": "Conformance classes", "responses": {"200": {"description": "ok"}}}
        },
        "/collections": {"get": {"summary": "Collections", "responses": {"200": {"description": "ok"}}}},
        "/collections/{collectionId}/items": {
            "get": {
                "summary": "Features of a collection",
                "parameters": [
                    {"name": "collectionId", "in": "path", "required": True, "schema": {"type": "string"}},
                    *common,
                ],
                "responses": features,
            }
        },
    }
    for layer in layers:
        filters = [
            _query(name, {"type": "string"}, f"Features whose {name} equals this value.")
            for name in layer.filterable
        ]
        paths[f"/collections/{layer.id}/items"] = {
            "get": {
                "summary": f"{layer.title.en} ({layer.title.zh})",
                "parameters": [*common, *filters],
                "responses": features,
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "OGC API - Features", "version": "1.0.0"},
        "servers": [{"url": f"{base}/ogc"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}, {}],
    }
