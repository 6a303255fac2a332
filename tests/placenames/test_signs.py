"""Place-name signs: the register, the check of a sign's text against the standard name
and romanisation, and visits and repairs through the same mechanism as markers."""

import uuid
from datetime import UTC, datetime

BASE = "/api/v1/place-name-signs"


def _code() -> str:
    return "SGN-" + uuid.uuid4().hex[:8]


def _dalad(db) -> int:
    return db.execute("SELECT id FROM place_name WHERE unit_code = '150621'").fetchone()[0]


def _sign(client, auth, db, **extra):
    body = {
        "code": _code(),
        "place_name_id": _dalad(db),
        "text_zh": "达拉特旗",
        "text_mn": "ᠳᠠᠯᠠᠳ ᠬᠣᠰᠢᠭᠤ",
        "romanization": "DALAD QI",
        "lon": 110.03,
        "lat": 40.40,
        **extra,
    }
    r = client.post(BASE, json=body, headers=auth("placename_officer"))
    assert r.status_code == 201, r.text
    return r.json()


def test_a_correct_sign_passes_its_check(client, auth, db):
    sign = _sign(client, auth, db)
    assert sign["findings"] == [] and sign["place_name"] == "达拉特旗" and sign["condition"] == "unknown"


def test_sign_text_is_checked_against_the_register(client, auth, db):
    wrong = _sign(client, auth, db, text_zh="达拉特", romanization="Dálātè Qí", text_mn=None)
    rules = {f["rule"] for f in wrong["findings"]}
    assert all(f["message_zh"] and f["suggestion_zh"] for f in wrong["findings"])
    assert {
        "sign_text_mismatch",
        "sign_tone_marks",
        "sign_romanization_mismatch",
        "sign_mongolian_missing",
    } <= rules
    listed = client.get(BASE, params={"place_name_id": _dalad(db)}, headers=auth("viewer")).json()["signs"]
    assert any(s["code"] == wrong["code"] and s["findings"] for s in listed)


def test_bad_signs_are_rejected(client, auth, db):
    code = _sign(client, auth, db)["code"]
    cases = [
        ({"code": code}, 409),  # code taken
        ({"place_name_id": 999999999}, 400),
        ({"lon": 2.35, "lat": 48.85}, 422),  # outside China
        ({"code": "../etc"}, 422),
    ]
    for extra, expected in cases:
        body = {
            "code": _code(),
            "place_name_id": _dalad(db),
            "text_zh": "达拉特旗",
            "lon": 110.0,
            "lat": 40.4,
            **extra,
        }
        assert client.post(BASE, json=body, headers=auth("placename_officer")).status_code == expected, extra
    assert (
        client.post(
            BASE,
            json={"code": _code(), "place_name_id": _dalad(db), "text_zh": "x", "lon": 110, "lat": 40},
            headers=auth("inspector"),
        ).status_code
        == 403
    )


def test_signs_are_visited_and_repaired_like_markers(client, auth, db):
    code = _sign(client, auth, db)["code"]
    visit = {
        "id": str(uuid.uuid4()),
        "condition": "damaged",
        "observed_at": datetime.now(UTC).isoformat(),
        "inscription_legible": False,
        "gnss": {"lon": 110.0301, "lat": 40.4, "accuracy_m": 4},
    }
    r = client.post(f"{BASE}/{code}/inspections", json=visit, headers=auth("inspector"))
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["sign_code"] == code and out["is_current"] and out["repair_order_id"]
    assert 5 < out["distance_to_marker_m"] < 12  # 0.0001° of longitude at 40°N
    again = client.post(f"{BASE}/{code}/inspections", json=visit, headers=auth("inspector"))
    assert again.status_code == 200 and again.json()["duplicate"]
    # someone else sending the same visit id learns nothing of it
    assert (
        client.post(f"{BASE}/{code}/inspections", json=visit, headers=auth("placename_officer")).status_code
        == 409
    )
    assert (
        client.post(
            f"{BASE}/{code}/inspections", json={**visit, "condition": "intact"}, headers=auth("inspector")
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"{BASE}/{code}/inspections", json={**visit, "id": str(uuid.uuid4())}, headers=auth("viewer")
        ).status_code
        == 403
    )
    sign = client.get(f"{BASE}/{code}", headers=auth("viewer")).json()
    assert sign["condition"] == "damaged" and sign["open_repair_id"] == out["repair_order_id"]
    history = client.get(f"{BASE}/{code}/inspections", headers=auth("viewer")).json()["inspections"]
    assert [h["id"] for h in history] == [visit["id"]]
    repairs = client.get("/api/v1/sign-repairs", params={"status": "open"}, headers=auth("viewer")).json()[
        "repairs"
    ]
    assert any(r["sign_code"] == code for r in repairs)
    closed = client.post(
        f"/api/v1/sign-repairs/{out['repair_order_id']}/close",
        json={"resolution": "replaced"},
        headers=auth("placename_officer"),
    )
    assert closed.status_code == 200
    # the marker side is untouched: sign visits and repairs live in their own tables
    assert (
        db.execute("SELECT count(*) FROM marker_inspection WHERE id = %s", (visit["id"],)).fetchone()[0] == 0
    )
    assert client.get(f"{BASE}/NO-SUCH-SIGN/inspections", headers=auth("viewer")).status_code == 404
