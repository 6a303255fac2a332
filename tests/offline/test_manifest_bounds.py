"""An offline area's manifest is bounded: an area needing too many tiles is refused at
once from a cheap estimate (with the estimate and the zoom that would fit), one user
prepares only a few at a time across every worker, and the estimate stays close to the
tiles actually listed."""

import time

import pytest

from gis_service.offline.tiles import covering, estimated_tiles

URL = "/api/v1/offline-areas/manifest"


def test_a_city_at_zoom_18_is_refused_at_once_with_a_suggestion(client, auth, settings):
    started = time.monotonic()
    r = client.post(URL, json={"kind": "banner", "code": "150600", "max_zoom": 18}, headers=auth("viewer"))
    took = time.monotonic() - started
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == "area_too_large" and body["message_zh"]
    assert body["estimated_tiles"] > settings.offline_max_tiles == body["max_tiles"]
    assert (
        8 <= body["suggested_max_zoom"] < 18 and f"max_zoom {body['suggested_max_zoom']}" in body["message"]
    )
    assert took < 2, f"the refusal took {took:.1f} s"
    fits = client.post(
        URL,
        json={"kind": "banner", "code": "150603", "max_zoom": body["suggested_max_zoom"]},
        headers=auth("viewer"),
    )
    assert fits.status_code == 200, fits.text


@pytest.mark.parametrize(("kind", "code", "zoom"), [("line", "150602-150603", 16), ("banner", "150603", 14)])
def test_the_estimate_is_close_to_the_covering(db, prepared_db, kind, code, zoom):
    from gis_service.offline.service import AREA_SQL

    sql = AREA_SQL[kind].replace(":code", "%(code)s")
    area, perimeter, *bbox = db.execute(
        f"SELECT ST_Area(ST_Transform(g, 3857)), ST_Perimeter(ST_Transform(g, 3857)), "
        f"ST_XMin(g), ST_YMin(g), ST_XMax(g), ST_YMax(g) FROM ({sql}) a(g)",
        {"code": code},
    ).fetchone()
    estimate = sum(estimated_tiles(area, perimeter, tuple(bbox), zoom))

    import asyncio

    import psycopg

    async def count():
        async with await psycopg.AsyncConnection.connect(prepared_db) as conn, conn.transaction():
            cover = await covering(conn, sql, {"code": code}, tuple(bbox), zoom)
            return sum(len(v) for v in cover.values())

    actual = asyncio.run(count())
    assert 0.8 * actual <= estimate <= 1.5 * actual, (estimate, actual)


def test_one_user_prepares_only_a_few_manifests_at_a_time(client, auth, db, settings):
    """The slots are database locks: held here (as another worker would hold them), the
    user's next manifest is a 429; another user is not affected."""
    spec = {"kind": "line", "code": "150602-150603", "max_zoom": 12}
    held = [
        db.execute("SELECT pg_try_advisory_lock(hashtext('manifest:demo_viewer'), %s)", (slot,)).fetchone()[0]
        for slot in range(settings.offline_manifests_per_user)
    ]
    assert all(held)
    try:
        r = client.post(URL, json=spec, headers=auth("viewer"))
        assert r.status_code == 429 and r.headers["retry-after"] and r.json()["message_zh"], r.text
        assert client.post(URL, json=spec, headers=auth("inspector")).status_code == 200
    finally:
        for slot in range(settings.offline_manifests_per_user):
            db.execute("SELECT pg_advisory_unlock(hashtext('manifest:demo_viewer'), %s)", (slot,))
    assert client.post(URL, json=spec, headers=auth("viewer")).status_code == 200
