"""A name that breaks a prohibition is refused where names are saved (create, edit, the
naming procedure, the table import) unless an officer waives it with a reason, and the
waiver is kept in the version, the audit log and the register's findings."""

import asyncio
import csv
import io

import httpx

from tests.names import unique_specific

BASE = "/api/v1/place-names"
TOWNSHIP = "150627104"  # 苏布尔嘎镇, Ejin Horo Banner: 光胜村 and 光生村 are both its villages


def _place(db, name: str) -> tuple[int, int]:
    return db.execute(
        "SELECT id, version FROM place_name WHERE name = %s AND admin_code = %s", (name, TOWNSHIP)
    ).fetchone()


def test_renaming_to_a_duplicate_is_refused_until_waived(client, auth, db, current):
    officer = auth("placename_officer")
    pid, version = _place(db, "光生村")
    read = client.get(f"{BASE}/{pid}", headers=officer)
    refused = client.patch(
        f"{BASE}/{pid}",
        json={"name": "光胜村", "reason": "typo in the register"},
        headers={**officer, "If-Match": read.headers["etag"]},
    )
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "name_refused" and "waiver_reason" in body["message"]
    assert "豁免理由" in body["message_zh"]
    assert {"rule": "duplicate", "severity": "error"}.items() <= body["findings"][0].items()
    assert _place(db, "光生村") == (pid, version), "a refused rename changes nothing"

    # the record's own check no longer hides the duplicate: it is not its own duplicate,
    # but the other village is
    checked = client.post(
        f"{BASE}/check",
        json={"name": "光胜村", "admin_code": TOWNSHIP, "level": "village", "place_name_id": pid},
        headers=officer,
    ).json()
    assert "duplicate" in {f["rule"] for f in checked["findings"]}
    own = client.post(
        f"{BASE}/check",
        json={"name": "光生村", "admin_code": TOWNSHIP, "level": "village", "place_name_id": pid},
        headers=officer,
    ).json()
    assert "duplicate" not in {f["rule"] for f in own["findings"]}

    waived = client.patch(
        f"{BASE}/{pid}",
        json={
            "name": "光胜村",
            "reason": "typo in the register",
            "waiver_reason": "两村合并前的历史名称，民政局批复",
        },
        headers={**officer, "If-Match": read.headers["etag"]},
    )
    assert waived.status_code == 200, waived.text
    try:
        latest = client.get(f"{BASE}/{pid}/history", headers=officer).json()["versions"][0]
        assert latest["diff"]["waived"] == {
            "rules": ["duplicate"],
            "reason": "两村合并前的历史名称，民政局批复",
        }
        audit_after = db.execute(
            "SELECT after FROM audit_log WHERE entity = 'place_name' AND entity_id = %s ORDER BY id DESC LIMIT 1",
            (str(pid),),
        ).fetchone()[0]
        assert audit_after["waived"]["rules"] == ["duplicate"] and audit_after["name"] == "光胜村"
        finding = db.execute(
            "SELECT status, waiver_reason, closed_by FROM place_name_finding"
            " WHERE place_name_id = %s AND rule = 'duplicate' ORDER BY id DESC LIMIT 1",
            (pid,),
        ).fetchone()
        assert finding[0] == "waived" and "民政局" in finding[1]
        # the register-wide audit keeps the waived duplicate waived on this record
        client.post(f"{BASE}/audit", headers=officer)
        statuses = {
            s
            for (s,) in db.execute(
                "SELECT status FROM place_name_finding WHERE place_name_id = %s AND rule = 'duplicate'",
                (pid,),
            )
        }
        assert statuses == {"waived"}
    finally:
        back = client.patch(
            f"{BASE}/{pid}",
            json={"name": "光生村", "reason": "restore"},
            headers=current(f"{BASE}/{pid}", officer),
        )
        assert back.status_code == 200, back.text


def test_new_names_with_errors_are_refused_and_commemorative_sites_are_not(client, auth, db):
    officer = auth("placename_officer")
    before = db.execute("SELECT count(*) FROM place_name").fetchone()[0]
    for name, rule in (("光胜村", "duplicate"), ("孙悟空村", "person_name"), ("维多利亚花园村", "foreign")):
        r = client.post(
            BASE,
            json={"name": name, "level": "village", "admin_code": TOWNSHIP, "reason": "new village"},
            headers=officer,
        )
        assert r.status_code == 409, (name, r.text)
        assert rule in {f["rule"] for f in r.json()["findings"] if f["severity"] == "error"}
    assert db.execute("SELECT count(*) FROM place_name").fetchone()[0] == before
    tag = unique_specific(6)
    site = client.post(
        BASE,
        json={"name": f"成吉思汗陵{tag}", "level": "other", "admin_code": "150627", "reason": "scenic area"},
        headers=officer,
    )
    assert site.status_code == 201, site.text
    empty_waiver = client.post(
        BASE,
        json={
            "name": "光胜村",
            "level": "village",
            "admin_code": TOWNSHIP,
            "reason": "x",
            "waiver_reason": "  ",
        },
        headers=officer,
    )
    assert empty_waiver.status_code in (409, 422)


def test_parallel_saves_of_one_new_name_let_exactly_one_through(live_server, tokens, db):
    name = f"{unique_specific(6)}村"

    async def run() -> list[int]:
        headers = {"Authorization": f"Bearer {tokens['placename_officer']}"}
        async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as client:

            async def save(_: int) -> int:
                body = {"name": name, "level": "village", "admin_code": TOWNSHIP, "reason": "parallel"}
                return (await client.post(BASE, json=body)).status_code

            return await asyncio.gather(*(save(n) for n in range(8)))

    statuses = sorted(asyncio.run(run()))
    assert statuses == [201] + [409] * 7
    assert db.execute("SELECT count(*) FROM place_name WHERE name = %s", (name,)).fetchone()[0] == 1


def test_an_imported_table_with_a_duplicate_imports_nothing(client, auth, db):
    tag = unique_specific(6)
    rows = [
        {"标准名称": f"{tag}村", "所在行政区划代码": TOWNSHIP, "地名状态": "pending"},
        {"标准名称": "光胜村", "所在行政区划代码": TOWNSHIP, "地名状态": "pending"},
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    r = client.post(
        f"{BASE}/import",
        files={"file": ("names.csv", out.getvalue().encode())},
        headers=auth("placename_officer"),
    )
    assert r.status_code == 422, r.text
    assert r.json()["rows"][0]["row"] == 3 and "光胜村" in r.json()["rows"][0]["errors"][0]
    assert db.execute("SELECT count(*) FROM place_name WHERE name = %s", (f"{tag}村",)).fetchone()[0] == 0
