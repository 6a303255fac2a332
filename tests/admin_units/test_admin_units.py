"""GET/PATCH /api/v1/admin-units."""

from tests.reference_data.test_reference_data import ORDOS_UNITS


def test_parent_150600_lists_the_nine_units_with_geometry(client, auth):
    r = client.get("/api/v1/admin-units", params={"parent": "150600"}, headers=auth("viewer"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    features = r.json()["features"]
    assert {f["properties"]["code"]: f["properties"]["name"] for f in features} == {
        k: v[0] for k, v in ORDOS_UNITS.items()
    }
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in features)
    assert sum(f["properties"]["area_km2"] for f in features) > 85_000


def test_as_of_before_kangbashi_lists_eight_units(client, auth):
    r = client.get(
        "/api/v1/admin-units",
        params={"parent": "150600", "as_of": "2015-06-30", "geometry": "false"},
        headers=auth("viewer"),
    )
    codes = {f["properties"]["code"] for f in r.json()["features"]}
    assert "150603" not in codes and len(codes) == 8


def test_one_unit_with_history(client, auth):
    r = client.get("/api/v1/admin-units/150603", headers=auth("planner"))
    body = r.json()
    assert body["properties"]["name"] == "康巴什区"
    assert body["history"][0]["change_type"] == "created"


def test_townships_of_a_banner_page_like_every_list(client, auth):
    """`limit` and the `next` link's cursor, as every list of features pages."""
    params = {"parent": "150621", "level": "township"}
    whole = client.get("/api/v1/admin-units", params=params | {"limit": 10000}, headers=auth("viewer")).json()
    names = [f["properties"]["name"] for f in whole["features"]]
    assert "风水梁镇" in names and all(f["geometry"] is None for f in whole["features"])
    assert [link["rel"] for link in whole["links"]] == ["self"]
    paged, url = [], "/api/v1/admin-units?parent=150621&level=township&limit=3"
    while url:
        page = client.get(url, headers=auth("viewer")).json()
        assert page["numberReturned"] == len(page["features"]) <= 3
        paged += [f["properties"]["name"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert paged == names and len(names) > 3


def test_bad_requests_get_clear_4xx(client, auth):
    h = auth("viewer")
    r = client.get("/api/v1/admin-units", params={"parent": "15O600"}, headers=h)
    assert r.status_code == 400 and "parent" in r.json()["message"]
    assert client.get("/api/v1/admin-units/999999", headers=h).status_code == 404
    r = client.get("/api/v1/admin-units/abc", headers=h)
    assert r.status_code == 422 and r.json()["message_zh"]
    r = client.get("/api/v1/admin-units", params={"level": "galaxy"}, headers=h)
    assert r.status_code == 422
    assert client.get("/api/v1/admin-units").status_code == 401


def test_patch_needs_admin_and_is_audited(client, auth, db, current):
    body = {"name_romanized": "Dongsheng Qu (test)"}
    for role in ("viewer", "planner", "inspector", "placename_officer"):
        r = client.patch("/api/v1/admin-units/150602", json=body, headers=auth(role))
        assert r.status_code == 403, role
    assert client.patch("/api/v1/admin-units/150602", json=body).status_code == 401
    before_rows = db.execute("SELECT count(*) FROM audit_log WHERE entity = 'admin_unit'").fetchone()[0]
    unit = "/api/v1/admin-units/150602"
    read = current(unit, auth("admin"))
    r = client.patch(unit, json=body, headers=read)
    assert r.status_code == 200 and r.json()["properties"]["name_romanized"] == body["name_romanized"]
    actor, before, after = db.execute(
        "SELECT actor, before, after FROM audit_log WHERE entity = 'admin_unit' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert actor == "demo_admin" and before == {"name_romanized": "Dongsheng Qu"}
    assert after == body
    # the version read before is no longer current
    assert client.patch(unit, json={"name_romanized": "X"}, headers=read).status_code == 412
    # put it back
    client.patch(unit, json={"name_romanized": "Dongsheng Qu"}, headers=current(unit, auth("admin")))
    after_rows = db.execute("SELECT count(*) FROM audit_log WHERE entity = 'admin_unit'").fetchone()[0]
    assert after_rows == before_rows + 2


def test_rejected_patch_changes_nothing(client, auth, db):
    before = db.execute(
        "SELECT name_romanized, updated_at FROM admin_unit WHERE code = '150621' AND valid_to IS NULL"
    ).fetchone()
    audit = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    for body in ({"name": "x"}, {"name_romanized": ""}, {}, {"name_romanized": 5}):
        r = client.patch("/api/v1/admin-units/150621", json=body, headers=auth("admin") | {"If-Match": "*"})
        assert 400 <= r.status_code < 500, body
    assert (
        db.execute(
            "SELECT name_romanized, updated_at FROM admin_unit WHERE code = '150621' AND valid_to IS NULL"
        ).fetchone()
        == before
    )
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit
