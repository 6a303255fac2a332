"""A joint inspection of a line between two banners has one party per side: each records
its own findings and signs its own part once, the round is completed when both have
signed, and the report shows both signatures. Accounts of other units take no part."""

import uuid
from datetime import UTC, date, datetime

import psycopg
import pytest

DONGSHENG, DALAD, EJIN_HORO = "150602", "150621", "150627"
LINE = f"{DONGSHENG}-{DALAD}"


@pytest.fixture(scope="module")
def round_id(client, banner_account):
    r = client.post(
        "/api/v1/joint-inspections",
        json={"line_code": LINE, "planned_on": str(date.today()), "sides": [DONGSHENG, DALAD]},
        headers=banner_account("inspector", DALAD),
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _post(client, round_id, what, body, headers):
    return client.post(f"/api/v1/joint-inspections/{round_id}/{what}", json=body, headers=headers)


def test_only_the_lines_units_plan_walk_and_record(client, banner_account, round_id):
    outsider = banner_account("inspector", EJIN_HORO)
    planned = client.post(
        "/api/v1/joint-inspections",
        json={"line_code": LINE, "planned_on": str(date.today())},
        headers=outsider,
    )
    assert planned.status_code == 403
    assert _post(client, round_id, "findings", {"finding": "x"}, outsider).status_code == 403
    now = datetime.now(UTC).isoformat()
    batch = {"id": str(uuid.uuid4()), "points": [{"lon": 109.9, "lat": 39.9, "at": now}] * 2}
    assert _post(client, round_id, "tracks", batch, outsider).status_code == 403
    # a banner's inspector records for the banner's side, never for the other
    dalad = banner_account("inspector", DALAD)
    other_side = _post(client, round_id, "findings", {"finding": "x", "side": DONGSHENG}, dalad)
    assert other_side.status_code == 403


def test_each_side_records_and_signs_its_part(client, db, banner_account, round_id, settings):
    dalad, dongsheng = banner_account("inspector", DALAD), banner_account("inspector", DONGSHENG)
    finding = {"id": str(uuid.uuid4()), "finding": "界桩基座松动 base loose", "condition": "tilted"}
    assert _post(client, round_id, "findings", finding, dalad).status_code == 201
    assert _post(client, round_id, "findings", finding, dalad).status_code == 200  # the outbox resends
    assert (
        _post(client, round_id, "findings", {"finding": "界线清晰 line clear"}, dongsheng).status_code == 201
    )
    sides = db.execute(
        "SELECT side, count(*) FROM inspection_finding WHERE round_id = %s GROUP BY side ORDER BY side",
        (round_id,),
    ).fetchall()
    assert sides == [(DONGSHENG, 1), (DALAD, 1)]
    mine = client.get(f"/api/v1/joint-inspections/{round_id}", headers=dalad).json()
    assert mine["your_sides"] == [DALAD]
    assert [p["side"] for p in mine["parties"]] == [DONGSHENG, DALAD]
    assert all(p["signature"] is None for p in mine["parties"])

    signature = {"signer_name": "达拉特旗民政局 王力", "statement": "同意 agreed"}
    assert _post(client, round_id, "signatures", signature, dalad).status_code == 201
    assert _post(client, round_id, "signatures", signature, dalad).status_code == 200  # the same, again
    closed = _post(client, round_id, "findings", {"finding": "late"}, dalad)
    assert closed.status_code == 409 and DALAD in closed.json()["message"]
    forged = _post(client, round_id, "signatures", {"signer_name": "x", "side": DALAD}, dongsheng)
    assert forged.status_code == 403
    blank = _post(client, round_id, "signatures", {"signer_name": "   "}, dongsheng)
    assert blank.status_code == 422
    early = _post(client, round_id, "complete", {"completed_on": str(date.today())}, dalad)
    assert early.status_code == 409 and DONGSHENG in early.json()["message"]

    assert (
        _post(client, round_id, "signatures", {"signer_name": "东胜区民政局 李明"}, dongsheng).status_code
        == 201
    )
    assert (
        _post(client, round_id, "complete", {"completed_on": str(date.today())}, dongsheng).status_code == 200
    )

    report = client.get(f"/api/v1/joint-inspections/{round_id}/report.html", headers=dalad).text
    for text in (
        "达拉特旗民政局 王力",
        "东胜区民政局 李明",
        "同意 agreed",
        "达拉特旗 (150621)",
        "东胜区 (150602)",
    ):
        assert text in report
    csv_text = client.get(f"/api/v1/joint-inspections/{round_id}/report.csv", headers=dalad).content.decode()
    assert "东胜区民政局 李明" in csv_text and "界桩基座松动" in csv_text

    # a signature stays as signed: the service's own database role cannot change or remove it
    with psycopg.connect(settings.database_url, autocommit=True) as service:
        for statement in (
            "UPDATE inspection_signature SET signer_name = 'x'",
            "DELETE FROM inspection_signature",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                service.execute(statement + " WHERE round_id = %s", (round_id,))
