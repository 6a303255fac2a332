"""A bureau serving the system under a path prefix of a host it shares with other sites
(PUBLIC_URL=https://mzj.example.gov.cn/gis). Whether its proxy passes the prefix on or
strips it, every page (map, planner, OGC pages and their sign-in, /docs, /trust), every
file those pages load, the service worker's shell, the installable app's manifest and
the offline-area manifest point inside the prefix, and each of those addresses answers."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from gis_service.main import create_app

PUBLIC = "https://mzj.example.gov.cn/gis"
PREFIX = "/gis"
PAGES = ["/map", "/planner", "/docs", "/ogc?f=html", "/ogc/collections?f=html", "/trust"]
REFERENCE = re.compile(r"""(?:href|src)=["']([^"'#]+)["']|url: ?'([^']+)'""")


@pytest.fixture(scope="module")
def prefixed(settings, prepared_db):
    app = create_app(settings.model_copy(update={"public_url": PUBLIC}))
    with TestClient(app, base_url="http://mzj.example.gov.cn") as c:
        yield c


@pytest.fixture(params=["passed on", "stripped"])
def proxy(request, prefixed):
    """GET/POST a public address the way a proxy forwards it: with the prefix, or without."""
    strip = request.param == "stripped"

    def forward(method: str, public: str, **kw):
        assert public.startswith(PUBLIC + "/") or public == PUBLIC, public
        parts = urlsplit(public)
        path = parts.path[len(PREFIX) :] or "/" if strip else parts.path
        return prefixed.request(method, path + (f"?{parts.query}" if parts.query else ""), **kw)

    return forward


def _references(html: str) -> list[str]:
    return [a or b for a, b in REFERENCE.findall(html) if not (a or b).startswith(("data:", "blob:"))]


def test_every_page_and_what_it_loads_stays_inside_the_prefix(proxy, auth):
    signed_in = auth("admin")
    checked = 0
    for page in PAGES:
        here = PUBLIC + page
        r = proxy("GET", here, headers=signed_in)
        assert r.status_code == 200, (page, r.status_code, r.text[:200])
        for ref in _references(r.text):
            target = urljoin(here, ref)
            assert target.startswith(PUBLIC + "/"), (page, ref, target)
            if urlsplit(target).hostname == "mzj.example.gov.cn":
                loaded = proxy("GET", target, headers=signed_in)
                assert loaded.status_code == 200, (page, ref, loaded.status_code)
                checked += 1
    assert checked > 30


def test_the_ogc_sign_in_page_loads_its_script_from_the_prefix(proxy):
    here = PUBLIC + "/ogc/collections/grave/items?f=html"
    r = proxy("GET", here, headers={"Accept": "text/html"})
    assert r.status_code == 401 and "ogc-sign-in" in r.text
    scripts = [urljoin(here, ref) for ref in _references(r.text) if ref.endswith(".js")]
    assert scripts == [PUBLIC + "/map/static/js/ogc_sign_in.js"]
    assert proxy("GET", scripts[0]).status_code == 200


def test_the_root_redirects_to_the_map_inside_the_prefix(proxy):
    r = proxy("GET", PUBLIC + "/", follow_redirects=False)
    assert r.status_code in (302, 307) and urljoin(PUBLIC + "/", r.headers["location"]) == PUBLIC + "/map"


def test_the_installed_app_and_its_offline_shell_live_under_the_prefix(proxy):
    where = PUBLIC + "/manifest.webmanifest"
    manifest = proxy("GET", where).json()
    assert urljoin(where, manifest["start_url"]) == PUBLIC + "/map"
    assert urljoin(where, manifest["scope"]) == PUBLIC + "/"
    for icon in manifest["icons"]:
        assert proxy("GET", urljoin(where, icon["src"])).status_code == 200
    # the worker registered at {prefix}/sw.js has the scope {prefix}/ and keeps its shell
    # files under it: each is there
    sw = proxy("GET", PUBLIC + "/sw.js")
    assert sw.status_code == 200
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", sw.text).group(1))
    assert "/map" in shell and len(shell) > 20
    for path in shell:
        assert proxy("GET", PUBLIC + path).status_code == 200, path


def test_an_offline_area_lists_its_tiles_at_the_public_address(proxy, auth, db):
    lon, lat = db.execute(
        "SELECT ST_X(geom), ST_Y(geom) FROM boundary_marker ORDER BY code LIMIT 1"
    ).fetchone()
    spec = {"kind": "bbox", "bbox": [lon - 0.02, lat - 0.02, lon + 0.02, lat + 0.02], "max_zoom": 12}
    r = proxy("POST", PUBLIC + "/api/v1/offline-areas/manifest", json=spec, headers=auth("inspector"))
    assert r.status_code == 200, r.text[:300]
    tiles = r.json()["tiles"]
    assert tiles and all(url.startswith(PUBLIC + "/") for url, *_ in tiles)
    url, etag, _ = tiles[-1]
    tile = proxy("GET", url, headers=auth("inspector"))
    assert tile.status_code in (200, 204) and tile.headers.get("etag", etag) == etag
