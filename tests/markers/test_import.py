"""Importing a marker results table (界桩成果表): coordinate detection, row-by-row
validation, all-or-nothing."""

import io
import random

import pytest
from openpyxl import Workbook

from gis_service.geodesy.gauss_kruger import lonlat_to_gk

LINE = "150602-150603"
HEADER = "界桩编号,类型,材质,经度,纬度,X,Y,带号,高程,埋设日期,方位物1,方位物1方位角,方位物1距离"


@pytest.fixture
def spots(db):
    """Points on the line (fractions along it), its tri-junction, and free numbers."""
    pts = [
        db.execute(
            f"SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_LineInterpolatePoint(ST_GeometryN(geom, 1), {f}) p"
            " FROM boundary_line WHERE code = %s AND valid_to IS NULL) s",
            (LINE,),
        ).fetchone()
        for f in (0.2, 0.4, 0.6, 0.8)
    ]
    junction = db.execute(
        "SELECT ST_X(ST_GeometryN(tri_junctions, 1)), ST_Y(ST_GeometryN(tri_junctions, 1))"
        " FROM boundary_line WHERE code = %s AND valid_to IS NULL",
        (LINE,),
    ).fetchone()
    used = {
        r[0] for r in db.execute("SELECT seq FROM boundary_marker WHERE line_code = %s", (LINE,)).fetchall()
    }
    free = random.sample([s for s in range(500, 1000) if s not in used], 8)
    return pts, junction, free


def _csv(rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _good_rows(pts, free):
    (lon1, lat1), (lon2, lat2), (lon3, lat3), _ = pts
    gk2 = lonlat_to_gk(lon2, lat2)
    gk3 = lonlat_to_gk(lon3, lat3)
    return [
        f"{LINE}-{free[0]:03d}Q,单立,花岗岩,{lon1},{lat1},,,,1420.5,2008-06-01,电线杆,35.5,120",
        f"{LINE}-{free[1]:03d}Q,single,concrete,,,{gk2['x']:.3f},{gk2['y']:.3f},,,,,,",  # zone prefix in Y
        f"{LINE}-{free[2]:03d}Q,单立,,,,{gk3['x']:.3f},{gk3['y'] - gk3['zone'] * 1e6:.3f},,,,,,",  # no prefix
    ]


def test_bad_rows_are_reported_row_by_row_and_nothing_is_imported(client, auth, db, spots):
    pts, junction, free = spots
    lon4, lat4 = pts[3]
    rows = _good_rows(pts, free) + [
        f"{LINE}-{free[0]:03d}Q,单立,,{pts[0][0]},{pts[0][1]},,,,,,,,",  # duplicate in file
        f"{LINE}-{free[3]:03d}Q,单立,,{lon4 + 0.05},{lat4},,,,,,,,",  # ~4 km off the line
        f"{LINE}-{free[4]:03d}C,同号三立,,{lon4},{lat4},,,,,,,,",  # triple away from a junction
        f"{LINE}-{free[5]:03d}Q,同号三立,,{lon4},{lat4},,,,,,,,",  # type contradicts the letter
        f"150602-159999-{free[6]:03d}Q,单立,,{lon4},{lat4},,,,,,,,",  # no such line
        "XYZ,单立,,109.8,39.6,,,,,,,,",  # bad code
        f"{LINE}-{free[7]:03d}Q,单立,,,,,,,,,,,",  # no coordinates
    ]
    before = db.execute("SELECT count(*) FROM boundary_marker").fetchone()[0]
    r = client.post(
        "/api/v1/markers/import",
        files={"file": ("成果表.csv", _csv(rows), "text/csv")},
        headers=auth("admin"),
    )
    assert r.status_code == 422, r.text
    body = r.json()
    by_row = {x["row"]: " ".join(x["errors"]) for x in body["rows"]}
    assert set(by_row) == {5, 6, 7, 8, 9, 10, 11}  # file rows (the header is row 1)
    assert "duplicate" in by_row[5] and "from its line" in by_row[6] and "tri-junction" in by_row[7]
    assert "does not match" in by_row[8] and "does not exist" in by_row[9] and "code must" in by_row[10]
    assert "no coordinates" in by_row[11]
    assert body["message_zh"] and db.execute("SELECT count(*) FROM boundary_marker").fetchone()[0] == before


def test_lonlat_and_gauss_kruger_rows_import(client, auth, db, spots):
    pts, junction, free = spots
    rows = _good_rows(pts, free) + [f"{LINE}-{free[3]:03d}C,同号三立,,{junction[0]},{junction[1]},,,,,,,,"]
    r = client.post(
        "/api/v1/markers/import", files={"file": ("a.csv", _csv(rows), "text/csv")}, headers=auth("admin")
    )
    assert r.status_code == 201, r.text
    assert r.json() == {"imported": 4}
    got = db.execute(
        "SELECT code, source, ST_X(geom), ST_Y(geom), gk_zone, reference_objects FROM boundary_marker"
        " WHERE code = ANY(%s) ORDER BY code",
        ([f"{LINE}-{free[i]:03d}{s}" for i, s in ((0, "Q"), (1, "Q"), (2, "Q"), (3, "C"))],),
    ).fetchall()
    assert len(got) == 4 and all(g[1] == "survey" for g in got)
    by_code = {g[0]: g for g in got}
    no_prefix = by_code[f"{LINE}-{free[2]:03d}Q"]
    assert abs(no_prefix[2] - pts[2][0]) < 1e-6 and abs(no_prefix[3] - pts[2][1]) < 1e-6  # zone inferred
    with_ref = by_code[f"{LINE}-{free[0]:03d}Q"]
    assert with_ref[5] == [{"name": "电线杆", "bearing_deg": 35.5, "distance_m": 120.0}]
    again = client.post(
        "/api/v1/markers/import", files={"file": ("a.csv", _csv(rows), "text/csv")}, headers=auth("admin")
    )
    assert again.status_code == 422 and "already registered" in again.json()["rows"][0]["errors"][0]


def test_xlsx_and_gbk_csv(client, auth, spots):
    pts, _, free = spots
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append([f"{LINE}-{free[4]:03d}Q", "单立", "花岗岩", pts[0][0], pts[0][1]])
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post(
        "/api/v1/markers/import", files={"file": ("表.xlsx", buf.getvalue())}, headers=auth("admin")
    )
    assert r.status_code == 201, r.text
    gbk = _csv([f"{LINE}-{free[5]:03d}Q,单立,花岗岩,{pts[1][0]},{pts[1][1]},,,,,,,,"]).decode().encode("gbk")
    r = client.post("/api/v1/markers/import", files={"file": ("表.csv", gbk)}, headers=auth("admin"))
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"", 400),
        (b"\x00\x01\x02binary", 400),
        (b"PK\x03\x04not really a zip", 400),
        (b"only,a,header\n", 400),
    ],
)
def test_unreadable_files_are_400(client, auth, content, status):
    r = client.post("/api/v1/markers/import", files={"file": ("x.csv", content)}, headers=auth("admin"))
    assert r.status_code == status and r.json()["message"]


def test_only_admins_import(client, auth):
    r = client.post(
        "/api/v1/markers/import", files={"file": ("x.csv", b"a,b\n1,2\n")}, headers=auth("inspector")
    )
    assert r.status_code == 403
