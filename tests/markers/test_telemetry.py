"""Smart-marker telemetry: drift measured on the ellipsoid, threshold alerts, acknowledgement."""

import random
from datetime import UTC, datetime, timedelta

from pyproj import Geod

START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1, seconds=random.randint(0, 10**6))


def _reading(minutes, **kw):
    return {"observed_at": (START + timedelta(minutes=minutes)).isoformat(), **kw}


def test_tilt_and_drift_raise_one_alert_each_until_acknowledged(client, auth, db):
    code, lon, lat = db.execute(
        "SELECT code, ST_X(geom), ST_Y(geom) FROM boundary_marker m WHERE is_smart AND NOT EXISTS"
        " (SELECT 1 FROM marker_telemetry t WHERE t.marker_id = m.id) ORDER BY code LIMIT 1"
    ).fetchone()
    h = auth("inspector")
    calm = client.post(
        f"/api/v1/markers/{code}/telemetry", json=_reading(0, tilt_deg=0.5, lon=lon, lat=lat), headers=h
    )
    assert calm.status_code == 201 and calm.json()["alerts"] == [] and calm.json()["drift_m"] < 0.01
    moved_lon, moved_lat, _ = Geod(ellps="GRS80").fwd(lon, lat, 90, 1.0)  # 1 m east
    r = client.post(
        f"/api/v1/markers/{code}/telemetry",
        json=_reading(10, tilt_deg=12, lon=moved_lon, lat=moved_lat, battery_pct=80),
        headers=h,
    )
    body = r.json()
    assert {a["kind"] for a in body["alerts"]} == {"tilt", "drift"}
    assert abs(body["drift_m"] - 1.0) < 0.01
    again = client.post(f"/api/v1/markers/{code}/telemetry", json=_reading(20, tilt_deg=13), headers=h).json()
    assert again["alerts"] == []  # still open: no second alert
    dup = client.post(f"/api/v1/markers/{code}/telemetry", json=_reading(20, tilt_deg=13), headers=h).json()
    assert dup["duplicate"] is True
    alerts = client.get("/api/v1/alerts", headers=auth("viewer")).json()["alerts"]
    tilt = next(a for a in alerts if a["marker_code"] == code and a["kind"] == "tilt")
    layer = client.get(f"/api/v1/layers/boundary_marker/items/{code}", headers=auth("viewer")).json()
    assert layer["properties"]["alert_open"] is True
    assert client.post(f"/api/v1/alerts/{tilt['id']}/acknowledge", headers=auth("viewer")).status_code == 403
    assert client.post(f"/api/v1/alerts/{tilt['id']}/acknowledge", headers=h).status_code == 200
    assert client.post(f"/api/v1/alerts/{tilt['id']}/acknowledge", headers=h).status_code == 409
    fresh = client.post(f"/api/v1/markers/{code}/telemetry", json=_reading(30, tilt_deg=14), headers=h).json()
    assert [a["kind"] for a in fresh["alerts"]] == ["tilt"]


def test_bad_readings_are_4xx(client, auth, db):
    code = db.execute("SELECT code FROM boundary_marker LIMIT 1").fetchone()[0]
    h = auth("inspector")
    for body in (
        _reading(0, lon=109.0),
        _reading(0, tilt_deg=-1),
        {"tilt_deg": 1},
        _reading(0, battery_pct=120),
        _reading(0, colour="red"),
    ):
        assert client.post(f"/api/v1/markers/{code}/telemetry", json=body, headers=h).status_code in (
            400,
            422,
        )
    assert client.post("/api/v1/markers/NOPE-001Q/telemetry", json=_reading(0), headers=h).status_code == 404
