"""What GIS clients read from the OGC API's OpenAPI document, and what they then do.

GDAL decides from `paths["/collections/{id}/items"]` (relative to `servers`) whether the
server filters: without `filter-lang` offering `cql-text` it filtered locally and turned a
date comparison on any field into `datetime=`, which filters the layer's own time
property: a wrong answer (0 graves, or a 400). Page sizes come from `limit`."""

import json
import logging
import os
import subprocess
import sys
from contextlib import contextmanager
from urllib.parse import quote

import pytest

GDAL_WHERE = """
import json, sys, pyogrio
url, where = sys.argv[1], sys.argv[2]
df = pyogrio.read_dataframe(url, layer="grave", where=where, columns=["code"], read_geometry=False)
print(json.dumps({"rows": len(df), "codes": sorted(df["code"])[:5]}))
"""


def test_the_ogc_openapi_document_is_what_clients_read(client, auth):
    landing = client.get("/ogc").json()
    desc = next(link for link in landing["links"] if link["rel"] == "service-desc")
    assert (
        desc["href"].endswith("/ogc/api") and desc["type"] == "application/vnd.oai.openapi+json;version=3.0"
    )
    r = client.get("/ogc/api", headers=auth("planner"))
    assert r.headers["content-type"] == desc["type"]
    doc = r.json()
    assert doc["openapi"] == "3.0.3" and doc["servers"][0]["url"].endswith("/ogc")
    for path in ("/collections/{collectionId}/items", "/collections/grave/items"):
        params = {p["name"]: p for p in doc["paths"][path]["get"]["parameters"]}
        assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 10000, "default": 10}
        assert "cql-text" in params["filter-lang"]["schema"]["enum"]
        assert {"bbox", "bbox-crs", "crs", "datetime", "filter", "filter-crs"} <= set(params)
    grave = {p["name"] for p in doc["paths"]["/collections/grave/items"]["get"]["parameters"]}
    assert "remediation_status" in grave  # a declared filterable property
    # only the caller's layers are described
    viewer = client.get("/ogc/api", headers=auth("viewer")).json()
    assert "/collections/grave/items" not in viewer["paths"]


def test_the_draft_filter_language_name_is_the_same_text_encoding(client, auth):
    cql = quote("remediated_on >= DATE('2025-01-01')")
    counts = {
        lang: client.get(
            f"/ogc/collections/grave/items?limit=1&filter={cql}&filter-lang={lang}", headers=auth("planner")
        ).json()["numberMatched"]
        for lang in ("cql2-text", "cql-text")
    }
    assert counts["cql2-text"] == counts["cql-text"] > 0
    bad = client.get(
        f"/ogc/collections/grave/items?filter={cql}&filter-lang=cql-json", headers=auth("planner")
    )
    assert bad.status_code == 400


@contextmanager
def requests_logged():
    """The service's own request log lines (path and parameter names), as they happen."""
    seen: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    handler = Collect(level=logging.INFO)
    logger = logging.getLogger("gis_service.request")
    old_level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def _items_requests(seen, layer="grave"):
    return [r for r in seen if r.path == f"/ogc/collections/{layer}/items"]


@pytest.mark.parametrize(
    ("where", "cql2"),
    [
        ("remediated_on >= '2025-01-01'", "remediated_on >= DATE('2025-01-01')"),
        ("code LIKE 'DEMO-G1%'", "code LIKE 'DEMO-G1%'"),
        (
            "remediation_status = 'remediated' AND grave_count > 2",
            "remediation_status = 'remediated' AND grave_count > 2",
        ),
    ],
    ids=["date", "like", "and-number-string"],
)
def test_gdal_3_12_sends_the_filter_to_the_server(live_server, client, auth, tokens, tmp_path, where, cql2):
    """pyogrio's GDAL 3.12 with an attribute filter, in its own process: the server's log
    shows every page it read carried the filter, and the rows are the rows the server's
    own CQL2 filter matches. (It filtered on the client, reading all 20,000 graves, until
    the queryables answered in the media type it accepts and listed their ids; before
    that it turned a date comparison into `datetime=`: 0 graves, or a 400.)"""
    expected = client.get(
        f"/ogc/collections/grave/items?limit=1&filter={quote(cql2)}", headers=auth("planner")
    ).json()["numberMatched"]
    headers = tmp_path / "headers.txt"
    headers.write_text(f"Authorization: Bearer {tokens['planner']}\n")
    env = {**os.environ, "GDAL_HTTP_HEADER_FILE": str(headers), "CPL_DEBUG": "OFF"}
    with requests_logged() as seen:
        r = subprocess.run(
            [sys.executable, "-c", GDAL_WHERE, f"OAPIF:{live_server}/ogc", where],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rows"] == expected > 0
    reads = [x for x in _items_requests(seen) if x.params != ["limit"]]  # the first is GDAL's sample
    assert reads and all({"filter", "filter-lang"} <= set(x.params) for x in reads), [x.params for x in reads]
    assert any(x.path == "/ogc/collections/grave/queryables" for x in seen)


def test_gdal_3_6_copies_the_graves_in_few_requests(live_server, client, auth, tokens, tmp_path):
    """Debian's ogr2ogr (GDAL 3.6) with no page-size option always asks for 10 features;
    the next links grow tenfold, so 20,000 graves take a handful of requests (2,002 when
    every page held 10), and the copy is typed from the collection's schema."""
    total = client.get("/ogc/collections/grave/items?limit=1", headers=auth("planner")).json()[
        "numberMatched"
    ]
    headers = tmp_path / "headers.txt"
    headers.write_text(f"Authorization: Bearer {tokens['planner']}\n")
    out = tmp_path / "graves.gpkg"
    env = {**os.environ, "GDAL_HTTP_HEADER_FILE": str(headers), "CPL_DEBUG": "OFF"}
    with requests_logged() as seen:
        r = subprocess.run(
            ["ogr2ogr", "-f", "GPKG", str(out), f"OAPIF:{live_server}/ogc", "grave"],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
    assert r.returncode == 0, r.stderr
    assert len(seen) <= 25, [(x.path, x.params) for x in seen]
    info = subprocess.run(["ogrinfo", "-so", str(out), "grave"], capture_output=True, text=True).stdout
    assert f"Feature Count: {total}" in info
    assert "remediated_on: Date" in info and "grave_count: Integer" in info
