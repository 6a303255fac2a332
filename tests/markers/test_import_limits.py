"""Every limit the database would enforce is checked row by row before an import inserts
anything: a 422 naming the row, never a 500 or a bare "database rejected a value"."""

import io

from openpyxl import Workbook

from tests.markers.test_import import LINE, _csv, spots  # noqa: F401  (shared fixture)


def test_every_bad_cell_is_named_by_its_row(client, auth, db, spots):  # noqa: F811
    pts, _, free = spots
    (lon, lat) = pts[1]
    gk_x, gk_y = 4400000, 512345  # a Gauss-Krueger position without its zone prefix
    rows = [
        f"{LINE}-{free[0]:03d}Q,单立,,{lon},{lat},,,,,2099-01-01,,,",  # buried in the future
        f"{LINE}-{free[1]:03d}Q,单立,,{lon},{lat},,,,inf,,,,",  # elevation not finite
        f"{LINE}-{free[2]:03d}Q,单立,,,,{gk_x},{gk_y},99,,,,,",  # no such zone
        f"{LINE}-{free[3]:03d}Q,单立,,,,{gk_x},{gk_y},²,,,,,",  # a digit that is not 0-9
        f"{LINE}-{free[4]:03d}Q,单立,,,,nan,{gk_y},,,,,,",  # X not a number
        f"{LINE}-{free[5]:03d}Q,单立,{'花岗岩' * 7},{lon},{lat},,,,,,,,",  # material over 20 characters
    ]
    before = db.execute("SELECT count(*) FROM boundary_marker").fetchone()[0]
    r = client.post(
        "/api/v1/markers/import", files={"file": ("a.csv", _csv(rows), "text/csv")}, headers=auth("admin")
    )
    assert r.status_code == 422, r.text
    by_row = {x["row"]: " ".join(x["errors"]) for x in r.json()["rows"]}
    assert "in the future" in by_row[2]
    assert "not a finite number" in by_row[3]
    assert "zone '99'" in by_row[4] and "zone '²'" in by_row[5]
    assert "not a finite number" in by_row[6]
    assert "material is 21 characters long; at most 20 fit" in by_row[7]
    assert db.execute("SELECT count(*) FROM boundary_marker").fetchone()[0] == before


def test_a_custodian_code_too_long_is_named(client, auth, spots):  # noqa: F811
    pts, _, free = spots
    header = "界桩编号,类型,经度,纬度,管护方"
    body = f"{header}\n{LINE}-{free[6]:03d}Q,单立,{pts[2][0]},{pts[2][1]},1506021506021\n".encode()
    r = client.post("/api/v1/markers/import", files={"file": ("a.csv", body)}, headers=auth("admin"))
    assert r.status_code == 422
    assert "custodian_code is 13 characters long; at most 12 fit" in r.json()["rows"][0]["errors"][0]


def test_a_formula_without_its_value_is_refused_with_its_place(client, auth, spots):  # noqa: F811
    pts, _, free = spots
    wb = Workbook()
    ws = wb.active
    ws.append(["界桩编号", "类型", "经度", "纬度", "高程"])
    ws.append([f"{LINE}-{free[7]:03d}Q", "单立", pts[3][0], pts[3][1], "=1200+34"])  # saved without a result
    out = io.BytesIO()
    wb.save(out)
    r = client.post(
        "/api/v1/markers/import", files={"file": ("a.xlsx", out.getvalue())}, headers=auth("admin")
    )
    assert r.status_code == 400
    assert "Row 2, column E" in r.json()["message"] and "公式" in r.json()["message_zh"]
