"""One rule, every door: an OGC API Part 4 write meets the rules of the register that owns
its records. Generated over every editable layer of the catalogue: each has its domain's
rules, and none is written around them."""

from gis_service.ogc import edit_rules
from tests.ogc.test_ogc_transactions import FEATURE, ITEMS


def test_every_editable_layer_has_its_domains_rules(app):
    editable = [layer for layer in app.state.catalogue.layers().values() if layer.edit_table]
    assert editable, "no editable layer: this test checks nothing"
    for layer in editable:
        assert layer.edit_table in edit_rules.RULES, (
            f"{layer.id} is editable through OGC but {layer.edit_table} has no domain rules in ogc/edit_rules.py"
        )


def _dispute(client, auth):
    r = client.post(ITEMS, json=FEATURE, headers=auth("inspector"))
    assert r.status_code == 201, r.text
    path = "/ogc/" + r.headers["location"].split("/ogc/", 1)[1]
    return path, r.headers["etag"]


def _timeline(client, auth, path):
    fid = path.rsplit("/", 1)[1]
    return client.get(f"/api/v1/disputes/{fid}", headers=auth("viewer")).json()["timeline"]


def test_a_dispute_moves_through_ogc_only_as_the_register_allows(client, auth, db):
    h = auth("inspector")
    path, etag = _dispute(client, auth)
    assert [e["kind"] for e in _timeline(client, auth, path)] == ["reported"]
    # reported -> closed is refused, as the events API refuses it
    r = client.patch(path, json={"properties": {"status": "closed"}}, headers=h | {"If-Match": etag})
    assert r.status_code == 409, r.text
    # reported -> investigating is allowed, and lands on the timeline
    r = client.patch(path, json={"properties": {"status": "investigating"}}, headers=h | {"If-Match": etag})
    assert r.status_code == 200, r.text
    assert _timeline(client, auth, path)[-1]["new_status"] == "investigating"
    for status in ("resolved", "closed"):
        etag = client.get(path, headers=h).headers["etag"]
        r = client.patch(path, json={"properties": {"status": status}}, headers=h | {"If-Match": etag})
        assert r.status_code == 200, r.text
    # a closed dispute is not rewritten, reopened, or deleted (its timeline is the record)
    etag = client.get(path, headers=h).headers["etag"]
    before = client.get(path, headers=h).json()
    for method, body in (
        ("PATCH", {"properties": {"status": "reported"}}),
        ("PATCH", {"properties": {"title": "rewritten"}}),
        ("PUT", {**FEATURE, "properties": {**FEATURE["properties"], "title": "rewritten"}}),
    ):
        r = client.request(method, path, json=body, headers=h | {"If-Match": etag})
        assert r.status_code == 409, (method, body, r.text)
    second = client.post(
        "/api/v1/users",
        json={
            "username": "insp_" + path.rsplit("/", 1)[1],
            "role": "inspector",
            "password": "Second-Inspector-77",
        },
        headers=auth("admin"),
    )
    assert second.status_code == 201
    for headers in (h, auth("admin")):
        r = client.delete(path, headers=headers | {"If-Match": etag})
        assert r.status_code == 409 and r.json()["message_zh"], r.text
    assert client.get(path, headers=h).json() == before
    assert len(_timeline(client, auth, path)) == 4


def test_a_new_dispute_through_ogc_is_checked_like_the_registers(client, auth, db):
    before = db.execute("SELECT count(*) FROM boundary_dispute").fetchone()[0]
    h = auth("inspector")
    unknown_party = {**FEATURE, "properties": {**FEATURE["properties"], "parties": ["150602", "999999"]}}
    not_reported = {**FEATURE, "properties": {**FEATURE["properties"], "status": "closed"}}
    for body in (unknown_party, not_reported):
        r = client.post(ITEMS, json=body, headers=h)
        assert 400 <= r.status_code < 500, r.text
    assert db.execute("SELECT count(*) FROM boundary_dispute").fetchone()[0] == before


def test_a_facility_outside_china_is_refused_by_every_door(client, auth, db):
    from tests.funeral.helpers import unique

    code = unique("E")
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [39.8, 109.9]},  # lat, lon swapped
        "properties": {"code": code, "name": "测试骨灰堂", "facility_type": "ash_hall", "status": "planned"},
    }
    r = client.post("/ogc/collections/funeral_facility/items", json=feature, headers=auth("admin"))
    assert r.status_code == 400, r.text
    csv = f"code,name,type,status,lon,lat\n{code},测试骨灰堂,ash_hall,planned,39.8,109.9\n".encode()
    r = client.post(
        "/api/v1/funeral/import/facilities", files={"file": ("f.csv", csv)}, headers=auth("admin")
    )
    assert r.status_code in (400, 422), r.text
    assert db.execute("SELECT count(*) FROM funeral_facility WHERE code = %s", (code,)).fetchone()[0] == 0
