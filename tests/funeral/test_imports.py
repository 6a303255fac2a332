"""Imports are checked row by row and are all-or-nothing; GeoPackage works as well as CSV."""

from __future__ import annotations

import io

import geopandas as gpd
from shapely.geometry import Point

from tests.funeral.helpers import csv_file, unique, upload

HEADER = [
    "code",
    "经度",
    "纬度",
    "kind",
    "grave_count",
    "surveyed_on",
    "remediation_status",
    "remediation_method",
    "remediated_on",
]


def test_a_bad_row_rejects_the_whole_survey(client, auth, db):
    tag = unique("I")
    rows = [
        [f"{tag}-1", 109.8, 39.6, "scattered", 1, "2023-01-05", "", "", ""],
        [f"{tag}-2", 109.81, 39.6, "硬化大墓", 1, "2023-01-05", "remediated", "", ""],  # no method/date
        [f"{tag}-3", 120.0, 30.0, "scattered", 1, "2023-01-05", "", "", ""],  # outside Ordos
        [f"{tag}-1", 109.82, 39.6, "tomb", 0, "yesterday", "", "", ""],  # duplicate, bad kind/count/date
    ]
    r = upload(client, auth, "graves", csv_file(HEADER, rows))
    assert r.status_code == 422, r.text
    report = {row["row"]: " ".join(row["errors"]) for row in r.json()["rows"]}
    assert set(report) == {3, 4, 5}
    assert "remediation_method" in report[3]
    assert "outside" in report[4]
    assert (
        "duplicate" in report[5]
        and "kind" in report[5]
        and "grave_count" in report[5]
        and "date" in report[5]
    )
    assert db.execute("SELECT count(*) FROM grave WHERE code LIKE %s", (f"{tag}%",)).fetchone()[0] == 0
    # Fixed, the same file imports whole, with the banner found from the position.
    rows = [
        rows[0],
        [f"{tag}-2", 109.81, 39.6, "硬化大墓", 1, "2023-01-05", "remediated", "levelled", "2023-06-01"],
    ]
    r = upload(client, auth, "graves", csv_file(HEADER, rows))
    assert r.status_code == 201 and r.json()["imported"] == 2, r.text
    counties = db.execute(
        "SELECT DISTINCT county_code FROM grave WHERE code LIKE %s", (f"{tag}%",)
    ).fetchall()
    assert counties == [("150603",)]  # 康巴什区
    again = upload(client, auth, "graves", csv_file(HEADER, rows))
    assert again.status_code == 422 and "already registered" in again.text


def test_facilities_from_a_geopackage(client, auth, db, tmp_path):
    tag = unique("F")
    frame = gpd.GeoDataFrame(
        {
            "code": [f"{tag}-1", f"{tag}-2"],
            "名称": ["测试殡仪馆", "测试公墓"],
            "类型": ["殡仪馆", "public_cemetery"],
            "status": ["operating", "规划"],
            "capacity": [4, 20000],
        },
        geometry=[Point(109.99, 39.81), Point(110.0, 39.8)],
        crs=4490,
    )
    path = tmp_path / "facilities.gpkg"
    frame.to_file(path, driver="GPKG")
    r = upload(client, auth, "facilities", path.read_bytes(), "facilities.gpkg")
    assert r.status_code == 201 and r.json()["imported"] == 2, r.text
    stored = db.execute(
        "SELECT facility_type, status, county_code FROM funeral_facility WHERE code LIKE %s ORDER BY code",
        (f"{tag}%",),
    ).fetchall()
    assert stored == [("funeral_home", "operating", "150602"), ("public_cemetery", "planned", "150602")]


def test_bad_geometry_and_unknown_class_are_row_errors(client, auth, db):
    tag = unique("C")
    bowtie = "POLYGON((109.8 39.5, 109.9 39.6, 109.9 39.5, 109.8 39.6, 109.8 39.5))"
    r = upload(
        client,
        auth,
        "zones",
        csv_file(["code", "name", "type", "wkt"], [[f"{tag}-z", "x", "farmland", bowtie]]),
    )
    assert r.status_code == 422 and "invalid" in r.text
    r = upload(
        client,
        auth,
        "corridors",
        csv_file(
            ["code", "name", "class", "wkt"],
            [
                [f"{tag}-c", "x", "canal", "LINESTRING(109.8 39.5, 109.9 39.6)"],
                [f"{tag}-d", "y", "railway", "POINT(109.8 39.5)"],
            ],
        ),
    )
    assert r.status_code == 422
    errors = {row["row"]: " ".join(row["errors"]) for row in r.json()["rows"]}
    assert "canal" in errors[2] and "LineString" in errors[3]
    assert (
        db.execute("SELECT count(*) FROM restricted_corridor WHERE code LIKE %s", (f"{tag}%",)).fetchone()[0]
        == 0
    )


def test_only_admins_import(client, auth):
    data = csv_file(HEADER, [["X-1", 109.8, 39.6, "scattered", 1, "2023-01-05", "", "", ""]])
    for role in ("planner", "inspector", "viewer"):
        r = client.post(
            "/api/v1/funeral/import/graves", files={"file": ("g.csv", io.BytesIO(data))}, headers=auth(role)
        )
        assert r.status_code == 403, role


def test_graves_from_xlsx_with_gauss_krueger_coordinates(client, auth, db):
    from pyproj import Transformer

    from gis_service.file_intake.tables import write_xlsx

    tag = unique("X")
    # CGCS2000 3-degree zone 37 (EPSG:4525), X northing and Y easting with the zone prefix.
    easting, northing = Transformer.from_crs(4490, 4525, always_xy=True).transform(109.95, 39.75)
    data = write_xlsx(
        ["编号", "X坐标", "Y坐标", "坟墓类型", "数量", "调查日期"],
        [[f"{tag}-1", round(northing, 2), round(easting, 2), "活人墓", 1, "2024-07-01"]],
        title="调查表",
    )
    r = upload(client, auth, "graves", data, "survey.xlsx")
    assert r.status_code == 201, r.text
    lon, lat, kind = db.execute(
        "SELECT ST_X(geom), ST_Y(geom), kind FROM grave WHERE code = %s", (f"{tag}-1",)
    ).fetchone()
    assert abs(lon - 109.95) < 1e-6 and abs(lat - 39.75) < 1e-6 and kind == "living_person"
