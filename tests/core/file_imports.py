"""The service's file imports, enumerated from the OpenAPI document: every operation
whose multipart body has a `file`. A new import is covered by the tests that use this
without anyone listing it (a new path parameter needs a value in PATH_VALUES)."""

import re

from gis_service.funeral.imports import SPECS

LINE = "150602-150603"
PATH_VALUES = {"code": [LINE], "kind": sorted(SPECS)}
FORM_FIELDS = {"/api/v1/boundary-lines/{code}/geometry/file": {"source": "surveyed", "note": "upload test"}}
# Updates of an existing record name the version they change; "*" (any) lets the file through.
HEADERS = {"/api/v1/boundary-lines/{code}/geometry/file": {"If-Match": "*"}}
TABLES = (
    "boundary_marker",
    "boundary_line",
    "place_name",
    "funeral_facility",
    "grave",
    "restricted_corridor",
    "restricted_zone",
    "burial_zone",
    "audit_log",
)


def file_imports(app) -> list[tuple[str, str]]:
    """(method, path template) of operations taking a multipart `file`."""
    doc = app.openapi()
    found = []
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            schema = op.get("requestBody", {}).get("content", {}).get("multipart/form-data", {}).get("schema")
            while schema and "$ref" in schema:
                schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            if schema and "file" in schema.get("properties", {}):
                found.append((method.upper(), path))
    return found


def urls(path: str) -> list[str]:
    out = [path]
    for name in re.findall(r"{(\w+)}", path):
        assert name in PATH_VALUES, f"give the file-import tests a value for {{{name}}} in {path}"
        out = [u.replace("{" + name + "}", value) for u in out for value in PATH_VALUES[name]]
    return out


def import_requests(app) -> list[tuple[str, str, dict, dict]]:
    """(method, url, form fields, headers) for every file import with its path values filled in."""
    return [(m, u, FORM_FIELDS.get(p, {}), HEADERS.get(p, {})) for m, p in file_imports(app) for u in urls(p)]


def state(db):
    """Row counts of every table an import writes, and the lines' geometries."""
    counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]
    lines = db.execute(
        "SELECT md5(string_agg(ST_AsEWKT(geom), ',' ORDER BY code)) FROM boundary_line"
    ).fetchone()
    return counts, lines
