"""OGC API - Features Part 4 on the editable dispute layer: OPTIONS/Allow, create with
Location, re-fetch, If-Match optimistic locking (412), replace, update, delete, audit."""

ITEMS = "/ogc/collections/boundary_dispute/items"
FEATURE = {
    "type": "Feature",
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[109.90, 39.60], [109.91, 39.60], [109.91, 39.61], [109.90, 39.61], [109.90, 39.60]]
        ],
    },
    "properties": {
        "title": "QGIS edit",
        "parties": ["150602", "150627"],
        "status": "reported",
        "opened_on": "2026-10-01",
    },
}


def test_options_allow_depends_on_role(client, auth):
    assert "POST" in client.options(ITEMS, headers=auth("inspector")).headers["allow"]
    assert "POST" not in client.options(ITEMS, headers=auth("viewer")).headers["allow"]
    assert (
        "POST"
        not in client.options("/ogc/collections/county_boundary/items", headers=auth("admin")).headers[
            "allow"
        ]
    )


def test_create_refetch_lock_update_delete(client, auth, db, current):
    h = auth("inspector")
    r = client.post(ITEMS, json=FEATURE, headers=h)
    assert r.status_code == 201, r.text
    location = r.headers["location"]
    path = location.replace("http://testserver", "")
    got = client.get(path, headers=h)
    assert got.status_code == 200 and got.json()["properties"]["title"] == "QGIS edit"
    assert 0.5e6 < got.json()["properties"]["area_km2"] * 1e6 < 1.5e6  # area from the trigger
    etag = got.headers["etag"]
    assert "PUT" in client.options(path, headers=h).headers["allow"]
    # Someone else edits first: our stale If-Match is refused and changes nothing.
    other = client.patch(
        path, json={"properties": {"status": "investigating"}}, headers={**h, "If-Match": etag}
    )
    assert other.status_code == 200
    stale = client.patch(path, json={"properties": {"title": "late"}}, headers={**h, "If-Match": etag})
    assert stale.status_code == 412
    assert client.get(path, headers=h).json()["properties"]["title"] == "QGIS edit"
    fresh = client.get(path, headers=h).headers["etag"]
    replaced = client.put(
        path,
        json={
            **FEATURE,
            "properties": {**FEATURE["properties"], "title": "replaced", "status": "investigating"},
        },
        headers={**h, "If-Match": fresh},
    )
    assert replaced.status_code == 200 and replaced.json()["properties"]["title"] == "replaced"
    fid = path.rsplit("/", 1)[1]
    actions = [
        a
        for (a,) in db.execute(
            "SELECT action FROM audit_log WHERE entity = 'boundary_dispute' AND entity_id = %s ORDER BY id",
            (fid,),
        ).fetchall()
    ]
    # the register's rules: the status move is an event on the timeline, edits are updates
    assert actions == ["create", "add_event", "update", "update"]
    assert client.delete(path, headers={**h, "If-Match": '"stale"'}).status_code == 412
    # a dispute is never deleted: its timeline is the record
    assert client.delete(path, headers=h).status_code == 428  # names no version
    assert client.delete(path, headers=current(path, h)).status_code == 409
    assert client.get(path, headers=h).status_code == 200


def test_read_only_properties_sent_back_are_ignored(client, auth):
    # QGIS sends every attribute back; computed ones (area) must not make the edit fail.
    body = {**FEATURE, "properties": {**FEATURE["properties"], "area_km2": 5, "id": 1}}
    r = client.post(ITEMS, json=body, headers=auth("inspector"))
    assert r.status_code == 201 and r.json()["properties"]["area_km2"] != 5


def test_bad_edits_change_nothing(client, auth, db):
    before = db.execute("SELECT count(*) FROM boundary_dispute").fetchone()[0]
    h = auth("inspector")
    bad = [
        {**FEATURE, "properties": {**FEATURE["properties"], "colour": "red"}},  # not a property
        {**FEATURE, "properties": {**FEATURE["properties"], "status": "won"}},  # check constraint
        {**FEATURE, "geometry": {"type": "Polygon", "coordinates": [[[1, 2], [3, 4]]]}},
        {**FEATURE, "geometry": None},
        {"type": "FeatureCollection"},
    ]
    for body in bad:
        r = client.post(ITEMS, json=body, headers=h)
        assert 400 <= r.status_code < 500, (body, r.text)
    assert client.post(ITEMS, content=b"{not json", headers=h).status_code == 400
    assert client.post(ITEMS, json=FEATURE, headers=auth("viewer")).status_code == 403
    assert client.post(ITEMS, json=FEATURE).status_code == 401
    assert (
        client.post("/ogc/collections/county_boundary/items", json=FEATURE, headers=auth("admin")).status_code
        == 403
    )
    assert db.execute("SELECT count(*) FROM boundary_dispute").fetchone()[0] == before
