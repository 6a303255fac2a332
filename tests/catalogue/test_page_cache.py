"""Pages of features are kept by the worker under their data versions: the same page
again is not read again, a client revalidating it gets 304, and a write changes it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from gis_service.main import create_app

DOORS = {
    "map API": "/api/v1/layers/boundary_marker/items",
    "OGC API": "/ogc/collections/boundary_marker/items",
    "domain list": "/api/v1/markers",
}


def _code(db, offset: int) -> str:
    return db.execute(
        "SELECT code FROM boundary_marker ORDER BY code OFFSET %s LIMIT 1", (offset,)
    ).fetchone()[0]


@pytest.mark.parametrize("door", DOORS)
def test_the_same_page_is_read_once_and_revalidated(client, app, auth, door):
    url, h = DOORS[door] + "?limit=7&bbox=106.7,37.6,111.5,40.9", auth("viewer")
    first = client.get(url, headers=h)
    hits = app.state.page_cache.hits
    again = client.get(url, headers=h)
    assert first.status_code == again.status_code == 200
    assert app.state.page_cache.hits == hits + 1  # no read the second time
    assert first.json()["features"] == again.json()["features"] and len(first.json()["features"]) == 7
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and again.headers["etag"] == etag
    assert first.headers["cache-control"] == "private, no-cache"
    for sent in (etag, etag.removeprefix("W/"), f'"other", {etag}', "*"):
        r = client.get(url, headers=h | {"If-None-Match": sent})
        assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag, sent
    assert client.get(url, headers=h | {"If-None-Match": '"other"'}).status_code == 200


def test_pages_differ_by_query_and_by_door(client, auth):
    h = auth("viewer")
    etags = {
        client.get(DOORS["map API"] + params, headers=h).headers["etag"]
        for params in (
            "?limit=7",
            "?limit=8",
            "?limit=7&skipGeometry=true",
            "?limit=7&crs=http://www.opengis.net/def/crs/EPSG/0/4490",
        )
    }
    assert len(etags) == 4
    # the OGC door counts numberMatched, the map's does not: two pages, two tags
    assert client.get(DOORS["OGC API"] + "?limit=7", headers=h).headers["etag"] not in etags
    # one page kept for the same query written two ways; each answer's links are its own URL's
    one, other = "?limit=7&skipGeometry=true", "?skipGeometry=true&limit=7"
    answers = [client.get(DOORS["map API"] + q, headers=h) for q in (one, other)]
    assert answers[0].headers["etag"] == answers[1].headers["etag"]
    for q, r in zip((one, other), answers, strict=True):
        assert r.json()["links"][0]["href"].endswith(DOORS["map API"] + q)
        assert q[1:] in r.json()["links"][1]["href"]  # next: the same query, the cursor moved on


def test_a_visit_changes_the_page_and_its_etag(client, auth, db):
    code = _code(db, 3)
    url = f"{DOORS['domain list']}?filter=code='{code}'"
    first = client.get(url, headers=auth("viewer"))
    assert first.status_code == 200
    visit = {"id": str(uuid.uuid4()), "condition": "tilted", "observed_at": datetime.now(UTC).isoformat()}
    r = client.post(f"/api/v1/markers/{code}/inspections", json=visit, headers=auth("inspector"))
    assert r.status_code == 201, r.text
    after = client.get(url, headers=auth("viewer") | {"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != first.headers["etag"]
    assert after.json()["features"][0]["properties"]["condition"] == "tilted"


def test_with_the_page_cache_off_every_page_is_read(settings, prepared_db, auth):
    with TestClient(create_app(settings.model_copy(update={"page_cache_mb": 0}))) as c:
        url, h = DOORS["map API"] + "?limit=3", auth("viewer")
        first, again = c.get(url, headers=h), c.get(url, headers=h)
        assert first.status_code == again.status_code == 200 and first.json() == again.json()
        assert c.app.state.page_cache.hits == 0 and c.app.state.page_cache.size_bytes == 0
        assert c.get(url, headers=h | {"If-None-Match": first.headers["etag"]}).status_code == 304


@pytest.mark.parametrize("door", ["map API", "OGC API"])
def test_a_query_string_seen_before_is_checked_as_before(client, auth, door):
    """The query parsed from a query string is remembered (feature_query_from); a bad one
    is not, and is refused every time it comes."""
    h = auth("viewer")
    for query in ("?limit=abc", "?bbox=1,2,3", "?crs=EPSG:9999", "?filter=material%20%3D"):
        answers = [client.get(DOORS[door] + query, headers=h) for _ in range(2)]
        assert [a.status_code for a in answers] == [400, 400], (query, answers[0].text[:200])
        assert answers[0].json() == answers[1].json()
    good = DOORS[door] + "?limit=3&bbox=106.7,37.6,111.5,40.9"
    assert [len(client.get(good, headers=h).json()["features"]) for _ in range(2)] == [3, 3]


def test_only_short_query_strings_are_remembered(client, auth):
    """A long filter is parsed again each time rather than kept: the remembered queries stay
    small whatever length of URL a client sends."""
    from gis_service.catalogue import feature_query

    h, url = auth("viewer"), DOORS["OGC API"]
    long_filter = "code IN (" + ",".join(f"'X{i:05d}'" for i in range(400)) + ")"
    for query in (f"?limit=2&filter={long_filter}", "?limit=2&bbox=106.7,37.6,111.5,40.9"):
        assert client.get(url + query, headers=h).status_code == 200, query
    kept = list(feature_query._PARSED)
    assert kept and all(len(raw) <= feature_query._PARSED_LONGEST for raw in kept)
    assert any(b"bbox=106.7" in raw for raw in kept)
    assert not any(b"X00399" in raw for raw in kept)
