"""Text entering the service is NFC and carries no invisible or control characters:
checked once, where input enters (query strings, JSON and form bodies, table and vector
files, the visit form), so every route and importer is covered."""

import io
import json
import uuid
from datetime import UTC, datetime

import pytest

from gis_service.core.text_input import clean

LOOKALIKES = [
    "东\u200b胜\u200d区",
    "\u202e区胜东",
    "\ufeff东胜区",
    "东\u2028胜区",
    "东\x00胜区",
    "东\u2066胜区",
]
PLACES = "/api/v1/place-names"


@pytest.mark.parametrize("text", LOOKALIKES)
def test_a_lookalike_name_is_refused_and_nothing_changes(client, auth, db, text):
    before = db.execute("SELECT count(*) FROM place_name").fetchone()[0]
    r = client.post(
        PLACES,
        json={"name": text, "level": "village", "admin_code": "150602001", "reason": "test"},
        headers=auth("placename_officer"),
    )
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == "unsafe_text" and "body.name" in body["message"] and "U+" in body["message"]
    assert "body.name" in body["message_zh"]
    assert db.execute("SELECT count(*) FROM place_name").fetchone()[0] == before


def test_text_is_stored_in_nfc(client, auth, db):
    decomposed = "Cafe\u0301 " + uuid.uuid4().hex[:6]  # e + combining acute
    r = client.post(
        PLACES,
        json={
            "name": "试验村" + uuid.uuid4().hex[:4],
            "level": "village",
            "admin_code": "150602001",
            "reason": "test",
            "meaning": decomposed,
        },
        headers=auth("placename_officer"),
    )
    assert r.status_code == 201, r.text
    stored = db.execute("SELECT meaning FROM place_name WHERE id = %s", (r.json()["id"],)).fetchone()[0]
    assert stored == "Café " + decomposed[6:] and "\u0301" not in stored


def test_mongolian_script_keeps_its_joiners():
    mongolian = "ᠣᠷ\u200dᠳᠣᠰ"
    assert clean(mongolian, "text_mn") == mongolian
    with pytest.raises(Exception, match="U\\+200D"):
        clean("东\u200d胜区", "name")


def test_every_json_write_is_guarded(app, client, auth):
    """A key with a zero-width space reaches no route: every JSON write answers 400."""
    spec = app.openapi()
    writes = [
        (m, p)
        for p, ops in spec["paths"].items()
        for m, op in ops.items()
        if m in ("post", "put", "patch")
        and "application/json" in op.get("requestBody", {}).get("content", {})
    ]
    assert len(writes) >= 25
    for method, path in writes:
        url = path.replace("{", "").replace("}", "")  # any value: the guard answers first
        r = client.request(
            method.upper(),
            url,
            content=json.dumps({"x\u200by": "a"}),
            headers={**auth("admin"), "Content-Type": "application/json"},
        )
        assert r.status_code == 400 and r.json()["code"] == "unsafe_text", (method, path, r.status_code)


def test_query_strings_and_sign_in_forms_are_guarded(client, auth):
    r = client.get(PLACES, params={"q": "\u202e区胜东"}, headers=auth("viewer"))
    assert r.status_code == 400 and "query.q" in r.json()["message"]
    r = client.post("/api/v1/auth/token", data={"username": "demo\x00viewer", "password": "x"})
    assert r.status_code == 400 and "form.username" in r.json()["message"]
    assert client.get(PLACES, params={"q": "东胜"}, headers=auth("viewer")).status_code == 200


def test_a_table_import_names_the_row(client, auth):
    csv_text = "界桩编号,类型,经度,纬度\n150602-150603-901Q,单立,109.8,39.7\n150602-150603-902Q,单\u200b立,109.8,39.7\n"
    r = client.post(
        "/api/v1/markers/import", files={"file": ("a.csv", csv_text.encode())}, headers=auth("admin")
    )
    assert r.status_code == 400 and "row 3" in r.json()["message"] and "U+200B" in r.json()["message"]


def test_a_visit_form_with_photos_is_guarded(client, auth, db):
    code = db.execute("SELECT code FROM boundary_marker ORDER BY code LIMIT 1").fetchone()[0]
    visit = {
        "id": str(uuid.uuid4()),
        "condition": "intact",
        "observed_at": datetime.now(UTC).isoformat(),
        "notes": "ok\u202e",
    }
    r = client.post(
        f"/api/v1/markers/{code}/inspections",
        data={"visit": json.dumps(visit)},
        files={"photos": ("p.jpg", io.BytesIO(b"x"), "image/jpeg")},
        headers=auth("inspector"),
    )
    assert r.status_code == 400 and "visit.notes" in r.json()["message"]
    assert (
        db.execute("SELECT count(*) FROM marker_inspection WHERE id = %s", (visit["id"],)).fetchone()[0] == 0
    )
