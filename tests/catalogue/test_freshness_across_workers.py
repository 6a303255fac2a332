"""With several worker processes each caching sign-ins and table versions in memory, a
revoked sign-in and a committed write still reach every worker at once (the database's
notifications), and a cached tile is sent gzip-compressed as stored."""

from __future__ import annotations

import gzip
import math
import time

import httpx
import pytest

from gis_service.auth.security import token_digest
from tests.service_process import served

WORKERS = 2


@pytest.fixture(scope="module")
def two_workers(settings, prepared_db, db):
    with served(settings, db, WORKERS) as base:
        yield base


def _fresh_get(url: str, headers: dict) -> httpx.Response:
    """A new connection per request, so that requests spread over the workers."""
    with httpx.Client() as c:
        return c.get(url, headers=headers)


def _sign_in(base: str) -> str:
    r = httpx.post(f"{base}/api/v1/auth/token", data={"username": "demo_viewer", "password": "demo-viewer"})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def _until_refused(url: str, headers: dict, revoked_at: float) -> float:
    """Ask until 30 answers in a row refuse; return when the last acceptance was."""
    last_ok, refused = revoked_at, 0
    while refused < 30:
        status = _fresh_get(url, headers).status_code
        if status == 200:
            last_ok, refused = time.monotonic(), 0
        else:
            assert status == 401
            refused += 1
        assert time.monotonic() - revoked_at < 10, "the revocation did not reach every worker"
    return last_ok - revoked_at


@pytest.mark.parametrize("how", ["sign-out through the service", "revoked in the database"])
def test_a_revoked_sign_in_fails_in_every_worker_within_a_second(two_workers, db, how):
    token = _sign_in(two_workers)
    me, h = f"{two_workers}/api/v1/auth/me", {"Authorization": f"Bearer {token}"}
    for _ in range(40):  # every worker has it cached now
        assert _fresh_get(me, h).status_code == 200
    if how == "sign-out through the service":
        assert httpx.post(f"{two_workers}/api/v1/auth/logout", headers=h).status_code in (200, 204)
    else:
        db.execute("UPDATE auth_token SET revoked_at = now() WHERE token_hash = %s", (token_digest(token),))
    lag = _until_refused(me, h, time.monotonic())
    assert lag < 1.0, f"accepted {lag:.3f} s after the revocation"


def test_a_role_change_reaches_every_worker(two_workers, db, client, auth):
    token = _sign_in(two_workers)
    h = {"Authorization": f"Bearer {token}"}
    for _ in range(20):
        assert _fresh_get(f"{two_workers}/api/v1/auth/me", h).json()["role"] == "viewer"
    db.execute("UPDATE app_user SET is_active = false WHERE username = 'demo_viewer'")
    try:
        lag = _until_refused(f"{two_workers}/api/v1/auth/me", h, time.monotonic())
        assert lag < 1.0
    finally:
        db.execute("UPDATE app_user SET is_active = true WHERE username = 'demo_viewer'")


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


@pytest.fixture
def marker_tile(db):
    marker_id, lon, lat = db.execute(
        "SELECT id, ST_X(geom), ST_Y(geom) FROM boundary_marker ORDER BY id LIMIT 1"
    ).fetchone()
    z, x, y = _tile_of(lon, lat, 12)
    return marker_id, f"/api/v1/layers/boundary_marker/tiles/{z}/{x}/{y}"


def test_no_worker_serves_a_stale_tile_after_a_commit(two_workers, db, marker_tile):
    marker_id, path = marker_tile
    h = {"Authorization": f"Bearer {_sign_in(two_workers)}"}
    before = {_fresh_get(two_workers + path, h).headers["etag"] for _ in range(20)}
    assert len(before) == 1  # every worker agrees (the versions are the database's)
    for round_ in range(5):
        db.execute(
            "UPDATE boundary_marker SET material = material WHERE id = %s", (marker_id,)
        )  # a committed write by another process (as the command line or an import does)
        after = [_fresh_get(two_workers + path, h) for _ in range(12)]
        etags = {r.headers["etag"] for r in after}
        assert before.isdisjoint(etags), f"round {round_}: a worker served the tile from before the write"
        assert len(etags) == 1
        before = etags


def test_no_worker_serves_a_stale_page_after_a_commit(two_workers, db, marker_tile):
    """Pages of features are kept under the same versions as tiles: a write by another
    process changes every worker's next page, its content and its ETag."""
    marker_id, _ = marker_tile
    code, material = db.execute(
        "SELECT code, material FROM boundary_marker WHERE id = %s", (marker_id,)
    ).fetchone()
    path = f"/api/v1/layers/boundary_marker/items?filter=code='{code}'"
    h = {"Authorization": f"Bearer {_sign_in(two_workers)}"}
    before = {_fresh_get(two_workers + path, h).headers["etag"] for _ in range(12)}
    assert len(before) == 1
    try:
        for round_, value in enumerate(["granite", "concrete", "granite"]):
            db.execute("UPDATE boundary_marker SET material = %s WHERE id = %s", (value, marker_id))
            after = [_fresh_get(two_workers + path, h) for _ in range(12)]
            etags = {r.headers["etag"] for r in after}
            assert before.isdisjoint(etags) and len(etags) == 1, (
                f"round {round_}: a page from before the write"
            )
            assert {r.json()["features"][0]["properties"]["material"] for r in after} == {value}
            before = etags
    finally:
        db.execute("UPDATE boundary_marker SET material = %s WHERE id = %s", (material, marker_id))


def test_a_gzip_tile_is_the_plain_tile_compressed(two_workers, marker_tile):
    _, path = marker_tile
    h = {"Authorization": f"Bearer {_sign_in(two_workers)}"}
    with httpx.Client() as c:
        plain = c.get(two_workers + path, headers=h | {"Accept-Encoding": "identity"})
        stream = c.build_request("GET", two_workers + path, headers=h | {"Accept-Encoding": "gzip"})
        zipped = c.send(stream, stream=True)
        raw = b"".join(zipped.iter_raw())
        refused = c.get(two_workers + path, headers=h | {"Accept-Encoding": "gzip;q=0, identity"})
    assert plain.status_code == zipped.status_code == 200 and plain.content
    assert "content-encoding" not in plain.headers and refused.headers.get("content-encoding") is None
    assert (
        zipped.headers["content-encoding"] == "gzip" and "accept-encoding" in zipped.headers["vary"].lower()
    )
    assert gzip.decompress(raw) == plain.content == refused.content
    assert len(raw) < len(plain.content)
    assert zipped.headers["etag"] == plain.headers["etag"]
    again = httpx.get(two_workers + path, headers=h | {"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304
