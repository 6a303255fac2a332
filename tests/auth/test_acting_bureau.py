"""Reports and exports name who made them and the bureau they act for, as the audit log
does: a Dalad Banner account's files say 达拉特旗民政局, the city's 鄂尔多斯市民政局."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import orjson
import pyogrio
import pytest
from openpyxl import load_workbook

DALAD = "150621"
BUREAU = "达拉特旗民政局"
BUREAU_EN = "Dalad Civil Affairs Bureau"


@pytest.fixture(scope="module")
def dalad(banner_account):
    return lambda role: banner_account(role, DALAD)


def test_the_planners_report_and_map_name_the_bureau(client, auth, dalad):
    report = client.get("/api/v1/funeral/report.html?lang=zh", headers=dalad("planner")).text
    assert "编制：" in report and f"（{BUREAU}）" in report
    english = client.get("/api/v1/funeral/report.html?lang=en", headers=dalad("planner")).text
    assert f"({BUREAU_EN})" in english
    city = client.get("/api/v1/funeral/report.html?lang=zh", headers=auth("planner")).text
    assert "（鄂尔多斯市民政局）" in city
    page = client.get("/api/v1/funeral/planner-map.html?lang=zh", headers=dalad("planner")).text
    assert f"（{BUREAU}）" in page


def test_the_place_name_workbook_names_the_bureau_on_its_own_sheet(client, dalad):
    r = client.get(
        f"/api/v1/place-names/export?format=xlsx&admin_code={DALAD}", headers=dalad("placename_officer")
    )
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames[1] == "说明 About"
    about = {row[0]: row[1] for row in book["说明 About"].iter_rows(values_only=True)}
    assert BUREAU in about["导出人 Exported by"] and BUREAU_EN in about["导出人 Exported by"]
    # the CSV is the table alone, as an import reads it back
    csv = client.get("/api/v1/place-names/export?format=csv", headers=dalad("placename_officer")).text
    assert BUREAU not in csv


def test_a_joint_inspection_report_names_who_exported_it(client, auth, dalad):
    body = {"line_code": "150602-150621", "planned_on": str(date.today())}
    round_id = client.post("/api/v1/joint-inspections", json=body, headers=auth("inspector")).json()["id"]
    for fmt in ("csv", "html"):
        r = client.get(f"/api/v1/joint-inspections/{round_id}/report.{fmt}", headers=dalad("inspector"))
        assert r.status_code == 200 and "Exported by" in r.text and BUREAU in r.text, fmt


def test_layer_exports_name_the_bureau(client, dalad, tmp_path):
    h = dalad("planner")
    geojson = orjson.loads(client.get("/api/v1/layers/funeral_facility/export.geojson", headers=h).content)
    assert geojson["exported_by"]["bureau"] == BUREAU and geojson["exported_by"]["unit_code"] == DALAD
    gpkg = tmp_path / "f.gpkg"
    gpkg.write_bytes(client.get("/api/v1/layers/funeral_facility/export.gpkg", headers=h).content)
    meta = pyogrio.read_info(gpkg, layer="funeral_facility")["layer_metadata"]
    assert BUREAU in meta["BUREAU"] and meta["UNIT_CODE"] == DALAD
    shp = client.get("/api/v1/layers/funeral_facility/export.shp", headers=h).content
    about = zipfile.ZipFile(io.BytesIO(shp)).read("funeral_facility.about.txt").decode()
    assert BUREAU in about
