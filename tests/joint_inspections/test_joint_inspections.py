"""Joint inspections: due list by level interval, rounds, findings per marker, reports."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

LINE = "150000-610000"  # Inner Mongolia–Shaanxi, Ordos stretch


def _create(client, auth, **kw):
    body = {
        "line_code": LINE,
        "kind": "scheduled",
        "planned_on": str(date.today()),
        "sides": ["150000", "610000"],
        **kw,
    }
    r = client.post("/api/v1/joint-inspections", json=body, headers=auth("inspector"))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_completed_round_sets_the_next_due_date(client, auth, db):
    due = {
        x["code"]: x
        for x in client.get("/api/v1/joint-inspections/due", headers=auth("planner")).json()["lines"]
    }
    assert len(due) == db.execute("SELECT count(*) FROM boundary_line WHERE valid_to IS NULL").fetchone()[0]
    round_id = _create(client, auth)
    done_on = date.today() - timedelta(days=5 * 365 - 30)  # due again in about a month
    complete = {"completed_on": str(done_on), "report_notes": "all markers found"}
    early = client.post(
        f"/api/v1/joint-inspections/{round_id}/complete", json=complete, headers=auth("inspector")
    )
    assert early.status_code == 409 and "150000 and 610000" in early.json()["message"]
    for side in ("150000", "610000"):  # the demo inspector (of the served unit) acts for either side
        signed = client.post(
            f"/api/v1/joint-inspections/{round_id}/signatures",
            json={"side": side, "signer_name": f"代表 {side}"},
            headers=auth("inspector"),
        )
        assert signed.status_code == 201 and signed.json()["side"] == side, signed.text
    r = client.post(
        f"/api/v1/joint-inspections/{round_id}/complete",
        json=complete,
        headers=auth("inspector"),
    )
    assert r.status_code == 200
    due = {
        x["code"]: x
        for x in client.get("/api/v1/joint-inspections/due", headers=auth("planner")).json()["lines"]
    }
    line = due[LINE]
    assert line["last_completed"] == str(done_on) and line["interval_years"] == 5
    assert line["status"] == "due_soon" and line["due_on"] == str(done_on.replace(year=done_on.year + 5))
    assert (
        client.post(
            f"/api/v1/joint-inspections/{round_id}/complete",
            json={"completed_on": str(done_on)},
            headers=auth("inspector"),
        ).status_code
        == 409
    )


def test_findings_per_marker_and_reports(client, auth, db):
    round_id = _create(client, auth, kind="extra", reason="2026 汛后检查 after the summer floods")
    marker = db.execute(
        "SELECT code FROM boundary_marker WHERE line_code IN"
        " (SELECT code FROM boundary_line WHERE level = 'county' AND right_code LIKE '61%') LIMIT 1"
    ).fetchone()[0]
    # Findings attach to markers of the round's own line only.
    wrong = client.post(
        f"/api/v1/joint-inspections/{round_id}/findings",
        json={"marker_code": marker, "finding": "x"},
        headers=auth("inspector"),
    )
    assert wrong.status_code == 400 and "is on line" in wrong.json()["message"]
    r = client.post(
        f"/api/v1/joint-inspections/{round_id}/findings",
        json={"finding": "河道改道，界线需复核 river moved", "action_required": True},
        headers=auth("inspector"),
    )
    assert r.status_code == 201
    report = client.get(f"/api/v1/joint-inspections/{round_id}", headers=auth("viewer")).json()
    assert report["line"]["name"] == "内蒙古自治区—陕西省" and len(report["findings"]) == 1
    csv_text = client.get(
        f"/api/v1/joint-inspections/{round_id}/report.csv", headers=auth("viewer")
    ).content.decode()
    assert "河道改道" in csv_text and "内蒙古自治区—陕西省" in csv_text
    xlsx = client.get(f"/api/v1/joint-inspections/{round_id}/report.xlsx", headers=auth("viewer"))
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert any("河道改道" in str(c.value) for row in ws.iter_rows() for c in row)
    html = client.get(f"/api/v1/joint-inspections/{round_id}/report.html", headers=auth("viewer")).text
    assert "联合检查报告" in html and "river moved" in html
    assert (
        client.get(f"/api/v1/joint-inspections/{round_id}/report.pdf", headers=auth("viewer")).status_code
        == 422
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"line_code": LINE, "kind": "extra", "planned_on": "2026-09-01"}, 422),  # extra without reason
        ({"line_code": "150602-999999", "planned_on": "2026-09-01"}, 404),
        ({"line_code": LINE, "planned_on": "soon"}, 422),
    ],
)
def test_bad_rounds(client, auth, body, status):
    assert (
        client.post("/api/v1/joint-inspections", json=body, headers=auth("inspector")).status_code == status
    )


def test_roles(client, auth):
    body = {"line_code": LINE, "planned_on": "2026-09-01"}
    assert client.post("/api/v1/joint-inspections", json=body, headers=auth("planner")).status_code == 403
    assert client.get("/api/v1/joint-inspections/due").status_code == 401
