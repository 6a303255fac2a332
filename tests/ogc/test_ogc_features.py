"""OGC API - Features at /ogc, checked with the API and with real GDAL clients: Debian's
gdal-bin (ogrinfo, ogr2ogr; GDAL 3.6) and pyogrio's bundled GDAL (for Part 2 CRS)."""

import json
import subprocess
import uuid

import pytest

from tests.catalogue.layer_ids import layers_for

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@pytest.fixture(scope="module")
def gdal_auth(tmp_path_factory, tokens):
    """A header file GDAL sends with every request (bearer token of the demo viewer)."""
    path = tmp_path_factory.mktemp("gdal") / "headers.txt"
    path.write_text(f"Authorization: Bearer {tokens['viewer']}\n")
    return {"GDAL_HTTP_HEADER_FILE": str(path), "CPL_DEBUG": "OFF"}


def _gdal(args, env):
    import os

    r = subprocess.run(args, capture_output=True, text=True, timeout=120, env={**os.environ, **env})
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_landing_conformance_and_collections(client, auth):
    landing = client.get("/ogc", headers=auth("viewer")).json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= rels
    conf = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf
    cols = client.get("/ogc/collections", headers=auth("viewer")).json()["collections"]
    assert [c["id"] for c in cols] == layers_for("viewer") and all("." not in c["id"] for c in cols)
    county = next(c for c in cols if c["id"] == "county_boundary")
    assert county["extent"]["spatial"]["crs"] == CRS84 and len(county["extent"]["spatial"]["bbox"][0]) == 4
    assert "http://www.opengis.net/def/crs/EPSG/0/4524" in county["crs"]
    assert {link["rel"] for link in county["links"]} >= {"self", "items"}
    assert client.get("/ogc/collections").status_code == 401


def test_number_matched_on_first_middle_and_last_pages(client, auth, db):
    """numberMatched is every feature the query matches, whichever page says it: a first page
    that is also the last counts its own rows, the others count the query afresh."""
    h, bbox = auth("admin"), "109.5,39.5,110.5,40.2"
    expected = db.execute(
        "SELECT count(*) FROM grave_map WHERE ST_Intersects(geom, ST_MakeEnvelope(109.5, 39.5, 110.5, 40.2, 4490))"
    ).fetchone()[0]
    assert expected > 20
    url = "/ogc/collections/grave/items"
    first = client.get(url, params={"bbox": bbox, "limit": 10}, headers=h).json()
    assert (first["numberMatched"], first["numberReturned"]) == (expected, 10)
    following = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = client.get(following, headers=h).json()
    assert second["numberMatched"] == expected
    whole = client.get(url, params={"bbox": bbox, "limit": expected}, headers=h).json()
    assert whole["numberMatched"] == whole["numberReturned"] == expected
    assert not any(link["rel"] == "next" for link in whole["links"])
    features = [f["id"] for f in whole["features"]]
    assert len(set(features)) == expected and all(f["geometry"]["type"] == "Point" for f in whole["features"])


def test_items_paging_limit_and_params(client, auth):
    h = auth("viewer")
    r = client.get("/ogc/collections/county_boundary/items", params={"limit": 50_000}, headers=h)
    assert r.status_code == 200 and r.json()["numberReturned"] == 80 and r.json()["numberMatched"] == 80
    assert r.headers["content-crs"] == f"<{CRS84}>"
    assert (
        client.get("/ogc/collections/county_boundary/items", params={"colour": "x"}, headers=h).status_code
        == 400
    )
    assert (
        client.get(
            "/ogc/collections/county_boundary/items", params={"crs": "EPSG:3857"}, headers=h
        ).status_code
        == 400
    )
    assert (
        client.get(
            "/ogc/collections/county_boundary/items", params={"bbox-crs": "EPSG:1"}, headers=h
        ).status_code
        == 400
    )
    assert (
        client.get(
            "/ogc/collections/county_boundary/items", params={"datetime": "2026-01-01T00:00:00Z"}, headers=h
        ).status_code
        == 400
    )
    assert (
        client.get("/ogc/collections/county_boundary/items", params={"limit": 0}, headers=h).status_code
        == 400
    )
    page = client.get("/ogc/collections/county_boundary/items", params={"limit": 30}, headers=h).json()
    assert page["numberReturned"] == 30 and any(link["rel"] == "next" for link in page["links"])


def test_bbox_in_other_crs_axis_orders(client, auth, db):
    h = auth("viewer")
    lon, lat = 109.848, 39.6366  # inside Kangbashi
    box = f"{lon - 0.005},{lat - 0.005},{lon + 0.005},{lat + 0.005}"
    default = client.get("/ogc/collections/county_boundary/items", params={"bbox": box}, headers=h).json()
    assert [f["id"] for f in default["features"]] == ["150603"]
    latlon = f"{lat - 0.005},{lon - 0.005},{lat + 0.005},{lon + 0.005}"
    r = client.get(
        "/ogc/collections/county_boundary/items", params={"bbox": latlon, "bbox-crs": "EPSG:4490"}, headers=h
    ).json()
    assert [f["id"] for f in r["features"]] == ["150603"]
    x, y = db.execute(
        "SELECT ST_Y(p), ST_X(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4490),"
        " 4525) p) s",
        (lon, lat),
    ).fetchone()  # northing, easting
    gk = f"{x - 300},{y - 300},{x + 300},{y + 300}"
    r = client.get(
        "/ogc/collections/county_boundary/items",
        params={"bbox": gk, "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4525"},
        headers=h,
    ).json()
    assert [f["id"] for f in r["features"]] == ["150603"]


def test_feature_links_and_crs_output(client, auth, db):
    h = auth("viewer")
    code, lon, lat = db.execute(
        "SELECT code, ST_X(geom), ST_Y(geom) FROM boundary_marker ORDER BY code LIMIT 1"
    ).fetchone()
    f = client.get(f"/ogc/collections/boundary_marker/items/{code}", headers=h)
    assert {link["rel"] for link in f.json()["links"]} == {"self", "alternate", "collection"}
    assert f.json()["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
    latlon = client.get(
        f"/ogc/collections/boundary_marker/items/{code}", params={"crs": "EPSG:4490"}, headers=h
    )
    assert latlon.json()["geometry"]["coordinates"] == pytest.approx([lat, lon], abs=1e-6)
    assert latlon.headers["content-crs"] == "<http://www.opengis.net/def/crs/EPSG/0/4490>"
    n, e = db.execute(
        "SELECT ST_Y(p), ST_X(p) FROM (SELECT ST_Transform(geom, 4525) p FROM boundary_marker"
        " WHERE code = %s) s",
        (code,),
    ).fetchone()
    gk = client.get(
        f"/ogc/collections/boundary_marker/items/{code}",
        params={"crs": "http://www.opengis.net/def/crs/EPSG/0/4525"},
        headers=h,
    ).json()
    assert gk["geometry"]["coordinates"] == pytest.approx(
        [n, e], abs=0.001
    )  # northing X first, then easting Y
    html = client.get(f"/ogc/collections/boundary_marker/items/{code}", params={"f": "html"}, headers=h)
    assert html.headers["content-type"].startswith("text/html") and code in html.text
    assert client.get("/ogc/collections/boundary_marker/items/NOPE", headers=h).status_code == 404


def test_gdal_lists_every_layer(live_server, gdal_auth):
    out = _gdal(["ogrinfo", "-ro", "-q", f"OAPIF:{live_server}/ogc"], gdal_auth)
    listed = [line.split(":")[1].split("(")[0].strip() for line in out.splitlines() if ":" in line]
    assert listed == layers_for("viewer")


@pytest.mark.parametrize(("layer", "page_size"), [("county_boundary", 7), ("boundary_marker", 250)])
def test_gdal_reads_every_feature_across_pages(live_server, gdal_auth, db, tmp_path, layer, page_size):
    out = tmp_path / f"{layer}.geojson"
    _gdal(
        [
            "ogr2ogr",
            "-f",
            "GeoJSON",
            str(out),
            f"OAPIF:{live_server}/ogc",
            layer,
            "-oo",
            f"PAGE_SIZE={page_size}",
        ],
        gdal_auth,
    )
    features = json.loads(out.read_text())["features"]
    source = {"county_boundary": "county_boundary", "boundary_marker": "boundary_marker_status"}[layer]
    expected = db.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
    assert len(features) == expected
    assert len({f["properties"]["code"] for f in features}) == expected


READ_WITH_PYOGRIO = """
import json, sys, pyogrio
url, crs = sys.argv[1], sys.argv[2]
df = pyogrio.read_dataframe(url, layer="boundary_marker", CRS=crs, max_features=5)
print(json.dumps({"epsg": df.crs.to_epsg(), "rows": [[r.code, r.geometry.x, r.geometry.y] for r in df.itertuples()]}))
"""


@pytest.mark.parametrize(("crs", "kind"), [("EPSG:4490", "degrees"), ("EPSG:4525", "metres")])
def test_gdal_reads_cgcs2000_in_authority_axis_order(live_server, gdal_auth, db, crs, kind):
    """pyogrio's newer GDAL asks for the CRS and, reading the authority axis order, swaps
    back to x=east: a wrong axis order from us would come out swapped here (lat/lon for
    EPSG:4490, northing/easting for the Gauss-Krueger zone EPSG:4525). It runs in its
    own process: GDAL holds the interpreter while it waits for our in-process server."""
    import sys

    code, lon, lat, e, n = db.execute(
        "SELECT code, ST_X(geom), ST_Y(geom), ST_X(ST_Transform(geom, 4525)), ST_Y(ST_Transform(geom, 4525))"
        " FROM boundary_marker ORDER BY code LIMIT 1"
    ).fetchone()
    out = json.loads(
        _gdal([sys.executable, "-c", READ_WITH_PYOGRIO, f"OAPIF:{live_server}/ogc", crs], gdal_auth)
    )
    assert out["epsg"] == int(crs.split(":")[1])
    x, y = next((x, y) for c, x, y in out["rows"] if c == code)
    if kind == "degrees":
        assert (x, y) == pytest.approx((lon, lat), abs=1e-6)
    else:
        assert (x, y) == pytest.approx((e, n), abs=0.01)


def test_a_collection_extent_follows_writes(client, auth):
    """Extents are cached by data version: a new feature far away shows in the next answer."""
    url = "/ogc/collections/boundary_dispute"
    client.get(url, headers=auth("viewer"))  # computed and cached
    lon = 125.0 + (uuid.uuid4().int % 1000) / 1000  # somewhere new each run, inside China
    body = {
        "title": "extent test",
        "parties": ["150602", "150603"],
        "opened_on": "2026-11-01",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[lon, 45.0], [lon + 0.001, 45.0], [lon + 0.001, 45.001], [lon, 45.0]]],
        },
    }
    assert client.post("/api/v1/disputes", json=body, headers=auth("inspector")).status_code == 201
    bbox = client.get(url, headers=auth("viewer")).json()["extent"]["spatial"]["bbox"][0]
    assert bbox[0] <= lon <= bbox[2] and bbox[1] <= 45.0 <= bbox[3]
