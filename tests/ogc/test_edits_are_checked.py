"""Part 4 writes checked before any SQL: each layer takes only its declared geometry, a
missing or bad field gets a 400 that names it, Content-Crs is honoured, and the ETag of a
read in any CRS is the one an edit names in If-Match."""

import pytest

from tests.ogc.test_ogc_transactions import FEATURE, ITEMS

EPSG4490 = "http://www.opengis.net/def/crs/EPSG/0/4490"
EPSG4525 = "http://www.opengis.net/def/crs/EPSG/0/4525"


def _with(**props):
    return {**FEATURE, "properties": {**FEATURE["properties"], **props}}


def test_part_4_is_declared(client):
    conf = client.get("/ogc/conformance").json()["conformsTo"]
    for cls in ("create-replace-delete", "update", "optimistic-locking-etags"):
        assert f"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/{cls}" in conf


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**FEATURE, "properties": {"parties": ["150602", "150627"], "opened_on": "2026-10-01"}}, "title"),
        (_with(opened_on=None), "opened_on"),
        (_with(opened_on="yesterday"), "opened_on"),
        (_with(title=42), "title"),
        (_with(parties="150602,150627", line_code="x" * 40), "line_code"),
        (_with(parties=[1, 2]), "parties"),
    ],
    ids=["missing", "null", "not-a-date", "not-text", "too-long", "not-a-list"],
)
def test_a_missing_or_bad_field_is_named(client, auth, db, body, field):
    before = db.execute("SELECT count(*) FROM boundary_dispute").fetchone()[0]
    r = client.post(ITEMS, json=body, headers=auth("inspector"))
    assert r.status_code == 400 and f"'{field}'" in r.json()["message"], r.text
    assert f"“{field}”" in r.json()["message_zh"]
    assert db.execute("SELECT count(*) FROM boundary_dispute").fetchone()[0] == before


def test_a_value_the_database_refuses_names_the_rule(client, auth):
    facility = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [109.99, 39.81]},
        "properties": {
            "code": "RULE-1",
            "name": "规则",
            "facility_type": "ash_hall",
            "status": "planned",
            "capacity": -1,
        },
    }
    r = client.post("/ogc/collections/funeral_facility/items", json=facility, headers=auth("admin"))
    assert r.status_code == 400 and r.json()["rule"] == "funeral_facility_capacity_check", r.text


def test_a_replace_must_carry_the_required_fields(client, auth, current):
    h = auth("inspector")
    path = client.post(ITEMS, json=FEATURE, headers=h).headers["location"].replace("http://testserver", "")
    r = client.put(path, json={**FEATURE, "properties": {"title": "only a title"}}, headers=current(path, h))
    assert r.status_code == 400 and "'parties'" in r.json()["message"], r.text
    # a PUT that leaves out status keeps it: a status moves only as the register allows
    client.patch(path, json={"properties": {"status": "negotiating"}}, headers=current(path, h))
    props = {k: v for k, v in FEATURE["properties"].items() if k != "status"}
    r = client.put(path, json={**FEATURE, "properties": props}, headers=current(path, h))
    assert r.status_code == 200 and r.json()["properties"]["status"] == "negotiating", r.text


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [109.9, 39.6]},
        {"type": "LineString", "coordinates": [[109.9, 39.6], [109.91, 39.61]]},
    ],
)
def test_each_layer_takes_only_its_declared_geometry(client, auth, geometry):
    r = client.post(ITEMS, json={**FEATURE, "geometry": geometry}, headers=auth("inspector"))
    assert r.status_code == 400 and geometry["type"] in r.json()["message"], r.text
    multi = {**geometry, "type": "MultiPoint", "coordinates": [[109.9, 39.6]]}
    r = client.post(
        "/ogc/collections/funeral_facility/items",
        json={"type": "Feature", "geometry": multi, "properties": {}},
        headers=auth("admin"),
    )
    assert r.status_code == 400 and "MultiPoint" in r.json()["message"], r.text


def test_a_polygon_is_stored_as_the_declared_multipolygon(client, auth, db):
    h = auth("inspector")
    path = client.post(ITEMS, json=FEATURE, headers=h).headers["location"].replace("http://testserver", "")
    assert client.get(path, headers=h).json()["geometry"]["type"] == "MultiPolygon"
    fid = path.rsplit("/", 1)[1]
    kind = db.execute("SELECT GeometryType(geom) FROM boundary_dispute WHERE id = %s", (int(fid),))
    assert kind.fetchone()[0] == "MULTIPOLYGON"


def _swap(ring):
    return [[y, x] for x, y in ring]


@pytest.mark.parametrize("crs", [EPSG4490, EPSG4525])
def test_content_crs_is_honoured(client, auth, crs):
    """The same square sent in lat/lon (EPSG:4490's axis order) or in Gauss-Krüger zone 37
    metres (northing first) lands where the CRS84 square does."""
    h = auth("inspector")
    ring = FEATURE["geometry"]["coordinates"][0]
    if crs == EPSG4490:
        sent = _swap(ring)
    else:
        from pyproj import Transformer

        to_gk = Transformer.from_crs(4490, 4525, always_xy=True)
        sent = [[n, e] for e, n in (to_gk.transform(x, y) for x, y in ring)]
    body = {**FEATURE, "geometry": {"type": "Polygon", "coordinates": [sent]}}
    r = client.post(ITEMS, json=body, headers={**h, "Content-Crs": f"<{crs}>"})
    assert r.status_code == 201, r.text
    path = r.headers["location"].replace("http://testserver", "")
    got = client.get(path, headers=h).json()["geometry"]["coordinates"][0][0]
    assert sorted(c for xy in got for c in xy) == pytest.approx(
        sorted(c for xy in ring for c in xy), abs=1e-6
    )


def test_an_unknown_content_crs_is_refused(client, auth):
    r = client.post(
        ITEMS,
        json=FEATURE,
        headers={**auth("inspector"), "Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/3857>"},
    )
    assert r.status_code == 400 and "Content-Crs" in r.json()["message"]


def test_the_etag_of_a_read_in_any_crs_is_the_features_version(client, auth):
    h = auth("inspector")
    path = client.post(ITEMS, json=FEATURE, headers=h).headers["location"].replace("http://testserver", "")
    tags = {
        crs: client.get(path, params={"crs": crs}, headers=h).headers.get("etag")
        for crs in ("CRS84", EPSG4490, EPSG4525)
    }
    assert len(set(tags.values())) == 1 and None not in tags.values()
    r = client.patch(
        path, json={"properties": {"title": "edited in GK"}}, headers={**h, "If-Match": tags[EPSG4525]}
    )
    assert r.status_code == 200, r.text
    assert client.get(path, params={"crs": EPSG4525}, headers=h).headers["etag"] != tags[EPSG4525]
