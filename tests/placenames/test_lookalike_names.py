"""A name that only looks different is the same name. "相似丁嘎查" and the same name with an
invisible or blank character, or with a variant character, are one name to every
duplicate rule, and names with stray blanks or invisible characters are refused at every
door (create, edit, the naming procedure, the import)."""

import uuid

import pytest

from tests.placenames.test_transfer_and_locations import _table

BASE = "/api/v1/place-names"
TOWNSHIP = "150627104"
INVISIBLE_OR_BLANK = [
    "\u180b", "\u180c", "\u180d", "\u180e", "\u180f",  # Mongolian selectors, vowel separator
    "\u202f", "\u00a0", "\u3000",  # blanks
    "\ufe00", "\ufe0f", "\U000e0100",  # variation selectors
    "\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800",  # joiner, Hangul fillers, braille blank
    " ", "\t",
]  # fmt: skip


@pytest.fixture(scope="module")
def village(client, auth):
    name = "相似" + "".join("甲乙丙丁戊己庚辛壬癸"[int(c)] for c in str(uuid.uuid4().int)[:4]) + "嘎查"
    r = client.post(
        BASE,
        json={"name": name, "level": "village", "admin_code": TOWNSHIP, "reason": "new gacha"},
        headers=auth("placename_officer"),
    )
    assert r.status_code == 201, r.text
    return name


def _create(client, auth, name):
    return client.post(
        BASE,
        json={"name": name, "level": "village", "admin_code": TOWNSHIP, "reason": "look-alike"},
        headers=auth("placename_officer"),
    )


@pytest.mark.parametrize("extra", INVISIBLE_OR_BLANK, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("where", ["end", "inside"])
def test_a_name_with_an_invisible_or_blank_character_is_refused(client, auth, db, village, extra, where):
    name = village + extra if where == "end" else village[:2] + extra + village[2:]
    before = db.execute("SELECT count(*) FROM place_name").fetchone()[0]
    r = _create(client, auth, name)
    assert 400 <= r.status_code < 500 and r.status_code != 404, (repr(name), r.status_code, r.text)
    assert r.json()["message_zh"]
    assert db.execute("SELECT count(*) FROM place_name").fetchone()[0] == before


@pytest.mark.parametrize(("standard", "variant"), [("嘎", "嘠"), ("查", "査")])
def test_a_variant_character_is_a_duplicate(client, auth, db, village, standard, variant):
    r = _create(client, auth, village.replace(standard, variant))
    assert r.status_code == 409, r.text
    assert "duplicate" in {f["rule"] for f in r.json()["findings"] if f["severity"] == "error"}


def test_the_checker_calls_a_lookalike_a_duplicate(client, auth, village):
    r = client.post(
        f"{BASE}/check",
        json={"name": village.replace("嘎", "嘠"), "admin_code": TOWNSHIP, "level": "village"},
        headers=auth("placename_officer"),
    )
    assert r.status_code == 200
    assert "duplicate" in {f["rule"] for f in r.json()["findings"]}


def test_an_import_refuses_lookalikes_row_by_row(client, auth, db, village):
    before = db.execute("SELECT count(*) FROM place_name").fetchone()[0]

    def send(name):
        row = {"标准名称": name, "所在行政区划代码": TOWNSHIP, "地名状态": "pending"}
        return client.post(
            f"{BASE}/import", files={"file": ("n.csv", _table([row]))}, headers=auth("placename_officer")
        )

    blank = send(village[:2] + "\u3000" + village[2:])
    assert blank.status_code == 422 and "blank" in str(blank.json()["rows"]), blank.text
    variant = send(village.replace("查", "査"))
    assert variant.status_code == 422 and "reads the same" in str(variant.json()["rows"]), variant.text
    assert db.execute("SELECT count(*) FROM place_name").fetchone()[0] == before


def test_mongolian_selectors_are_kept_inside_mongolian_script(client, auth, village, current):
    pid = client.get(BASE, params={"q": village}, headers=auth("viewer")).json()["results"][0]["id"]
    url = f"{BASE}/{pid}"
    good = client.patch(
        url,
        json={"mongolian_script": "ᠰᠠᠶ\u180bᠢᠨ ᠭᠠᠴᠠ", "reason": "Mongolian form"},
        headers=current(url, auth("placename_officer")),
    )
    assert good.status_code == 200, good.text
    stray = client.patch(
        url,
        json={"mongolian_script": "abc\u180b", "reason": "stray selector"},
        headers=current(url, auth("placename_officer")),
    )
    assert stray.status_code == 422 and "Mongolian letters" in stray.json()["message"], stray.text
