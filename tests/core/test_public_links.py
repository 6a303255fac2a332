"""Links are built from PUBLIC_URL, never from request headers: with PUBLIC_URL set every
OGC link, `next`, Location and TileJSON starts with it (https and the path prefix, though
the proxy spoke plain http to the service and X-Forwarded-Host names another host); a Host
that is not one of the service's names is refused before anything is built from it."""

import pytest
from fastapi.testclient import TestClient

from gis_service.main import create_app

PUBLIC = "https://mzj.example.gov.cn/gis"
FEATURE = {
    "type": "Feature",
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[109.9, 39.6], [109.91, 39.6], [109.91, 39.61], [109.9, 39.6]]],
    },
    "properties": {"title": "link test", "parties": ["150602", "150627"], "opened_on": "2026-10-01"},
}


def _hrefs(value) -> list[str]:
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "href" and isinstance(v, str)] + [
            h for v in value.values() for h in _hrefs(v)
        ]
    if isinstance(value, list):
        return [h for v in value for h in _hrefs(v)]
    return []


@pytest.fixture(scope="module")
def public(settings, prepared_db):
    app = create_app(settings.model_copy(update={"public_url": PUBLIC}))
    with TestClient(app, base_url="http://mzj.example.gov.cn") as c:
        yield c


def test_every_link_starts_with_the_public_url(public, auth):
    h = auth("inspector") | {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
    docs = [
        "/ogc",
        "/ogc/collections",
        "/ogc/collections/county_boundary",
        "/ogc/collections/county_boundary/items?limit=2",
        "/ogc/collections/boundary_marker/items?limit=5",
        "/ogc/collections/county_boundary/tiles",
        "/api/v1/layers",
        "/api/v1/layers/county_boundary/items?limit=2",
    ]
    seen = 0
    for url in docs:
        r = public.get(url, headers=h)
        assert r.status_code == 200, (url, r.text[:200])
        hrefs = _hrefs(r.json())
        assert all(href.startswith(PUBLIC) or not href.startswith("http") for href in hrefs), (url, hrefs)
        assert "evil.example" not in r.text
        seen += len(hrefs)
    page = public.get("/ogc/collections/boundary_marker/items?limit=5", headers=h).json()
    assert any(link["rel"] == "next" and link["href"].startswith(PUBLIC + "/ogc/") for link in page["links"])
    tilejson = public.get(
        "/ogc/collections/county_boundary/tiles/WebMercatorQuad/tilejson.json", headers=h
    ).json()
    assert all(t.startswith(PUBLIC) for t in tilejson["tiles"])
    created = public.post("/ogc/collections/boundary_dispute/items", json=FEATURE, headers=h)
    assert created.status_code == 201 and created.headers["location"].startswith(PUBLIC + "/ogc/collections/")
    assert seen > 20
    assert public.get("/openapi.json").json()["servers"] == [{"url": PUBLIC}]


def test_base_map_offline_areas_and_new_names_point_at_the_public_url(public, auth, db):
    h = auth("inspector") | {"X-Forwarded-Host": "evil.example"}
    basemap = public.get("/basemap/tilejson.json", headers=h).json()
    assert basemap["tiles"] == [PUBLIC + "/basemap/tiles/{z}/{x}/{y}"]
    assert basemap["labels"] == PUBLIC + "/basemap/labels.geojson"
    lon, lat = db.execute(
        "SELECT ST_X(geom), ST_Y(geom) FROM boundary_marker ORDER BY code LIMIT 1"
    ).fetchone()
    spec = {"kind": "bbox", "bbox": [lon - 0.02, lat - 0.02, lon + 0.02, lat + 0.02], "max_zoom": 12}
    tiles = public.post("/api/v1/offline-areas/manifest", json=spec, headers=h).json()["tiles"]
    kinds = {url.removeprefix(PUBLIC).split("/")[1] for url, *_ in tiles}
    assert tiles and all(url.startswith(PUBLIC + "/") for url, *_ in tiles) and kinds == {"api", "basemap"}
    body = {"name": "链接试验村", "level": "village", "admin_code": "150602001", "reason": "link test"}
    created = public.post("/api/v1/place-names", json=body, headers=auth("placename_officer"))
    assert created.status_code == 201, created.text[:300]
    assert created.headers["location"] == f"{PUBLIC}/api/v1/place-names/{created.json()['id']}"


def test_an_unknown_host_is_refused_with_or_without_a_public_url(public, client, auth, db):
    assert public.get("/ogc", headers={"Host": "evil.example"}).status_code == 400
    before = db.execute("SELECT count(*) FROM boundary_dispute").fetchone()[0]
    for url in ("/ogc", "/api/v1/layers", "/map"):
        r = client.get(url, headers={"Host": "evil.example"})
        assert r.status_code == 400 and r.json()["code"] == "unknown_host", (url, r.text[:200])
    r = client.post(
        "/ogc/collections/boundary_dispute/items",
        json=FEATURE,
        headers=auth("inspector") | {"Host": "evil.example"},
    )
    assert r.status_code == 400
    assert db.execute("SELECT count(*) FROM boundary_dispute").fetchone()[0] == before
    # the local names and their ports are ours
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
