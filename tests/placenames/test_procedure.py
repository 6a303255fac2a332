"""The naming procedure as a state machine: only the allowed moves, each with what its
stage needs; the announcement carries the six required items and changes the register."""

import uuid

BASE = "/api/v1/place-names"


def _name() -> str:
    stems = "甲乙丙丁戊己庚辛壬癸"
    return "新" + "".join(stems[int(c)] for c in str(uuid.uuid4().int)[:5]) + "村"


def _advance(client, auth, rid, **body):
    return client.post(f"{BASE}/requests/{rid}/advance", json=body, headers=auth("placename_officer"))


def test_a_naming_request_from_application_to_filing(client, auth, db):
    name = _name()
    r = client.post(
        f"{BASE}/requests",
        json={
            "kind": "naming",
            "applicant": "东胜区民政局",
            "reason": "new resettlement village",
            "proposal": {"name": name, "level": "village", "admin_code": "150602001"},
        },
        headers=auth("placename_officer"),
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["stage"] == "application"
    # skipping a stage is not allowed
    assert _advance(client, auth, rid, to="announcement").status_code == 409
    assert _advance(client, auth, rid, to="review", note="sent to experts").status_code == 200
    # approval needs the expert opinion and the consultation
    missing = _advance(client, auth, rid, to="approval", expert_opinion="agreed")
    assert missing.status_code == 400 and "consultation" in missing.json()["message"]
    assert (
        _advance(
            client, auth, rid, to="approval", expert_opinion="agreed", consultation="residents consulted"
        ).status_code
        == 200
    )
    # the announcement needs the approval and the six items (romanisation, location description ...)
    no_items = _advance(
        client,
        auth,
        rid,
        to="announcement",
        approval_body="东胜区人民政府",
        approval_document="东政发〔2026〕12号",
        approval_date="2026-11-20",
    )
    assert no_items.status_code == 400
    message = no_items.json()["message"]
    assert "romanisation" in message and "location description" in message
    assert db.execute("SELECT count(*) FROM place_name WHERE name = %s", (name,)).fetchone()[0] == 0
    announced = _advance(
        client,
        auth,
        rid,
        to="announcement",
        approval_body="东胜区人民政府",
        approval_document="东政发〔2026〕12号",
        approval_date="2026-11-20",
        proposal={"romanization": "Xincun", "location_description": "交通街道东部"},
    )
    assert announced.status_code == 200, announced.text
    place_id = announced.json()["place_name_id"]
    record = client.get(f"{BASE}/{place_id}", headers=auth("viewer")).json()["properties"]
    assert record["name"] == name and record["status"] == "standard"
    assert record["approval_document"] == "东政发〔2026〕12号" and record["romanization"] == "Xincun"
    assert _advance(client, auth, rid, to="filed").status_code == 400  # needs the announcement date
    filed = _advance(client, auth, rid, to="filed", announced_on="2026-11-25", filed_on="2026-11-28")
    assert filed.json()["stage"] == "filed"
    assert [e["stage"] for e in filed.json()["events"]] == [
        "application",
        "review",
        "approval",
        "announcement",
        "filed",
    ]
    assert _advance(client, auth, rid, to="review").status_code == 409  # closed


def test_renaming_and_cancellation_change_the_record_as_versions(client, auth):
    created = client.post(
        BASE,
        json={
            "name": _name(),
            "level": "village",
            "admin_code": "150602001",
            "reason": "test",
            "romanization": "Xincun",
            "location_description": "交通街道",
        },
        headers=auth("placename_officer"),
    ).json()
    old_name, pid = created["properties"]["name"], created["id"]
    new_name = _name()
    rid = client.post(
        f"{BASE}/requests",
        json={
            "kind": "renaming",
            "place_name_id": pid,
            "applicant": "街道办",
            "reason": "duplicate in the banner",
            "proposal": {"name": new_name},
        },
        headers=auth("placename_officer"),
    ).json()["id"]
    _advance(client, auth, rid, to="review")
    _advance(client, auth, rid, to="approval", expert_opinion="ok", consultation="ok")
    r = _advance(
        client,
        auth,
        rid,
        to="announcement",
        approval_body="东胜区人民政府",
        approval_document="A-1",
        approval_date="2026-11-21",
    )
    assert r.status_code == 200, r.text
    record = client.get(f"{BASE}/{pid}", headers=auth("viewer")).json()["properties"]
    assert record["name"] == new_name and old_name in record["former_names"]
    rid2 = client.post(
        f"{BASE}/requests",
        json={"kind": "cancellation", "place_name_id": pid, "applicant": "x", "reason": "village merged"},
        headers=auth("placename_officer"),
    ).json()["id"]
    _advance(client, auth, rid2, to="review")
    _advance(client, auth, rid2, to="approval", expert_opinion="ok", consultation="ok")
    _advance(
        client,
        auth,
        rid2,
        to="announcement",
        approval_body="b",
        approval_document="B-2",
        approval_date="2026-11-22",
    )
    assert client.get(f"{BASE}/{pid}", headers=auth("viewer")).json()["properties"]["status"] == "cancelled"
    versions = client.get(f"{BASE}/{pid}/history", headers=auth("viewer")).json()["versions"]
    assert len(versions) == 3 and "naming request" in versions[0]["reason"]


def test_requests_are_checked(client, auth):
    bad = [
        {"kind": "renaming", "applicant": "x", "reason": "y"},  # no record
        {"kind": "naming", "applicant": "x", "reason": "y", "proposal": {"name": "新村"}},  # no unit/level
        {
            "kind": "renaming",
            "place_name_id": 999999999,
            "applicant": "x",
            "reason": "y",
            "proposal": {"name": "新村"},
        },
    ]
    for body in bad:
        r = client.post(f"{BASE}/requests", json=body, headers=auth("placename_officer"))
        assert r.status_code in (400, 404), (body, r.text)
    assert client.post(f"{BASE}/requests", json=bad[1], headers=auth("viewer")).status_code == 403
    rid = client.post(
        f"{BASE}/requests",
        json={
            "kind": "naming",
            "applicant": "x",
            "reason": "y",
            "proposal": {"name": _name(), "level": "village", "admin_code": "150602001"},
        },
        headers=auth("placename_officer"),
    ).json()["id"]
    assert (
        _advance(client, auth, rid, to="withdrawn", note="applicant withdrew").json()["stage"] == "withdrawn"
    )
    assert _advance(client, auth, rid, to="review").status_code == 409
