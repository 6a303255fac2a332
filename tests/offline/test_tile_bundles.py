"""An offline area's tiles in bundles: each tile as its own URL answers it (bytes, ETag,
type), the manifest's public URLs or service paths alike, and every refusal a tile's own
URL would give refuses the bundle, naming the tile."""

import pytest

from tests.offline.bundles import read_bundle
from tests.offline.test_offline_areas import LINE, _manifest

BUNDLES = "/api/v1/offline-areas/tiles"


@pytest.fixture(scope="module")
def line_tiles(client, auth) -> list[list]:
    r = _manifest(client, auth, kind="line", code=LINE)
    assert r.status_code == 200, r.text
    return r.json()["tiles"]


def test_a_bundle_holds_each_tile_as_its_own_url_answers_it(client, auth, line_tiles):
    # every layer and the base map, small zooms and large
    sample = line_tiles[:: max(1, len(line_tiles) // 120)]
    assert {layer for _, _, layer in sample} >= {"basemap", "county_boundary", "boundary_line"}
    bundle = read_bundle(
        client.post(BUNDLES, json={"tiles": [u for u, _, _ in sample]}, headers=auth("inspector"))
    )
    assert len(bundle) == len(sample)
    for (url, etag, _), (entry, data) in zip(sample, bundle, strict=True):
        alone = client.get(url, headers=auth("inspector"))
        assert entry["path"] == url.split("testserver", 1)[-1]
        assert entry["status"] == alone.status_code == 200
        assert entry["etag"] == alone.headers["etag"] == etag
        assert entry["type"] == alone.headers["content-type"]
        assert data == alone.content
    assert sum(bool(data) for _, data in bundle) > len(bundle) // 2


def test_service_paths_and_empty_tiles(client, auth, line_tiles):
    path = line_tiles[0][0].split("testserver", 1)[-1]
    beyond = "/basemap/tiles/18/0/0"  # past the reference base map's zooms: nothing to draw
    [(first, data), (empty, nothing)] = read_bundle(
        client.post(BUNDLES, json={"tiles": [path, beyond]}, headers=auth("inspector"))
    )
    assert first["path"] == path and first["status"] == 200 and data
    assert client.get(beyond, headers=auth("inspector")).status_code == 204
    assert empty == {"path": beyond, "status": 204, "etag": "", "type": "", "length": 0} and nothing == b""


def test_a_bundle_without_gzip_is_the_same_bundle(client, auth, line_tiles):
    tiles = [u for u, _, _ in line_tiles[:20]]
    plain = client.post(
        BUNDLES, json={"tiles": tiles}, headers={**auth("inspector"), "Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers
    zipped = client.post(BUNDLES, json={"tiles": tiles}, headers=auth("inspector"))
    assert zipped.headers["content-encoding"] == "gzip"
    assert read_bundle(plain) == read_bundle(zipped)


@pytest.mark.parametrize(
    ("tiles", "status", "names"),
    [
        (["/api/v1/layers/grave/tiles/10/830/388"], 403, "grave"),  # a viewer may not read graves
        (["/basemap/tiles/9/1/1", "/api/v1/layers/no_such_layer/tiles/9/1/1"], 404, "Tile 1"),
        (["/api/v1/layers/boundary_line/tiles/3/9/1"], 400, "Tile 0"),  # no such tile at z3
        (["/basemap/tiles/3/9/1"], 400, "Tile 0"),
        (["/api/v1/users"], 400, "Not a tile"),
        (["/api/v1/layers/../../../etc/passwd/tiles/1/0/0"], 400, "Not a tile"),
        (["file:///etc/passwd"], 400, "Not a tile"),
        (["http://169.254.169.254/basemap/tiles/1/0/0"], 400, "Not a tile"),
        (["/basemap/tiles/1/0/0?x=1"], 400, "Not a tile"),
    ],
)
def test_a_tile_refused_refuses_the_bundle_and_names_it(client, auth, tiles, status, names):
    r = client.post(BUNDLES, json={"tiles": tiles}, headers=auth("viewer"))
    assert r.status_code == status, r.text
    assert names in r.json()["message"] and r.json()["message_zh"]


@pytest.mark.parametrize(
    "body", [{"tiles": []}, {"tiles": ["/basemap/tiles/0/0/0"] * 257}, {"tiles": "x"}, {"tiles": [1]}, {}]
)
def test_bad_bundle_requests_are_4xx(client, auth, body):
    r = client.post(BUNDLES, json=body, headers=auth("inspector"))
    assert r.status_code in (400, 422), r.text
    assert r.json()["message"]


def test_bundles_need_a_signed_in_caller(client):
    assert client.post(BUNDLES, json={"tiles": ["/basemap/tiles/0/0/0"]}).status_code == 401
