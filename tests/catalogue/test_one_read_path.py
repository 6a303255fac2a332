"""Both doors — the map API's /api/v1/layers/{id}/items and the OGC API's items — take
one typed query with the same rules (they differed: one refused limit over 1,000 and a
6-number bbox, the other clamped and accepted them), and both OpenAPI documents say so."""

import pytest

DOORS = ["/api/v1/layers/{}/items", "/ogc/collections/{}/items"]


def _ids(client, h, url, **params):
    r = client.get(url, params=params, headers=h)
    assert r.status_code == 200, r.text
    return [f["id"] for f in r.json()["features"]]


@pytest.mark.parametrize("door", DOORS)
def test_the_same_rules_at_both_doors(client, auth, door):
    h = auth("planner")
    counties = door.format("county_boundary")
    assert len(_ids(client, h, counties, limit=20000)) == 80  # above the maximum: clamped
    box = _ids(client, h, counties, bbox="109.5,39.5,110.0,40.0")
    assert box and box == _ids(client, h, counties, bbox="109.5,39.5,0,110.0,40.0,100")
    lat_lon = _ids(
        client,
        h,
        counties,
        bbox="39.5,109.5,40.0,110.0",
        **{"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4490"},
    )
    assert lat_lon == box
    graves = door.format("grave")
    cql = _ids(
        client, h, graves, filter="remediated_on >= DATE('2025-01-01') AND grave_count > 2", limit=10000
    )
    assert cql and cql == _ids(
        client, h, graves, filter="remediated_on >= DATE('2025-01-01') AND grave_count > 2", limit=10000
    )
    assert len(_ids(client, h, graves, datetime="2000-01-01/..", limit=5)) == 5
    bare = client.get(counties, params={"limit": 1, "skipGeometry": "true"}, headers=h).json()
    assert bare["features"][0]["geometry"] is None
    for bad in (
        {"limit": "0"},
        {"limit": "ten"},
        {"crs": "EPSG:3857"},
        {"filter": "name = 1"},
        {"bbox": "1,2,3"},
    ):
        r = client.get(counties, params=bad, headers=h)
        assert r.status_code == 400 and r.json()["message_zh"], (bad, r.text)


def test_both_openapi_documents_carry_the_parameters(client, auth):
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/layers/{layer_id}/items", "/ogc/collections/{layer_id}/items"):
        params = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        assert {"limit", "bbox", "bbox-crs", "crs", "datetime", "filter", "filter-lang", "cursor"} <= set(
            params
        )
        assert (
            params["limit"]["schema"]["maximum"] == 10000 and params["limit"]["schema"]["type"] == "integer"
        )
        assert "cql-text" in params["filter-lang"]["schema"]["enum"]
    ogc = client.get("/ogc/api", headers=auth("planner")).json()
    ogc_params = {p["name"] for p in ogc["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]}
    assert set(params) - {"layer_id"} <= ogc_params
