"""Boundary lines derived from the real polygons, their API and the vectorisation rate."""

import pytest

from tests.reference_data.test_reference_data import NEIGHBOUR_CITIES

# Every pair of adjacent county-level units with at least one in Ordos, read off the
# AMap polygons: 16 inside Ordos (and 32 with the neighbours' counties).
INSIDE_ORDOS = {
    "150602-150603",
    "150602-150621",
    "150602-150622",
    "150602-150625",
    "150602-150627",
    "150603-150627",
    "150621-150622",
    "150621-150625",
    "150622-150627",
    "150623-150624",
    "150623-150626",
    "150624-150625",
    "150624-150626",
    "150625-150626",
    "150625-150627",
    "150626-150627",
}


def _lines(client, auth, **params):
    r = client.get(
        "/api/v1/boundary-lines",
        params={"skipGeometry": "true", "limit": 10000, **params},
        headers=auth("viewer"),
    )
    assert r.status_code == 200
    return {f["properties"]["code"]: f["properties"] for f in r.json()["features"]}


def test_every_adjacent_pair_inside_ordos_is_found_and_none_invented(client, auth, db):
    inside = {
        code
        for code, p in _lines(client, auth, level="county").items()
        if p["left_code"].startswith("1506") and p["right_code"].startswith("1506")
    }
    # Check against the polygons themselves: pairs whose shared outline is > 200 m.
    truth = {
        r[0]
        for r in db.execute("""
        SELECT a.code || '-' || b.code FROM admin_unit a JOIN admin_unit b ON a.code < b.code
        WHERE a.parent_code = '150600' AND b.parent_code = '150600' AND a.valid_to IS NULL
          AND b.valid_to IS NULL
          AND ST_Length(ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom))::geography) > 200
    """).fetchall()
    }
    assert inside == truth == INSIDE_ORDOS


def test_city_and_provincial_lines(client, auth):
    cities = _lines(client, auth, level="city")
    others = {next(c for c in (p["left_code"], p["right_code"]) if c != "150600") for p in cities.values()}
    assert others == NEIGHBOUR_CITIES
    provinces = _lines(client, auth, level="province")
    assert set(provinces) == {"140000-150000", "150000-610000", "150000-640000"}
    assert provinces["150000-610000"]["name"] == "内蒙古自治区—陕西省"
    assert provinces["150000-610000"]["scope"] == "鄂尔多斯市段"
    # The Ordos stretch of the Shaanxi line is the sum of the Yulin city line.
    assert provinces["150000-610000"]["length_m"] == pytest.approx(
        cities["150600-610800"]["length_m"], rel=1e-3
    )


def test_lengths_are_plausible_and_on_the_ellipsoid(client, auth, db):
    lines = _lines(client, auth, level="county")
    assert all(1_000 < p["length_m"] < 250_000 for p in lines.values())
    # The city outline equals the city-level lines plus nothing else: Ordos' perimeter
    # is the sum of its ten city-level lines (within 1 %).
    perimeter = db.execute(
        "SELECT ST_Length(ST_Boundary(geom)::geography) FROM admin_unit WHERE code = '150600'"
    ).fetchone()[0]
    total = sum(p["length_m"] for p in _lines(client, auth, level="city").values())
    assert total == pytest.approx(perimeter, rel=0.01)


def test_line_detail_has_ends_tri_junctions_and_disagreement(client, auth):
    r = client.get("/api/v1/boundary-lines/150602-150603", headers=auth("viewer"))
    body = r.json()
    p = body["properties"]
    assert p["name"] == "东胜区—康巴什区" and p["level"] == "county" and p["source"] == "derived"
    assert body["geometry"]["type"] == "MultiLineString"
    assert len(p["end_points"]["coordinates"]) == 2 and len(p["tri_junctions"]["coordinates"]) == 2
    assert p["disagreement"]["max_gap_m"] == 0 and p["technical_status"] == "edge_matched"
    assert body["history"][0]["version"] == 1


def test_disagreeing_sources_are_reported(client, auth):
    lines = _lines(client, auth, level="county")
    mismatched = {c: p for c, p in lines.items() if p["technical_status"] == "not_edge_matched"}
    assert mismatched, "the AMap sources disagree by tens of metres on a few lines"
    # the list carries the largest gap; the record has the whole disagreement
    assert all(0 < p["max_gap_m"] <= 50 for p in mismatched.values())


def test_vectorisation_rate(client, auth):
    levels = {
        x["level"]: x
        for x in client.get("/api/v1/boundary-lines/vectorisation-rate", headers=auth("planner")).json()[
            "levels"
        ]
    }
    assert levels["county"]["required"] == 48 and levels["city"]["required"] == 10
    assert levels["province"]["required"] == 3
    assert all(x["rate_pct"] == 100.0 for x in levels.values())


def rederive(client, auth) -> dict:
    """Start a derivation job (202 with its address) and wait for it to finish."""
    import time

    started = client.post("/api/v1/boundary-lines/derive", headers=auth("admin"))
    assert started.status_code == 202, started.text
    url = "/api/v1/" + started.headers["location"].split("/api/v1/", 1)[1]
    assert started.json()["status_url"] == started.headers["location"]
    deadline = time.monotonic() + 120
    while (job := client.get(url, headers=auth("admin")).json())["status"] == "running":
        assert time.monotonic() < deadline, "the derivation did not finish in 2 minutes"
        time.sleep(0.2)
    assert job["status"] == "done", job
    return job


def test_derivation_runs_as_a_job_one_at_a_time(client, auth):
    first = client.post("/api/v1/boundary-lines/derive", headers=auth("admin"))
    second = client.post("/api/v1/boundary-lines/derive", headers=auth("admin"))
    assert first.status_code == second.status_code == 202
    assert first.json()["job"] == second.json()["job"]  # the running one, not a second
    assert client.post("/api/v1/boundary-lines/derive", headers=auth("inspector")).status_code == 403
    assert (
        client.get(first.headers["location"].split("testserver", 1)[1], headers=auth("viewer")).status_code
        == 403
    )
    assert rederive(client, auth)["result"]


def test_replacing_a_line_keeps_history_and_is_admin_only(client, auth, db, current):
    code = "150625-150626"
    line = client.get(f"/api/v1/boundary-lines/{code}", headers=auth("viewer")).json()
    geometry = line["geometry"]
    body = {"geometry": geometry, "source": "surveyed", "note": "2026 joint survey"}
    assert (
        client.put(
            f"/api/v1/boundary-lines/{code}/geometry", json=body, headers=auth("inspector")
        ).status_code
        == 403
    )
    version = line["properties"]["version"]
    read = current(f"/api/v1/boundary-lines/{code}", auth("admin"))
    r = client.put(f"/api/v1/boundary-lines/{code}/geometry", json=body, headers=read)
    assert r.status_code == 200 and r.json()["version"] == version + 1
    # the version read is no longer current: a second replacement from it is refused
    assert client.put(f"/api/v1/boundary-lines/{code}/geometry", json=body, headers=read).status_code == 412
    after = client.get(f"/api/v1/boundary-lines/{code}", headers=auth("viewer")).json()
    assert after["properties"]["source"] == "surveyed"
    assert [h["version"] for h in after["history"]] == list(range(1, version + 2))
    assert after["history"][0]["valid_to"] is not None and after["history"][-1]["valid_to"] is None
    # Re-deriving keeps the surveyed line.
    assert rederive(client, auth)["result"]["county"] > 0
    again = client.get(f"/api/v1/boundary-lines/{code}", headers=auth("viewer")).json()
    assert again["properties"]["source"] == "surveyed" and again["properties"]["version"] == version + 1
    rate = {
        x["level"]: x
        for x in client.get("/api/v1/boundary-lines/vectorisation-rate", headers=auth("viewer")).json()[
            "levels"
        ]
    }
    assert rate["county"]["surveyed_or_agreed"] >= 1


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [109.5, 39.5]},
        {"type": "LineString", "coordinates": [[209.5, 39.5], [109.6, 39.6]]},
        {"type": "LineString", "coordinates": [[109.5, 39.5]]},
        {"type": "LineString", "coordinates": [[39.5, 109.5], [39.6, 109.6]]},
        {"type": "LineString"},
        "not geometry",
    ],
)
def test_bad_replacement_geometry_is_400_and_changes_nothing(client, auth, db, geometry):
    code = "150602-150603"
    before = db.execute(
        "SELECT count(*), max(version) FROM boundary_line WHERE code = %s", (code,)
    ).fetchone()
    r = client.put(
        f"/api/v1/boundary-lines/{code}/geometry",
        json={"geometry": geometry, "source": "surveyed", "note": "x"},
        headers=auth("admin") | {"If-Match": "*"},
    )
    assert r.status_code in (400, 422), r.text
    assert (
        db.execute("SELECT count(*), max(version) FROM boundary_line WHERE code = %s", (code,)).fetchone()
        == before
    )


def test_unknown_line_and_bad_filters(client, auth):
    assert client.get("/api/v1/boundary-lines/150602-999999", headers=auth("viewer")).status_code == 404
    assert client.get("/api/v1/boundary-lines/abc", headers=auth("viewer")).status_code == 422
    assert (
        client.get("/api/v1/boundary-lines", params={"level": "galaxy"}, headers=auth("viewer")).status_code
        == 422
    )
    assert client.get("/api/v1/boundary-lines").status_code == 401


def _line_frame(client, auth, code):
    import geopandas as gpd
    from shapely.geometry import shape

    line = client.get(f"/api/v1/boundary-lines/{code}", headers=auth("viewer")).json()
    return gpd.GeoDataFrame({"name": ["survey"]}, geometry=[shape(line["geometry"])], crs=4490), line


@pytest.mark.parametrize("kind", ["gpkg", "shp"])
def test_replace_line_from_a_file_in_another_crs(client, auth, db, tmp_path, kind, current):
    import zipfile

    code = "150621-150625"
    frame, line = _line_frame(client, auth, code)
    version = line["properties"]["version"]
    projected = frame.to_crs(4525)  # Gauss-Krueger zone 37 with prefix
    if kind == "gpkg":
        path = tmp_path / "survey.gpkg"
        projected.to_file(path, driver="GPKG")
        payload = path.read_bytes()
    else:
        projected.to_file(tmp_path / "survey.shp")
        path = tmp_path / "survey.zip"
        with zipfile.ZipFile(path, "w") as z:
            for ext in ("shp", "shx", "dbf", "prj", "cpg"):
                if (tmp_path / f"survey.{ext}").exists():
                    z.write(tmp_path / f"survey.{ext}", f"survey.{ext}")
        payload = path.read_bytes()
    r = client.put(
        f"/api/v1/boundary-lines/{code}/geometry/file",
        headers=current(f"/api/v1/boundary-lines/{code}", auth("admin")),
        files={"file": (path.name, payload)},
        data={"source": "surveyed", "note": f"{kind} survey"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == version + 1
    shift = db.execute(
        "SELECT ST_HausdorffDistance(ST_Transform(a.geom, 4525), ST_Transform(b.geom, 4525))"
        " FROM boundary_line a, boundary_line b WHERE a.code = %s AND b.code = %s"
        " AND a.version = %s AND b.version = %s",
        (code, code, version, version + 1),
    ).fetchone()[0]
    assert shift < 0.01  # the round trip through zone 37 moved nothing


def test_unreadable_line_files_are_400(client, auth):
    code = "150621-150625"
    for name, payload in [("x.gpkg", b"not a geopackage"), ("x.zip", b"PK\x03\x04broken"), ("x.json", b"")]:
        r = client.put(
            f"/api/v1/boundary-lines/{code}/geometry/file",
            headers=auth("admin") | {"If-Match": "*"},
            files={"file": (name, payload)},
            data={"source": "surveyed", "note": "x"},
        )
        assert r.status_code == 400, (name, r.text)
