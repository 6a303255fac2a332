"""Accounts belong to a unit, and write only within it (auth/jurisdiction.py): a banner's
officer names places in the banner, a banner's inspector visits the markers of its lines,
a banner's administrator manages the banner's accounts. Accounts of the served unit
(every account made before accounts had units) are unchanged."""

import uuid
from datetime import UTC, datetime

from tests.names import unique_specific

DALAD, DONGSHENG = "150621", "150602"


def _village(db, unit: str) -> tuple[int, str]:
    return db.execute(
        "SELECT id, name FROM place_name WHERE level = 'village' AND admin_code LIKE %s ORDER BY id LIMIT 1",
        (unit + "%",),
    ).fetchone()


def _edit(client, headers, place_id: int, note: str):
    etag = client.get(f"/api/v1/place-names/{place_id}", headers=headers).headers["etag"]
    return client.patch(
        f"/api/v1/place-names/{place_id}",
        json={"location_description": note, "reason": "jurisdiction test"},
        headers=headers | {"If-Match": etag},
    )


def test_existing_accounts_are_of_the_served_unit(client, auth):
    users = client.get("/api/v1/users", headers=auth("admin")).json()
    assert {u["unit_code"] for u in users if u["is_demo"]} == {None}


def test_a_banner_officer_edits_names_of_the_banner_only(client, auth, db, banner_account):
    officer = banner_account("placename_officer", DALAD)
    own, _ = _village(db, DALAD)
    other, _ = _village(db, DONGSHENG)
    assert _edit(client, officer, own, "东侧路口").status_code == 200
    refused = _edit(client, officer, other, "西侧路口")
    assert refused.status_code == 403 and DALAD in refused.json()["message"]
    assert "西侧路口" not in str(client.get(f"/api/v1/place-names/{other}", headers=auth("viewer")).json())
    # the served unit's officer (an account made before units) still edits anywhere
    assert _edit(client, auth("placename_officer"), other, "西侧路口").status_code == 200


def test_new_names_requests_and_imports_stay_in_the_banner(client, auth, db, banner_account):
    officer = banner_account("placename_officer", DALAD)
    tag = unique_specific(4)

    def new(unit: str):
        body = {
            "name": f"{tag}{unit[-1]}村",
            "level": "village",
            "admin_code": unit + "001",
            "reason": "test",
        }
        return client.post("/api/v1/place-names", json=body, headers=officer)

    assert new(DALAD).status_code == 201
    assert new(DONGSHENG).status_code == 403
    request = {"kind": "naming", "applicant": "x", "reason": "y"}
    proposal = {"name": f"{tag}新村", "level": "village"}
    refused = client.post(
        "/api/v1/place-names/requests",
        json=request | {"proposal": proposal | {"admin_code": DONGSHENG + "001"}},
        headers=officer,
    )
    assert refused.status_code == 403
    table = f"标准名称,所在行政区划代码\n{tag}外村,{DONGSHENG}001\n".encode()
    before = db.execute("SELECT count(*) FROM place_name").fetchone()[0]
    imported = client.post("/api/v1/place-names/import", files={"file": ("n.csv", table)}, headers=officer)
    assert imported.status_code == 403
    assert db.execute("SELECT count(*) FROM place_name").fetchone()[0] == before


def _marker(db, where: str) -> str:
    return db.execute(f"SELECT code FROM boundary_marker WHERE {where} ORDER BY code LIMIT 1").fetchone()[0]


def test_a_banner_inspector_visits_the_markers_of_its_lines(client, db, banner_account):
    inspector = banner_account("inspector", DALAD)
    own = _marker(db, f"line_code LIKE '%{DALAD}%'")
    other = _marker(db, f"line_code NOT LIKE '%{DALAD}%' AND line_code LIKE '1506%-1506%'")

    def visit(code):
        body = {"id": str(uuid.uuid4()), "condition": "intact", "observed_at": datetime.now(UTC).isoformat()}
        return client.post(f"/api/v1/markers/{code}/inspections", json=body, headers=inspector)

    assert visit(own).status_code == 201
    refused = visit(other)
    assert refused.status_code == 403 and other in refused.json()["message"]
    assert (
        db.execute(
            "SELECT count(*) FROM marker_inspection i JOIN boundary_marker m ON m.id = i.marker_id WHERE m.code = %s"
            " AND i.inspector_id = (SELECT id FROM app_user WHERE username LIKE 'inspector_150621%%' LIMIT 1)",
            (other,),
        ).fetchone()[0]
        == 0
    )


def test_a_banner_administrator_manages_the_banners_accounts(client, auth, banner_account):
    admin = banner_account("admin", DALAD)

    def create(unit):
        body = {"username": f"x_{uuid.uuid4().hex[:8]}", "role": "viewer", "password": uuid.uuid4().hex}
        return client.post("/api/v1/users", json=body | ({"unit_code": unit} if unit else {}), headers=admin)

    assert create(DALAD).status_code == 201
    assert create(DONGSHENG).status_code == 403
    assert create(None).status_code == 403  # an account of the served unit
    listed = client.get("/api/v1/users", headers=admin).json()
    assert listed and {u["unit_code"] for u in listed} == {DALAD}
    assert client.get("/api/v1/users/demo_admin", headers=admin).status_code == 404
    # units that are not current units within the served one
    assert (
        client.post(
            "/api/v1/users",
            json={"username": "y_1", "role": "viewer", "password": uuid.uuid4().hex, "unit_code": "150699"},
            headers=auth("admin"),
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/api/v1/users",
            json={"username": "y_2", "role": "viewer", "password": uuid.uuid4().hex, "unit_code": "110101"},
            headers=auth("admin"),
        ).status_code
        == 400
    )


def test_repairs_are_assigned_and_closed_within_the_unit(client, auth, db, banner_account):
    other = _marker(db, f"line_code NOT LIKE '%{DALAD}%' AND line_code LIKE '1506%-1506%'")
    visit = {"id": str(uuid.uuid4()), "condition": "damaged", "observed_at": datetime.now(UTC).isoformat()}
    opened = client.post(f"/api/v1/markers/{other}/inspections", json=visit, headers=auth("inspector"))
    repair = opened.json()["repair_order_id"]
    assert repair
    name, password = f"insp_dalad_{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    body = {"username": name, "role": "inspector", "password": password, "unit_code": DALAD}
    assert client.post("/api/v1/users", json=body, headers=auth("admin")).status_code == 201
    dalad_admin = banner_account("admin", DALAD)
    assign = f"/api/v1/repairs/{repair}/assign"
    assert client.post(assign, json={"assignee": "demo_inspector"}, headers=dalad_admin).status_code == 403
    refused = client.post(assign, json={"assignee": name}, headers=auth("admin"))
    assert refused.status_code == 400 and DALAD in refused.json()["message"]
    close = f"/api/v1/repairs/{repair}/close"
    dalad_inspector = banner_account("inspector", DALAD)
    assert client.post(close, json={"resolution": "repaired"}, headers=dalad_inspector).status_code == 403
    assert client.post(close, json={"resolution": "repaired"}, headers=auth("inspector")).status_code == 200
