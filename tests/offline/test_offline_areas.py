"""Offline areas: the manifest of a line, a banner and a rectangle (tiles of every
readable layer and of the base map, records, ETags, size), the records themselves, and
a refresh after one marker changes, where only that marker's record moves."""

import uuid
from datetime import UTC, datetime

import pytest

LINE = "150602-150603"  # 东胜区—康巴什区, a county-level line of Ordos


def _manifest(client, auth, role="inspector", **spec):
    return client.post("/api/v1/offline-areas/manifest", json=spec, headers=auth(role))


@pytest.fixture(scope="module")
def line_manifest(client, auth):
    r = _manifest(client, auth, kind="line", code=LINE)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_line_area_lists_tiles_records_and_its_size(line_manifest, db):
    m = line_manifest
    assert m["area"]["name"] == "东胜区—康巴什区" and m["area"]["max_zoom"] == 16
    layers = {layer for _, _, layer in m["tiles"]}
    # the base map and the layers drawn from tiles; markers travel as records instead
    assert {"basemap", "county_boundary", "boundary_line"} <= layers and "boundary_marker" not in layers
    urls = [u for u, _, _ in m["tiles"]]
    assert len(urls) == len(set(urls)) == m["counts"]["tiles"]
    # vector layers and the reference base map stop at their native zoom (14)
    zooms = {
        layer: max(int(u.split("/")[-3]) for u, _, lay in m["tiles"] if lay == layer) for layer in layers
    }
    assert zooms["boundary_line"] == 14 and zooms["basemap"] == 14
    markers = db.execute("SELECT count(*) FROM boundary_marker WHERE line_code = %s", (LINE,)).fetchone()[0]
    assert m["counts"]["records"]["marker"] == markers > 0
    assert all(k.startswith(("marker:", "sign:", "grave:")) and len(e) == 32 for k, e in m["records"])
    assert 100_000 < m["estimated_bytes"] < 50_000_000


def test_every_listed_tile_is_served_with_the_listed_etag(client, auth, line_manifest):
    for url, etag, layer in line_manifest["tiles"][:: max(1, len(line_manifest["tiles"]) // 40)]:
        r = client.get(url, headers=auth("inspector"))
        assert r.status_code == 200, (url, r.status_code)
        assert r.headers["etag"] == etag, url
        if layer != "basemap":
            assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"


def test_records_carry_the_full_card_and_history(client, auth, line_manifest, db):
    code = db.execute(
        "SELECT code FROM boundary_marker WHERE line_code = %s ORDER BY seq LIMIT 1", (LINE,)
    ).fetchone()[0]
    visit = {
        "id": str(uuid.uuid4()),
        "condition": "damaged",
        "observed_at": datetime.now(UTC).isoformat(),
        "notes": "chipped",
    }
    assert client.post(
        f"/api/v1/markers/{code}/inspections", json=visit, headers=auth("inspector")
    ).status_code in (200, 201)
    r = client.post(
        "/api/v1/offline-areas/records",
        json={"keys": [f"marker:{code}", "marker:150602-150603-999Q"]},
        headers=auth("inspector"),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["gone"] == ["marker:150602-150603-999Q"]
    (rec,) = body["records"]
    card = rec["data"]
    assert card["properties"]["gk"]["zone"] in (36, 37) and card["reference_objects"]
    assert card["open_repair"]["reason"] == "damaged"
    assert card["history"][0]["id"] == visit["id"] and card["history"][0]["notes"] == "chipped"
    # the same ETag as the manifest lists now
    assert (
        dict(_manifest(client, auth, kind="line", code=LINE).json()["records"])[f"marker:{code}"]
        == rec["etag"]
    )


def test_after_one_marker_changes_only_its_record_differs(client, auth):
    before = _manifest(client, auth, kind="line", code=LINE).json()
    code = next(k for k, _ in before["records"] if k.startswith("marker:")).split(":", 1)[1]
    visit = {"id": str(uuid.uuid4()), "condition": "tilted", "observed_at": datetime.now(UTC).isoformat()}
    assert (
        client.post(f"/api/v1/markers/{code}/inspections", json=visit, headers=auth("inspector")).status_code
        == 201
    )
    after = _manifest(client, auth, kind="line", code=LINE).json()
    old, new = dict(before["records"]), dict(after["records"])
    assert [k for k in new if new[k] != old.get(k)] == [f"marker:{code}"]
    assert after["etag"] != before["etag"]
    fetched = client.post(
        "/api/v1/offline-areas/records", json={"keys": [f"marker:{code}"]}, headers=auth("inspector")
    )
    assert fetched.json()["records"][0]["etag"] == new[f"marker:{code}"]
    # tiles of layers that do not show markers keep their ETags
    old_tiles = {u: e for u, e, layer in before["tiles"] if layer in ("county_boundary", "basemap")}
    new_tiles = {u: e for u, e, layer in after["tiles"] if layer in ("county_boundary", "basemap")}
    assert old_tiles == new_tiles


def test_a_banner_and_a_rectangle(client, auth):
    banner = _manifest(client, auth, kind="banner", code="150603").json()
    assert banner["area"]["name"] == "康巴什区" and banner["area"]["max_zoom"] == 14
    assert banner["counts"]["records"]["marker"] > 0
    box = _manifest(client, auth, kind="bbox", bbox=[109.7, 39.55, 109.9, 39.65], max_zoom=13).json()
    assert box["area"]["max_zoom"] == 13 and box["counts"]["tiles"] > 0
    assert max(int(u.split("/")[-3]) for u, _, _ in box["tiles"]) == 13


def test_graves_travel_only_to_those_who_may_read_them(client, auth):
    box = {"kind": "bbox", "bbox": [109.0, 39.0, 110.5, 40.0], "max_zoom": 10}
    inspector = _manifest(client, auth, **box).json()
    viewer = _manifest(client, auth, role="viewer", **box).json()
    assert inspector["counts"]["records"].get("grave", 0) > 0
    assert "grave" not in viewer["counts"]["records"]
    assert not any(layer == "grave" for _, _, layer in viewer["tiles"])
    grave = next(k for k, _ in inspector["records"] if k.startswith("grave:"))
    r = client.post("/api/v1/offline-areas/records", json={"keys": [grave]}, headers=auth("viewer"))
    assert r.json() == {"records": [], "gone": [grave]}


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "line"},
        {"kind": "line", "code": "150602"},
        {"kind": "banner", "code": "150602-150603"},
        {"kind": "bbox", "code": "150602"},
        {"kind": "bbox", "bbox": [110, 39, 109, 40]},
        {"kind": "bbox", "bbox": [100, 30, 110, 40]},
        {"kind": "line", "code": LINE, "max_zoom": 25},
        {"kind": "line", "code": LINE, "extra": 1},
        {"kind": "county", "code": "150602"},
    ],
)
def test_bad_area_requests_are_400s(client, auth, spec):
    r = _manifest(client, auth, **spec)
    assert r.status_code in (400, 422), r.text
    assert r.json()["message"]


def test_unknown_areas_are_404_and_anonymous_callers_401(client, auth):
    assert _manifest(client, auth, kind="line", code="150602-150699").status_code == 404
    assert _manifest(client, auth, kind="banner", code="150699").status_code == 404
    assert (
        client.post("/api/v1/offline-areas/manifest", json={"kind": "banner", "code": "150603"}).status_code
        == 401
    )
    bad = client.post(
        "/api/v1/offline-areas/records", json={"keys": ["marker:x'; drop"]}, headers=auth("inspector")
    )
    assert bad.status_code in (400, 422)
    too_many = client.post(
        "/api/v1/offline-areas/records",
        json={"keys": [f"marker:A{i}" for i in range(1001)]},
        headers=auth("inspector"),
    )
    assert too_many.status_code in (400, 422)
