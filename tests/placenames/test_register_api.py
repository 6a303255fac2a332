"""The register through its API: the real Ordos names, versions and dates, optimistic
locking, checks, the register-wide audit, the lexicon, and who may change what."""

import uuid
from datetime import UTC, datetime

import pytest

BASE = "/api/v1/place-names"


def _unique(prefix: str) -> str:
    """A name no earlier run has used (tests may re-run on the same database)."""
    digits = "甲乙丙丁戊己庚辛壬癸"
    return prefix + "".join(digits[int(c)] for c in str(uuid.uuid4().int)[:6])


def test_real_ordos_names_are_in_the_register(client, auth, db):
    counts = dict(
        db.execute("SELECT level, count(*) FROM place_name WHERE unit_code LIKE '1506%' GROUP BY 1")
    )
    assert counts == {"city": 1, "county": 9, "township": 88, "village": 1011}
    # committee names became standard names, and the source says so
    name, source, generic = db.execute(
        "SELECT name, source, generic_part FROM place_name WHERE unit_code = "
        "(SELECT code FROM admin_unit WHERE name = '斯布扣嘎查村委员会')"
    ).fetchone()
    assert name == "斯布扣嘎查" and generic == "嘎查" and "斯布扣嘎查村委员会" in source
    r = client.get(BASE, params={"q": "达拉特旗"}, headers=auth("viewer"))
    top = r.json()["results"][0]
    assert top["name"] == "达拉特旗" and top["romanization"] == "Dalad Qi" and top["match"] == "exact name"


def test_unlocated_names_form_a_work_list(client, auth):
    page = client.get(BASE, params={"unlocated": "true", "limit": 50}, headers=auth("viewer")).json()
    assert len(page["results"]) == 50 and not any(r["located"] for r in page["results"])
    nxt = client.get(BASE, params={"unlocated": "true", "after": page["next_after"]}, headers=auth("viewer"))
    assert nxt.json()["results"][0]["id"] > page["results"][-1]["id"]


def _create(client, auth, name, **extra):
    body = {"name": name, "level": "village", "admin_code": "150602001", "reason": "test", **extra}
    r = client.post(BASE, json=body, headers=auth("placename_officer"))
    assert r.status_code == 201, r.text
    return r


def test_versions_history_and_as_of(client, auth):
    created = _create(client, auth, _unique("试验"), location_description="东胜区交通街道北侧")
    place = created.json()["id"]
    assert created.headers["location"] == f"http://testserver{BASE}/{place}"
    first_read = client.get(f"{BASE}/{place}", headers=auth("viewer"))
    etag = first_read.headers["etag"]
    before_edit = datetime.now(UTC)
    new_name = _unique("改名")
    r = client.patch(
        f"{BASE}/{place}",
        json={
            "name": new_name,
            "reason": "renamed after consultation",
            "geometry": {"type": "Point", "coordinates": [109.98, 39.82]},
        },
        headers={**auth("placename_officer"), "If-Match": etag},
    )
    assert r.status_code == 200, r.text
    props = r.json()["properties"]
    assert props["name"] == new_name and props["version"] == 2
    assert first_read.json()["properties"]["name"] in props["former_names"]
    # a stale write changes nothing
    stale = client.patch(
        f"{BASE}/{place}",
        json={"meaning": "x", "reason": "late"},
        headers={**auth("placename_officer"), "If-Match": etag},
    )
    assert stale.status_code == 412
    assert client.get(f"{BASE}/{place}", headers=auth("viewer")).json()["properties"]["meaning"] is None
    history = client.get(f"{BASE}/{place}/history", headers=auth("viewer")).json()["versions"]
    assert [v["version"] for v in history] == [2, 1]
    assert history[0]["reason"] == "renamed after consultation" and "name" in history[0]["diff"]
    assert history[0]["changed_by"] == "demo_placename_officer"
    old = client.get(f"{BASE}/{place}", params={"as_of": before_edit.isoformat()}, headers=auth("viewer"))
    assert old.json()["name"] == first_read.json()["properties"]["name"] and old.json()["version"] == 1
    too_early = client.get(
        f"{BASE}/{place}", params={"as_of": "2000-01-01T00:00:00Z"}, headers=auth("viewer")
    )
    assert too_early.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"name": "坏数据村", "level": "village", "admin_code": "999999001", "reason": "x"},
        {
            "name": "坏数据村",
            "level": "village",
            "admin_code": "150602001",
            "reason": "x",
            "category_code": "99",
        },
        {
            "name": "坏数据村",
            "level": "village",
            "admin_code": "150602001",
            "reason": "x",
            "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
        },
        {"name": "坏数据村", "level": "hamlet", "admin_code": "150602001", "reason": "x"},
        {"name": "", "level": "village", "admin_code": "150602001", "reason": "x"},
    ],
)
def test_bad_records_are_rejected_and_change_nothing(client, auth, db, body):
    before = db.execute("SELECT count(*) FROM place_name").fetchone()[0]
    r = client.post(BASE, json=body, headers=auth("placename_officer"))
    assert 400 <= r.status_code < 500 and r.json()["message"]
    assert db.execute("SELECT count(*) FROM place_name").fetchone()[0] == before


@pytest.mark.parametrize("role", ["viewer", "inspector", "planner"])
def test_only_officers_change_the_register(client, auth, role):
    assert (
        client.post(
            BASE,
            json={"name": "无权村", "level": "village", "admin_code": "150602001", "reason": "x"},
            headers=auth(role),
        ).status_code
        == 403
    )
    assert client.post(f"{BASE}/audit", headers=auth(role)).status_code == 403
    assert client.get(BASE, params={"q": "东胜"}, headers=auth(role)).status_code == 200
    assert client.get(BASE, params={"q": "东胜"}).status_code == 401


def test_check_a_proposed_name(client, auth):
    real = client.get(BASE, params={"admin_code": "150602001", "limit": 5}, headers=auth("viewer")).json()
    existing = next(r["name"] for r in real["results"] if r["level"] == "village")
    r = client.post(
        f"{BASE}/check", json={"name": existing, "admin_code": "150602001"}, headers=auth("viewer")
    )
    assert r.status_code == 200
    assert "duplicate" in {f["rule"] for f in r.json()["findings"]}
    clean = client.post(
        f"{BASE}/check", json={"name": "河湾社区", "admin_code": "150602001"}, headers=auth("viewer")
    )
    assert clean.json()["findings"] == []
    odd = client.post(
        f"{BASE}/check",
        json={"name": "维也纳花园", "admin_code": "150602001", "category": "51"},
        headers=auth("viewer"),
    )
    assert {f["rule"] for f in odd.json()["findings"]} == {"foreign"}
    bad = client.post(f"{BASE}/check", json={"name": "x", "admin_code": "159999"}, headers=auth("viewer"))
    assert bad.status_code == 400


def test_register_audit_findings_and_waivers(client, auth):
    name = _unique("世界")
    place = _create(client, auth, name + "村").json()["id"]
    report = client.post(f"{BASE}/audit", headers=auth("placename_officer")).json()
    assert report["names_checked"] >= 1109 and report["by_rule"]["exaggerated"] >= 1
    assert any(b["code"] == "150602" for b in report["by_banner"])
    open_ = client.get(
        f"{BASE}/findings", params={"place_name_id": place, "status": "open"}, headers=auth("viewer")
    ).json()["findings"]
    finding = next(f for f in open_ if f["rule"] == "exaggerated")
    assert "夸大" in finding["message_zh"] and finding["suggestion_zh"]  # stored in both languages
    assert (
        client.post(
            f"{BASE}/findings/{finding['id']}/waive", json={"reason": ""}, headers=auth("placename_officer")
        ).status_code
        == 422
    )
    waived = client.post(
        f"{BASE}/findings/{finding['id']}/waive",
        json={"reason": "historic name kept by decision"},
        headers=auth("placename_officer"),
    )
    assert waived.json()["status"] == "waived"
    # a second audit neither reopens the waived finding nor duplicates it
    client.post(f"{BASE}/audit", headers=auth("placename_officer"))
    after = client.get(
        f"{BASE}/findings", params={"place_name_id": place, "rule": "exaggerated"}, headers=auth("viewer")
    ).json()["findings"]
    assert [f["status"] for f in after] == ["waived"]
    # fixing the name resolves the rest at the next audit
    client.patch(
        f"{BASE}/{place}",
        json={"name": _unique("河湾") + "村", "reason": "renamed"},
        headers=auth("placename_officer"),
    )
    client.post(f"{BASE}/audit", headers=auth("placename_officer"))
    assert not client.get(
        f"{BASE}/findings", params={"place_name_id": place, "status": "open"}, headers=auth("viewer")
    ).json()["findings"]


def test_romanize_endpoint_and_editable_lexicon(client, auth):
    r = client.get(
        f"{BASE}/romanize", params={"name": "伊金霍洛旗", "level": "county"}, headers=auth("viewer")
    )
    assert r.json()["romanization"] == "Ejin Horo Qi"
    assert set(r.json()) >= {"romanization", "candidates", "review"}
    before = client.get(f"{BASE}/romanize", params={"name": "阿吉奈嘎查"}, headers=auth("viewer")).json()
    assert "likely_mongolian" in {x["reason"] for x in before["review"]}
    entry = {"hanzi": "阿吉奈", "form": "Aginai", "kind": "name", "source": "test entry (officer)"}
    assert client.put(f"{BASE}/lexicon", json=entry, headers=auth("viewer")).status_code == 403
    assert client.put(f"{BASE}/lexicon", json=entry, headers=auth("placename_officer")).status_code == 200
    after = client.get(f"{BASE}/romanize", params={"name": "阿吉奈嘎查"}, headers=auth("viewer")).json()
    assert after["romanization"] == "Aginaigacha" and after["review"] == []
    bad = {**entry, "form": "Robert'); DROP TABLE place_name;--"}
    assert client.put(f"{BASE}/lexicon", json=bad, headers=auth("placename_officer")).status_code == 422


def test_concurrent_edits_one_wins_the_other_gets_412(client, auth, db):
    from concurrent.futures import ThreadPoolExecutor

    place = _create(client, auth, _unique("并发")).json()["id"]
    etag = client.get(f"{BASE}/{place}", headers=auth("viewer")).headers["etag"]

    def edit(meaning):
        return client.patch(
            f"{BASE}/{place}",
            json={"meaning": meaning, "reason": "concurrent edit"},
            headers={**auth("placename_officer"), "If-Match": etag},
        ).status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(edit, ["first", "second", "third", "fourth"]))
    assert statuses == [200, 412, 412, 412]
    meaning, version = db.execute(
        "SELECT meaning, version FROM place_name WHERE id = %s", (place,)
    ).fetchone()
    assert version == 2 and meaning in {"first", "second", "third", "fourth"}


def test_each_language_keeps_its_own_lexicon(client, auth, db):
    """A Tibetan reading of a spelling leaves Ordos' Mongolian romanisation alone; a name is
    romanised with the lexicons of its unit's language areas, or of the language asked."""
    officer = auth("placename_officer")
    mongolian = client.get(
        f"{BASE}/romanize", params={"name": "鄂尔多斯市", "level": "city"}, headers=officer
    ).json()
    assert mongolian["romanization"] == "Ordos Shi" and mongolian["languages"] == ["mn"]
    entry = {
        "hanzi": "鄂尔多斯",
        "form": "Erduosi",
        "kind": "name",
        "language": "bo",
        "source": "test entry (other language)",
    }
    assert client.put(f"{BASE}/lexicon", json=entry, headers=officer).status_code == 200
    rows = db.execute(
        "SELECT language, form FROM romanization_lexicon WHERE hanzi = '鄂尔多斯' ORDER BY language"
    ).fetchall()
    assert rows == [("bo", "Erduosi"), ("mn", "Ordos")]
    again = client.get(
        f"{BASE}/romanize",
        params={"name": "鄂尔多斯市", "level": "city", "admin_code": "150600"},
        headers=officer,
    ).json()
    assert again["romanization"] == "Ordos Shi"
    tibetan = client.get(
        f"{BASE}/romanize", params={"name": "鄂尔多斯市", "level": "city", "language": "bo"}, headers=officer
    ).json()
    assert tibetan["romanization"] == "Erduosi Shi" and tibetan["languages"] == ["bo"]
    # outside every language area (Hangzhou) there is no lexicon: plain pinyin
    han = client.get(
        f"{BASE}/romanize",
        params={"name": "鄂尔多斯市", "level": "city", "admin_code": "330100"},
        headers=officer,
    ).json()
    assert han["romanization"] == "E'erduosi Shi" and han["languages"] == []
    assert (
        client.get(f"{BASE}/lexicon", params={"language": "bo"}, headers=officer).json()["entries"][0]["form"]
        == "Erduosi"
    )
    bad = client.put(f"{BASE}/lexicon", json={**entry, "language": "Tibetan"}, headers=officer)
    assert bad.status_code == 422
    db.execute("DELETE FROM romanization_lexicon WHERE language = 'bo' AND hanzi = '鄂尔多斯'")
