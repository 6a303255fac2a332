"""Facilities are editable through OGC API Part 4 by administrators (QGIS); the database
sets the banner from the position on every write."""

from __future__ import annotations

from tests.funeral.helpers import unique

URL = "/ogc/collections/funeral_facility/items"


def _feature(code: str, lon: float, lat: float, **props) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "code": code,
            "name": "测试骨灰堂",
            "facility_type": "ash_hall",
            "status": "planned",
            **props,
        },
    }


def test_admin_creates_and_moves_a_facility(client, auth, db):
    code = unique("E")
    assert client.post(URL, json=_feature(code, 109.99, 39.81), headers=auth("planner")).status_code == 403
    r = client.post(URL, json=_feature(code, 109.99, 39.81), headers=auth("admin"))
    assert r.status_code == 201, r.text
    assert r.headers["Location"].endswith(f"/items/{code}")
    assert db.execute("SELECT county_code FROM funeral_facility WHERE code = %s", (code,)).fetchone() == (
        "150602",
    )
    etag = client.get(f"{URL}/{code}", headers=auth("admin")).headers["ETag"]
    moved = _feature(code, 109.8, 39.6, status="operating")  # into 康巴什区
    r = client.put(f"{URL}/{code}", json=moved, headers=auth("admin") | {"If-Match": etag})
    assert r.status_code == 200, r.text
    assert db.execute(
        "SELECT county_code, status FROM funeral_facility WHERE code = %s", (code,)
    ).fetchone() == (
        "150603",
        "operating",
    )
    stale = client.put(f"{URL}/{code}", json=moved, headers=auth("admin") | {"If-Match": etag})
    assert stale.status_code == 412


def test_a_bad_facility_is_refused_and_changes_nothing(client, auth, db):
    code = unique("E")
    r = client.post(
        URL, json=_feature(code, 109.99, 39.81, facility_type="crematorium"), headers=auth("admin")
    )
    assert 400 <= r.status_code < 500, r.text
    assert db.execute("SELECT count(*) FROM funeral_facility WHERE code = %s", (code,)).fetchone()[0] == 0
