"""The boundary dispute register: geometry, parties, status moves and the timeline."""

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[109.70, 39.60], [109.71, 39.60], [109.71, 39.61], [109.70, 39.61], [109.70, 39.60]]],
}


def _create(client, auth, **kw):
    body = {
        "title": "草场边界争议 grazing land",
        "line_code": "150602-150603",
        "parties": ["150602", "150603"],
        "geometry": SQUARE,
        "opened_on": "2026-05-01",
        **kw,
    }
    return client.post("/api/v1/disputes", json=body, headers=auth("inspector"))


def test_register_and_timeline(client, auth):
    r = _create(client, auth)
    assert r.status_code == 201, r.text
    did = r.json()["id"]
    d = client.get(f"/api/v1/disputes/{did}", headers=auth("viewer")).json()
    assert 0.9e6 < d["properties"]["area_m2"] < 1.0e6  # ~0.86 km x 1.1 km at 39.6N
    assert d["timeline"][0]["kind"] == "reported"
    ok = client.post(
        f"/api/v1/disputes/{did}/events",
        headers=auth("inspector"),
        json={
            "happened_on": "2026-05-10",
            "kind": "site_visit",
            "description": "joint site visit",
            "new_status": "investigating",
        },
    )
    assert ok.status_code == 201
    bad = client.post(
        f"/api/v1/disputes/{did}/events",
        headers=auth("inspector"),
        json={"happened_on": "2026-05-11", "kind": "note", "description": "x", "new_status": "closed"},
    )
    assert bad.status_code == 409 and "cannot go from investigating to closed" in bad.json()["message"]
    d = client.get(f"/api/v1/disputes/{did}", headers=auth("viewer")).json()
    assert d["properties"]["status"] == "investigating" and len(d["timeline"]) == 2
    layer = client.get(
        "/api/v1/layers/boundary_dispute/items", params={"status": "investigating"}, headers=auth("viewer")
    ).json()
    assert did in [f["id"] for f in layer["features"]]


def test_bad_disputes_change_nothing(client, auth, db):
    before = db.execute("SELECT count(*) FROM boundary_dispute").fetchone()[0]
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[109.7, 39.6], [109.71, 39.61], [109.71, 39.6], [109.7, 39.61], [109.7, 39.6]]],
    }
    cases = [
        dict(parties=["150602"]),
        dict(parties=["150602", "999999"]),
        dict(geometry=bowtie),
        dict(geometry={"type": "Polygon", "coordinates": [[[200, 39], [201, 39], [201, 40], [200, 39]]]}),
        dict(geometry={"type": "Polygon"}),
        # a dispute is an area, as its layer declares (a point made every Shapefile export fail)
        dict(geometry={"type": "Point", "coordinates": [109.7, 39.6]}),
        dict(geometry={"type": "LineString", "coordinates": [[109.7, 39.6], [109.71, 39.61]]}),
        dict(title=""),
    ]
    for kw in cases:
        r = _create(client, auth, **kw)
        assert r.status_code in (400, 422), (kw, r.text)
    assert db.execute("SELECT count(*) FROM boundary_dispute").fetchone()[0] == before
    assert client.get("/api/v1/disputes/999999", headers=auth("viewer")).status_code == 404
    assert (
        _create(client, auth).status_code == 201
        and client.post("/api/v1/disputes", json={}, headers=auth("planner")).status_code == 403
    )
