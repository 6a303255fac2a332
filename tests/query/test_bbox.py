"""One bbox rule for every read that takes one: each route in the OpenAPI document with a
`bbox` also takes `bbox-crs`, and the same area given in CRS84 or in EPSG:4490's
latitude-first order selects the same features, for markers, graves, exports and items."""

import csv
import io

from gis_service.main import create_app

# Dongsheng and Kangbashi: markers, graves and boundary lines
LON0, LAT0, LON1, LAT1 = 109.5, 39.4, 110.3, 40.0
CRS84 = {"bbox": f"{LON0},{LAT0},{LON1},{LAT1}"}
EPSG4490 = {"bbox": f"{LAT0},{LON0},{LAT1},{LON1}", "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4490"}


def test_every_route_with_a_bbox_takes_its_crs(settings):
    spec = create_app(settings).openapi()
    with_bbox = {
        f"{method.upper()} {path}": {p["name"] for p in op.get("parameters", [])}
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if any(p["name"] == "bbox" for p in op.get("parameters", []))
    }
    assert len(with_bbox) >= 5, with_bbox  # items (both doors), export, markers, graves
    assert {route for route, names in with_bbox.items() if "bbox-crs" not in names} == set()


def _codes(features) -> set:
    return {f["properties"].get("code") or f.get("id") for f in features}


def test_markers_graves_and_exports_read_a_bbox_in_its_crs(client, auth):
    h = auth("admin")
    markers = [
        client.get("/api/v1/markers", params={**q, "limit": 1000}, headers=h) for q in (CRS84, EPSG4490)
    ]
    assert [r.status_code for r in markers] == [200, 200]
    first, second = (_codes(r.json()["features"]) for r in markers)
    assert first and first == second

    graves = [client.get("/api/v1/funeral/graves/points", params=q, headers=h) for q in (CRS84, EPSG4490)]
    assert [r.status_code for r in graves] == [200, 200]
    assert graves[0].json() == graves[1].json()

    exports = [
        client.get("/api/v1/layers/boundary_line/export.csv", params=q, headers=h) for q in (CRS84, EPSG4490)
    ]
    assert [r.status_code for r in exports] == [200, 200]
    rows = [sorted(r["id"] for r in csv.DictReader(io.StringIO(e.text.lstrip("\ufeff")))) for e in exports]
    assert rows[0] and rows[0] == rows[1]

    # the same rule refuses the same mistakes everywhere, in both languages
    for url in (
        "/api/v1/markers",
        "/api/v1/funeral/graves/points",
        "/api/v1/layers/boundary_line/export.csv",
    ):
        for bad in ("1,2,3", "110,40,109,39", "40,110,41,111"):
            r = client.get(url, params={"bbox": bad}, headers=h)
            assert r.status_code == 400 and "bbox" in r.json()["message"] and r.json()["message_zh"], (
                url,
                bad,
                r.text,
            )


def test_a_bbox_outside_its_crs_is_refused_at_every_door(client, auth):
    """Lon/lat numbers sent as Gauss-Krueger metres fall outside that zone: a 400 naming
    the CRS, never the database's transform error."""
    h = auth("admin")
    wrong = {"bbox": f"{LON0},{LAT0},{LON1},{LAT1}", "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4525"}
    for url in (
        "/api/v1/markers",
        "/api/v1/funeral/graves/points",
        "/api/v1/layers/boundary_line/export.csv",
        "/api/v1/layers/boundary_line/items",
        "/ogc/collections/boundary_line/items",
    ):
        r = client.get(url, params=wrong, headers=h)
        assert r.status_code == 400 and "EPSG:4525" in r.json()["message"], (url, r.text)
    # the same area in zone 37's own metres (northing first, as EPSG:4525 orders its axes)
    right = {"bbox": "4370000,37430000,4430000,37530000", "bbox-crs": wrong["bbox-crs"]}
    assert client.get("/api/v1/markers", params=right, headers=h).status_code == 200


def test_a_gauss_krueger_box_selects_what_the_databases_transform_of_it_selects(client, auth, db):
    """A projected box reaches the statement as its corners in lon/lat, carried there by
    PROJ in the service: the markers it selects are those the database selects with its
    own ST_Transform of the box, along a box's edge too."""
    northing, easting = 4_395_000.0, 37_470_000.0
    for half in (2_000, 15_000, 40_000):
        box = (northing - half, easting - half, northing + half, easting + half)
        expected = {
            code
            for (code,) in db.execute(
                "SELECT code FROM boundary_marker WHERE ST_Intersects(geom,"
                " ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 4525), 4490))",
                (box[1], box[0], box[3], box[2]),
            )
        }
        got, url = set(), "/api/v1/layers/boundary_marker/items"
        params = {
            "bbox": ",".join(map(str, box)),
            "bbox-crs": "EPSG:4525",
            "limit": 10000,
            "skip_geometry": "true",
        }
        while url:
            page = client.get(url, params=params, headers=auth("admin")).json()
            got |= {f["id"] for f in page["features"]}
            url, params = next((link["href"] for link in page["links"] if link["rel"] == "next"), None), None
        assert got == expected and (expected or half < 40_000), (half, len(got), len(expected))
