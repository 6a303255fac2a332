"""Markers: demo registry, status list, card, visits (idempotent, out of order), repairs."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from gis_service.inspections.schemas import InspectionIn
from gis_service.inspections.service import _payload_hash

BASE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _visit(condition="intact", when=BASE, **extra):
    return {"id": str(uuid.uuid4()), "condition": condition, "observed_at": when.isoformat(), **extra}


@pytest.fixture
def marker(db):
    """A fresh demo marker nobody has visited in this test run."""
    code = db.execute(
        "SELECT code FROM boundary_marker WHERE last_inspection_id IS NULL"
        " AND marker_type = 'single' ORDER BY random() LIMIT 1"
    ).fetchone()[0]
    return code


def test_demo_registry_is_realistic_and_labelled(db):
    demo, triples, smart = db.execute(
        "SELECT count(*), count(*) FILTER (WHERE marker_type = 'triple'), count(*) FILTER (WHERE is_smart)"
        " FROM boundary_marker WHERE source = 'demo'"
    ).fetchone()
    assert 900 <= demo <= 1200 and triples % 3 == 0 and smart > 0
    # Triple markers stand 10 m from a tri-junction of their line; where the sources
    # disagree the junction itself is uncertain by up to the 50 m derivation tolerance.
    near, worst = db.execute("""
        SELECT avg((d <= 15)::int), max(d) FROM (
          SELECT ST_Distance(m.geom::geography, l.tri_junctions::geography) AS d
          FROM boundary_marker m JOIN boundary_line l ON l.code = m.line_code AND l.version = 1
          WHERE m.marker_type = 'triple') s""").fetchone()
    assert near > 0.95 and worst <= 60
    # Numbering starts at 001 on every line and runs without gaps for single markers.
    bad = db.execute("""
        SELECT count(*) FROM (SELECT line_code, min(seq) mn, max(seq) mx, count(*) n
        FROM boundary_marker WHERE marker_type = 'single' AND source = 'demo' GROUP BY 1) s
        WHERE mn <> 1 OR mx <> n""").fetchone()[0]
    assert bad == 0


def test_gauss_kruger_coordinates_match_pyproj(db):
    from gis_service.geodesy.gauss_kruger import lonlat_to_gk

    for code, lon, lat, zone, x, y in db.execute(
        "SELECT code, ST_X(geom), ST_Y(geom), gk_zone, gk_x, gk_y FROM boundary_marker ORDER BY code LIMIT 20"
    ).fetchall():
        gk = lonlat_to_gk(lon, lat)
        assert gk["zone"] == zone and abs(gk["x"] - x) < 0.01 and abs(gk["y"] - y) < 0.01, code


def test_marker_list_filters_and_pages(client, auth, db):
    h = auth("viewer")
    line = "150602-150603"
    expected = db.execute("SELECT count(*) FROM boundary_marker WHERE line_code = %s", (line,)).fetchone()[0]
    url, codes = f"/api/v1/markers?line={line}&limit=3", []
    while url:
        body = client.get(url, headers=h).json()
        codes += [f["id"] for f in body["features"]]
        nxt = [x["href"] for x in body["links"] if x["rel"] == "next"]
        url = nxt[0].replace("http://testserver", "") if nxt else None
    assert len(codes) == len(set(codes)) == expected
    banner = client.get("/api/v1/markers", params={"banner": "150603", "limit": 1000}, headers=h).json()
    assert all("150603" in f["properties"]["line_code"] for f in banner["features"])
    box = client.get(
        "/api/v1/markers", params={"bbox": "109.6,39.5,110.1,39.8", "limit": 1000}, headers=h
    ).json()
    assert all(109.6 <= f["geometry"]["coordinates"][0] <= 110.1 for f in box["features"])


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"condition": "sparkly"}, 400),
        ({"line": "abc"}, 422),
        ({"banner": "15"}, 422),
        ({"bbox": "1,2"}, 400),
        ({"limit": "0"}, 400),
        ({"cursor": "!!"}, 400),
    ],
)
def test_marker_list_bad_filters(client, auth, params, status):
    r = client.get("/api/v1/markers", params=params, headers=auth("viewer"))
    assert r.status_code == status and r.json()["message"]


def test_visit_card_history_and_current_condition(client, auth, marker):
    h = auth("inspector")
    v = _visit(
        "slightly_damaged",
        gnss={"lon": 109.0, "lat": 39.0, "accuracy_m": 4.5},
        notes="inscription worn",
        inscription_legible=True,
    )
    r = client.post(f"/api/v1/markers/{marker}/inspections", json=v, headers=h)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["is_current"] and out["gnss_accuracy_m"] == 4.5 and out["distance_to_marker_m"] > 0
    card = client.get(f"/api/v1/markers/{marker}", headers=auth("viewer")).json()
    assert card["properties"]["condition"] == "slightly_damaged"
    assert (
        card["last_inspection"]["id"] == v["id"] and card["last_inspection"]["inspector"] == "demo_inspector"
    )
    assert len(card["reference_objects"]) == 3 and card["open_repair"] is None
    history = client.get(f"/api/v1/markers/{marker}/inspections", headers=auth("viewer")).json()
    assert [i["id"] for i in history["inspections"]] == [v["id"]]


def test_resending_a_visit_returns_the_first_result(client, auth, marker, db):
    h = auth("inspector")
    v = _visit("intact")
    first = client.post(f"/api/v1/markers/{marker}/inspections", json=v, headers=h)
    again = client.post(f"/api/v1/markers/{marker}/inspections", json=v, headers=h)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["duplicate"] is True and again.json()["id"] == first.json()["id"]
    assert db.execute("SELECT count(*) FROM marker_inspection WHERE id = %s", (v["id"],)).fetchone()[0] == 1
    changed = {**v, "condition": "damaged"}
    r = client.post(f"/api/v1/markers/{marker}/inspections", json=changed, headers=h)
    assert r.status_code == 409 and "new id" in r.json()["message"]


def test_a_visit_hashes_as_before_while_it_averages_no_fixes():
    """A phone may resend, after an upgrade, a visit it queued before: its identity hash
    must not pick up fields added since (here `fixes_averaged`) while they are unused."""
    gnss = {"lon": 109.9, "lat": 39.8, "accuracy_m": 5.0}
    plain = InspectionIn.model_validate(_visit(gnss=gnss))
    averaged = InspectionIn.model_validate(
        {**plain.model_dump(mode="json"), "gnss": {**gnss, "fixes_averaged": 3}}
    )
    as_before = plain.model_dump_json(exclude={"gnss": {"fixes_averaged"}})
    assert "fixes_averaged" not in as_before
    assert _payload_hash(plain) == hashlib.sha256(as_before.encode()).hexdigest()
    assert _payload_hash(averaged) != _payload_hash(plain)


def test_late_visits_do_not_overwrite_newer_ones(client, auth, marker):
    h = auth("inspector")
    newer = _visit("intact", BASE + timedelta(days=10))
    older = _visit("missing", BASE)
    assert client.post(f"/api/v1/markers/{marker}/inspections", json=newer, headers=h).status_code == 201
    late = client.post(f"/api/v1/markers/{marker}/inspections", json=older, headers=h).json()
    assert late["is_current"] is False and late["repair_order_id"] is None
    card = client.get(f"/api/v1/markers/{marker}", headers=h).json()
    assert card["properties"]["condition"] == "intact" and card["open_repair"] is None
    history = client.get(f"/api/v1/markers/{marker}/inspections", headers=h).json()["inspections"]
    assert [i["condition"] for i in history] == ["intact", "missing"]


def test_damage_opens_one_repair_which_closes(client, auth, marker):
    h = auth("inspector")
    first = client.post(
        f"/api/v1/markers/{marker}/inspections", json=_visit("damaged", BASE + timedelta(days=20)), headers=h
    ).json()
    assert first["repair_order_id"] is not None
    second = client.post(
        f"/api/v1/markers/{marker}/inspections", json=_visit("moved", BASE + timedelta(days=21)), headers=h
    ).json()
    assert second["repair_order_id"] is None  # one open repair per marker
    card = client.get(f"/api/v1/markers/{marker}", headers=h).json()
    assert card["open_repair"]["id"] == first["repair_order_id"]
    repair = first["repair_order_id"]
    assert (
        client.post(
            f"/api/v1/repairs/{repair}/close", json={"resolution": "reset"}, headers=auth("planner")
        ).status_code
        == 403
    )
    r = client.post(
        f"/api/v1/repairs/{repair}/close", json={"resolution": "reset", "notes": "reset by GNSS"}, headers=h
    )
    assert r.status_code == 200 and r.json()["resolution"] == "reset"
    assert (
        client.post(f"/api/v1/repairs/{repair}/close", json={"resolution": "reset"}, headers=h).status_code
        == 409
    )
    assert (
        client.post("/api/v1/repairs/999999/close", json={"resolution": "reset"}, headers=h).status_code
        == 404
    )
    closed = client.get("/api/v1/repairs", params={"status": "closed"}, headers=h).json()["repairs"]
    assert any(x["id"] == repair and x["closed_by"] == "demo_inspector" for x in closed)
    # the closing is recorded as a visit, so the marker no longer shows as needing repair
    assert r.json()["visit"]["condition"] == "intact" and r.json()["visit"]["is_current"]
    assert client.get(f"/api/v1/markers/{marker}", headers=h).json()["properties"]["condition"] == "intact"
    latest = client.get(f"/api/v1/markers/{marker}/inspections", headers=h).json()["inspections"][0]
    assert (
        latest["inspector"] == "demo_inspector" and f"repair order {repair} closed: reset" in latest["notes"]
    )


def test_a_repair_closes_with_the_condition_found_after_the_work(client, auth, marker, db):
    h = auth("inspector")
    repair = client.post(
        f"/api/v1/markers/{marker}/inspections", json=_visit("destroyed", BASE), headers=h
    ).json()["repair_order_id"]
    refused = client.post(
        f"/api/v1/repairs/{repair}/close",
        json={"resolution": "replaced", "condition_after": "damaged"},
        headers=h,
    )
    assert refused.status_code == 422 and "another repair" in refused.json()["message"]
    assert db.execute("SELECT status FROM repair_order WHERE id = %s", (repair,)).fetchone()[0] == "open"
    r = client.post(
        f"/api/v1/repairs/{repair}/close",
        json={"resolution": "replaced", "condition_after": "slightly_damaged"},
        headers=h,
    )
    assert r.status_code == 200
    card = client.get(f"/api/v1/markers/{marker}", headers=h).json()
    assert card["properties"]["condition"] == "slightly_damaged" and card["open_repair"] is None


def test_a_sent_visit_is_corrected_by_its_inspector_within_the_window(client, auth, marker, db):
    h = auth("inspector")
    visit = _visit(
        "tilted",
        notes="leaning east",
        gnss={"lon": 109.9, "lat": 39.8, "accuracy_m": 4, "fixes_averaged": 12},
    )
    client.post(f"/api/v1/markers/{marker}/inspections", json=visit, headers=h)
    url = f"/api/v1/markers/{marker}/inspections/{visit['id']}"

    r = client.patch(
        url,
        json={"notes": "leaning east ~5°", "vegetation_cleared": True, "reason": "typo"},
        headers=h | {"If-Match": '"visit-0"'},
    )
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"visit-1"' and r.json()["notes"] == "leaning east ~5°"
    assert r.json()["condition"] == "tilted" and r.json()["edit_count"] == 1
    (first,) = client.get(f"/api/v1/markers/{marker}/inspections", headers=h).json()["inspections"]
    assert first["vegetation_cleared"] is True and first["edited_by"] == "demo_inspector"
    assert first["gnss_fixes_averaged"] == 12
    before, after = db.execute(
        "SELECT before, after FROM audit_log WHERE action = 'correct' AND entity_id = %s", (visit["id"],)
    ).fetchone()
    assert before == {"notes": "leaning east", "vegetation_cleared": None}
    assert after["reason"] == "typo" and after["notes"] == "leaning east ~5°"

    # a stale version, the observation itself, other people and a closed window change nothing
    stale = client.patch(url, json={"notes": "x"}, headers=h | {"If-Match": '"visit-0"'})
    assert stale.status_code == 412
    h = h | {"If-Match": '"visit-1"'}
    observation = client.patch(url, json={"condition": "intact", "notes": "x"}, headers=h)
    assert observation.status_code == 422 and "new visit" in observation.json()["message"]
    assert "新增一次巡查记录" in observation.json()["message_zh"]
    assert (
        client.patch(
            url, json={"notes": "x"}, headers=auth("planner") | {"If-Match": '"visit-1"'}
        ).status_code
        == 403
    )
    other = _other_inspector(client, auth) | {"If-Match": '"visit-1"'}
    assert client.patch(url, json={"notes": "x"}, headers=other).status_code == 403
    db.execute(
        "UPDATE marker_inspection SET received_at = now() - interval '4 days' WHERE id = %s", (visit["id"],)
    )
    late = client.patch(url, json={"notes": "x"}, headers=h)
    assert late.status_code == 403 and "72 h" in late.json()["message"]
    assert db.execute("SELECT notes FROM marker_inspection WHERE id = %s", (visit["id"],)).fetchone()[0] == (
        "leaning east ~5°"
    )
    admin = client.patch(url, json={"notes": None}, headers=auth("admin") | {"If-Match": '"visit-1"'})
    assert admin.status_code == 200 and admin.json()["notes"] is None and admin.json()["edit_count"] == 2
    assert (
        client.patch(f"/api/v1/markers/{marker}/inspections/{uuid.uuid4()}", json={}, headers=h).status_code
        == 404
    )


def _other_inspector(client, auth) -> dict:
    name, password = f"inspector_{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    created = client.post(
        "/api/v1/users",
        json={"username": name, "role": "inspector", "password": password},
        headers=auth("admin"),
    )
    assert created.status_code == 201
    token = client.post("/api/v1/auth/token", data={"username": name, "password": password}).json()[
        "access_token"
    ]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", ["viewer", "planner", "placename_officer"])
def test_only_inspectors_and_admins_log_visits(client, auth, marker, role, db):
    before = db.execute("SELECT count(*) FROM marker_inspection").fetchone()[0]
    r = client.post(f"/api/v1/markers/{marker}/inspections", json=_visit(), headers=auth(role))
    assert r.status_code == 403
    assert client.post(f"/api/v1/markers/{marker}/inspections", json=_visit()).status_code == 401
    assert db.execute("SELECT count(*) FROM marker_inspection").fetchone()[0] == before


@pytest.mark.parametrize(
    "bad",
    [
        {"condition": "sparkly"},
        {"observed_at": "2026-06-01T09:00:00"},  # no time zone
        {"observed_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()},
        {"id": "not-a-uuid"},
        {"gnss": {"lon": 200, "lat": 39, "accuracy_m": 5}},
        {"gnss": {"lon": 109, "lat": 39, "accuracy_m": -1}},
        {"colour": "red"},
    ],
)
def test_bad_visits_are_4xx_and_change_nothing(client, auth, marker, db, bad):
    before = db.execute("SELECT count(*) FROM marker_inspection").fetchone()[0]
    r = client.post(
        f"/api/v1/markers/{marker}/inspections", json={**_visit(), **bad}, headers=auth("inspector")
    )
    assert 400 <= r.status_code < 500 and r.json()["message"]
    assert db.execute("SELECT count(*) FROM marker_inspection").fetchone()[0] == before
    assert (
        client.post(
            "/api/v1/markers/NOPE-001Q/inspections", json=_visit(), headers=auth("inspector")
        ).status_code
        == 404
    )


def test_summary_counts(client, auth, db):
    s = client.get("/api/v1/markers/summary", headers=auth("planner")).json()
    assert s["total"] == db.execute("SELECT count(*) FROM boundary_marker").fetchone()[0]
    assert sum(s["by_condition"].values()) == s["total"]
    assert {b["code"] for b in s["by_banner"]} == {
        "150602",
        "150603",
        "150621",
        "150622",
        "150623",
        "150624",
        "150625",
        "150626",
        "150627",
    }
    assert sum(x["total"] for x in s["by_line"]) == s["total"]


def test_condition_vocabulary_has_both_languages(client):
    conditions = client.get("/api/v1/markers/conditions").json()["conditions"]
    assert [c["code"] for c in conditions][:3] == ["intact", "slightly_damaged", "damaged"]
    assert all(c["zh"] and c["en"] and c["colour"].startswith("#") for c in conditions)
