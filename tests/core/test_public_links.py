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
