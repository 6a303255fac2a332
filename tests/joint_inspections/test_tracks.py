"""Joint-inspection tracks: batches of positions stored once each, joined into a line
per inspector, with length and time span in the round's report."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def round_id(client, auth):
    r = client.post(
        "/api/v1/joint-inspections",
        json={
            "line_code": "150602-150603",
            "kind": "scheduled",
            "planned_on": "2026-11-02",
            "sides": ["150602", "150603"],
        },
        headers=auth("inspector"),
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _batch(lon0, n, start, step_deg=0.001):
    return {
        "id": str(uuid.uuid4()),
        "points": [
            {
                "lon": lon0 + i * step_deg,
                "lat": 39.6,
                "at": (start + timedelta(seconds=5 * i)).isoformat(),
                "accuracy_m": 4,
            }
            for i in range(n)
        ],
    }


def test_batches_join_into_a_measured_track(client, auth, round_id, db):
    h = auth("inspector")
    first = _batch(109.9, 10, START)
    second = _batch(109.909, 10, START + timedelta(seconds=45))  # starts at the first's last point
    assert (
        client.post(f"/api/v1/joint-inspections/{round_id}/tracks", json=first, headers=h).status_code == 201
    )
    assert (
        client.post(f"/api/v1/joint-inspections/{round_id}/tracks", json=second, headers=h).status_code == 201
    )
    # the same batch again: stored once, 200
    assert (
        client.post(f"/api/v1/joint-inspections/{round_id}/tracks", json=first, headers=h).status_code == 200
    )
    assert (
        db.execute("SELECT count(*) FROM inspection_track WHERE round_id = %s", (round_id,)).fetchone()[0]
        == 2
    )
    # the same id with other points is refused
    changed = {**first, "points": first["points"][:5]}
    assert (
        client.post(f"/api/v1/joint-inspections/{round_id}/tracks", json=changed, headers=h).status_code
        == 409
    )
    # where an inspector walked is for the round's participants and administrators only
    for role in ("viewer", "planner", "placename_officer"):
        refused = client.get(f"/api/v1/joint-inspections/{round_id}/tracks", headers=auth(role))
        assert refused.status_code == 403 and refused.json()["message_zh"], role
    assert (
        client.get(f"/api/v1/joint-inspections/{round_id}/tracks", headers=auth("admin")).status_code == 200
    )
    geo = client.get(f"/api/v1/joint-inspections/{round_id}/tracks", headers=h).json()
    (feature,) = geo["features"]
    assert feature["geometry"]["type"] == "MultiLineString" and len(feature["geometry"]["coordinates"]) == 2
    # 18 steps of 0.001° of longitude at 39.6°N ≈ 18 × 85.8 m
    assert feature["properties"]["length_km"] == pytest.approx(18 * 0.0858, rel=0.01)
    report = client.get(f"/api/v1/joint-inspections/{round_id}", headers=h).json()
    assert report["track"]["points"] == 20 and report["track"]["length_km"] == pytest.approx(1.544, rel=0.01)
    assert report["track"]["started_at"].startswith("2026-11-02T08:00")
    html = client.get(f"/api/v1/joint-inspections/{round_id}/report.html", headers=h).text
    assert "巡查轨迹" in html and "km" in html and "08:00" in html
    # the time of each position is kept as M
    m = db.execute(
        "SELECT ST_M(ST_StartPoint(geom)), ST_M(ST_EndPoint(geom)) FROM inspection_track WHERE id = %s",
        (first["id"],),
    ).fetchone()
    assert m[1] - m[0] == 45


@pytest.mark.parametrize(
    "change",
    [
        lambda b: {**b, "points": b["points"][:1]},
        lambda b: {**b, "points": list(reversed(b["points"]))},
        lambda b: {**b, "points": [{**b["points"][0], "lon": 200}, *b["points"][1:]]},
        lambda b: {**b, "points": [{**p, "at": "2099-01-01T00:00:00Z"} for p in b["points"]]},
        lambda b: {**b, "id": "not-a-uuid"},
    ],
)
def test_bad_batches_are_refused_and_change_nothing(client, auth, round_id, db, change):
    r = client.post(
        f"/api/v1/joint-inspections/{round_id}/tracks",
        json=change(_batch(109.9, 3, START)),
        headers=auth("inspector"),
    )
    assert r.status_code in (400, 422), r.text
    assert (
        db.execute("SELECT count(*) FROM inspection_track WHERE round_id = %s", (round_id,)).fetchone()[0]
        == 0
    )


def test_only_field_staff_record_tracks(client, auth, round_id):
    body = _batch(109.9, 3, START)
    assert (
        client.post(
            f"/api/v1/joint-inspections/{round_id}/tracks", json=body, headers=auth("planner")
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/joint-inspections/999999/tracks", json=body, headers=auth("inspector")
        ).status_code
        == 404
    )
