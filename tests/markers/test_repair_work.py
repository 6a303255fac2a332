"""Repair work: orders listed by line, banner and assignee with their age and the
caller's own first; assignment by administrators; a closing sent twice closes once."""

import uuid
from datetime import UTC, datetime

import pytest


def _damage(client, auth, code):
    visit = {"id": str(uuid.uuid4()), "condition": "damaged", "observed_at": datetime.now(UTC).isoformat()}
    out = client.post(f"/api/v1/markers/{code}/inspections", json=visit, headers=auth("inspector")).json()
    return out["repair_order_id"]


@pytest.fixture
def new_order(client, auth, db):
    """new_order() -> the id of a fresh repair order on a marker with none open."""

    def make() -> int:
        (code,) = db.execute(
            "SELECT code FROM boundary_marker m WHERE NOT EXISTS (SELECT 1 FROM repair_order r"
            " WHERE r.marker_id = m.id AND r.status = 'open') ORDER BY random() LIMIT 1"
        ).fetchone()
        return _damage(client, auth, code)

    return make


@pytest.fixture
def order(client, auth, db):
    code, line = db.execute(
        "SELECT code, line_code FROM boundary_marker m WHERE NOT EXISTS (SELECT 1 FROM repair_order r"
        " WHERE r.marker_id = m.id AND r.status = 'open') AND line_code LIKE '150622-%%' ORDER BY random() LIMIT 1"
    ).fetchone()
    return _damage(client, auth, code), code, line


def test_orders_by_line_banner_and_age(client, auth, order):
    repair, code, line = order
    h = auth("inspector")
    by_line = client.get("/api/v1/repairs", params={"status": "open", "line": line}, headers=h).json()[
        "repairs"
    ]
    row = next(r for r in by_line if r["id"] == repair)
    assert row["marker_code"] == code and row["line_code"] == line and row["age_days"] == 0
    assert 106 < row["lon"] < 112 and 37 < row["lat"] < 41
    assert all(r["line_code"] == line for r in by_line)
    by_banner = client.get(
        "/api/v1/repairs", params={"status": "open", "banner": "150622"}, headers=h
    ).json()["repairs"]
    assert repair in [r["id"] for r in by_banner] and all(
        "150622" in r["line_code"].split("-") for r in by_banner
    )
    other = client.get("/api/v1/repairs", params={"status": "open", "banner": "150603"}, headers=h).json()[
        "repairs"
    ]
    assert repair not in [r["id"] for r in other]
    for bad in ({"line": "1506"}, {"banner": "15x622"}, {"status": "pending"}):
        assert client.get("/api/v1/repairs", params=bad, headers=h).status_code in (400, 422)


def test_an_administrator_assigns_and_the_inspector_sees_theirs_first(client, auth, order, db):
    repair = order[0]
    assert (
        client.post(
            f"/api/v1/repairs/{repair}/assign", json={"assignee": "demo_inspector"}, headers=auth("inspector")
        ).status_code
        == 403
    )
    r = client.post(
        f"/api/v1/repairs/{repair}/assign", json={"assignee": "demo_inspector"}, headers=auth("admin")
    )
    assert r.status_code == 200 and r.json()["assigned_to"] == "demo_inspector"
    mine = client.get("/api/v1/repairs", params={"status": "open"}, headers=auth("inspector")).json()[
        "repairs"
    ]
    assert mine[0]["assigned_to"] == "demo_inspector"
    assert repair in [x["id"] for x in mine if x["assigned_to"] == "demo_inspector"]
    only = client.get("/api/v1/repairs", params={"assignee": "demo_inspector"}, headers=auth("admin")).json()[
        "repairs"
    ]
    assert {x["assigned_to"] for x in only} == {"demo_inspector"}
    # a planner or an unknown name cannot take an order; null takes it back
    for who in ("demo_planner", "nobody_here"):
        bad = client.post(f"/api/v1/repairs/{repair}/assign", json={"assignee": who}, headers=auth("admin"))
        assert bad.status_code == 400 and bad.json()["message_zh"]
    assert (
        client.post(
            f"/api/v1/repairs/{repair}/assign", json={"assignee": None}, headers=auth("admin")
        ).json()["assigned_to"]
        is None
    )
    assert (
        db.execute(
            "SELECT count(*) FROM audit_log WHERE entity = 'repair_order' AND entity_id = %s AND action = 'assign'",
            (str(repair),),
        ).fetchone()[0]
        == 2
    )
    assert (
        client.post(
            "/api/v1/repairs/999999/assign", json={"assignee": None}, headers=auth("admin")
        ).status_code
        == 404
    )


def test_a_closing_sent_again_closes_once(client, auth, order, db):
    repair, code, _ = order
    visit_id = str(uuid.uuid4())
    body = {"resolution": "repaired", "condition_after": "intact", "visit_id": visit_id}
    first = client.post(f"/api/v1/repairs/{repair}/close", json=body, headers=auth("inspector"))
    assert first.status_code == 200 and first.json()["visit"]["id"] == visit_id
    again = client.post(f"/api/v1/repairs/{repair}/close", json=body, headers=auth("inspector"))
    assert again.status_code == 200 and again.json()["visit"]["id"] == visit_id
    assert db.execute("SELECT count(*) FROM marker_inspection WHERE id = %s", (visit_id,)).fetchone()[0] == 1
    # another visit id (or another closer) is a conflict: the order is closed
    other = client.post(
        f"/api/v1/repairs/{repair}/close",
        json={**body, "visit_id": str(uuid.uuid4())},
        headers=auth("inspector"),
    )
    assert other.status_code == 409
    by_admin = client.post(f"/api/v1/repairs/{repair}/close", json=body, headers=auth("admin"))
    assert by_admin.status_code == 409
    # the closing visit takes photos like any visit
    import io

    from PIL import Image

    jpg = io.BytesIO()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(jpg, format="JPEG")
    r = client.post(
        f"/api/v1/inspections/{visit_id}/photos",
        files={"photo": ("after.jpg", jpg.getvalue(), "image/jpeg")},
        headers=auth("inspector"),
    )
    assert r.status_code == 201
    assert (
        db.execute("SELECT condition FROM boundary_marker WHERE code = %s", (code,)).fetchone()[0] == "intact"
    )


def test_an_assigned_order_is_closed_by_its_assignee_or_an_administrator(client, auth, db, new_order):
    other = "second_closer_" + uuid.uuid4().hex[:6]
    assert (
        client.post(
            "/api/v1/users",
            json={"username": other, "role": "inspector", "password": "Second-Closer-88"},
            headers=auth("admin"),
        ).status_code
        == 201
    )
    token = client.post("/api/v1/auth/token", data={"username": other, "password": "Second-Closer-88"}).json()
    someone_else = {"Authorization": f"Bearer {token['access_token']}"}
    body = {"resolution": "repaired", "visit_id": str(uuid.uuid4())}

    assigned = new_order()
    client.post(
        f"/api/v1/repairs/{assigned}/assign", json={"assignee": "demo_inspector"}, headers=auth("admin")
    )
    refused = client.post(f"/api/v1/repairs/{assigned}/close", json=body, headers=someone_else)
    assert refused.status_code == 403 and "demo_inspector" in refused.json()["message"], refused.text
    assert db.execute("SELECT status FROM repair_order WHERE id = %s", (assigned,)).fetchone()[0] == "open"
    assert (
        client.post(f"/api/v1/repairs/{assigned}/close", json=body, headers=auth("inspector")).status_code
        == 200
    )

    by_admin = new_order()
    client.post(
        f"/api/v1/repairs/{by_admin}/assign", json={"assignee": "demo_inspector"}, headers=auth("admin")
    )
    body = {"resolution": "repaired", "visit_id": str(uuid.uuid4())}
    assert (
        client.post(f"/api/v1/repairs/{by_admin}/close", json=body, headers=auth("admin")).status_code == 200
    )

    unassigned = new_order()
    body = {"resolution": "repaired", "visit_id": str(uuid.uuid4())}
    assert (
        client.post(f"/api/v1/repairs/{unassigned}/close", json=body, headers=someone_else).status_code == 200
    )


def test_a_closing_is_dated_and_placed_by_the_work_not_by_its_arrival(client, auth, new_order, db):
    """A closing queued offline carries the time and fix of the work; a wrong clock (in the
    future, or before the order was opened) is refused and changes nothing."""
    repair = new_order()
    (opened,) = db.execute("SELECT opened_at FROM repair_order WHERE id = %s", (repair,)).fetchone()
    h = auth("inspector")
    base = {"resolution": "repaired", "condition_after": "intact"}
    for bad in ("2099-01-01T00:00:00Z", (opened.replace(year=opened.year - 1)).isoformat()):
        r = client.post(f"/api/v1/repairs/{repair}/close", json=base | {"closed_at": bad}, headers=h)
        assert r.status_code == 400 and "clock" in r.json()["message"], r.text
    assert db.execute("SELECT status FROM repair_order WHERE id = %s", (repair,)).fetchone()[0] == "open"
    (lon, lat) = db.execute(
        "SELECT ST_X(m.geom), ST_Y(m.geom) FROM repair_order r JOIN boundary_marker m ON m.id = r.marker_id"
        " WHERE r.id = %s",
        (repair,),
    ).fetchone()
    work = datetime.now(UTC).replace(microsecond=0)
    gnss = {
        "lon": lon,
        "lat": lat + 0.00002,
        "accuracy_m": 4,
        "fixed_at": work.isoformat(),
        "fixes_averaged": 6,
    }
    visit_id = str(uuid.uuid4())
    body = base | {"closed_at": work.isoformat(), "gnss": gnss, "visit_id": visit_id}
    r = client.post(f"/api/v1/repairs/{repair}/close", json=body, headers=h)
    assert r.status_code == 200, r.text
    closed_at, observed, received, accuracy, distance = db.execute(
        "SELECT r.closed_at, i.observed_at, i.received_at, i.gnss_accuracy_m, i.distance_to_marker_m"
        " FROM repair_order r JOIN marker_inspection i ON i.id = r.closing_inspection WHERE r.id = %s",
        (repair,),
    ).fetchone()
    assert closed_at == observed == max(work, opened) and received >= closed_at
    assert accuracy == 4 and 1 < distance < 4
