"""A unit-limited deployment (READ_SCOPE=unit) as GIS clients see it: GDAL reading the OGC
API as a Dalad Banner account gets Dalad's markers, all of them and no other banner's,
with Debian's ogr2ogr (GDAL 3.6) and pyogrio's newer GDAL alike."""

from __future__ import annotations

import json
import sys
import uuid

import pytest

from tests.ogc.test_ogc_features import _gdal
from tests.service_process import in_thread

DALAD = "150621"
READ_WITH_PYOGRIO = """
import json, sys, pyogrio
df = pyogrio.read_dataframe(sys.argv[1], layer="boundary_marker", columns=["line_code"], read_geometry=False)
print(json.dumps(list(df["line_code"])))
"""


@pytest.fixture(scope="module")
def unit_server(settings, prepared_db):
    with in_thread(settings.model_copy(update={"read_scope": "unit"})) as base:
        yield base


@pytest.fixture(scope="module")
def dalad_gdal(client, auth, tmp_path_factory) -> dict:
    """GDAL's header file with the token of a Dalad administrator (every layer readable)."""
    name, password = f"dalad_gis_{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    body = {"username": name, "role": "admin", "password": password, "unit_code": DALAD}
    assert client.post("/api/v1/users", json=body, headers=auth("admin")).status_code == 201
    token = client.post("/api/v1/auth/token", data={"username": name, "password": password}).json()
    path = tmp_path_factory.mktemp("gdal") / "headers.txt"
    path.write_text(f"Authorization: Bearer {token['access_token']}\n")
    return {"GDAL_HTTP_HEADER_FILE": str(path), "CPL_DEBUG": "OFF"}


def _dalad_markers(db) -> int:
    return db.execute(
        "SELECT count(*) FROM boundary_marker WHERE units_within(line_code, %s)", (DALAD,)
    ).fetchone()[0]


def test_ogr2ogr_copies_the_units_markers(unit_server, dalad_gdal, db, tmp_path):
    out = tmp_path / "markers.geojson"
    _gdal(["ogr2ogr", "-f", "GeoJSON", str(out), f"OAPIF:{unit_server}/ogc", "boundary_marker"], dalad_gdal)
    lines = [f["properties"]["line_code"] for f in json.loads(out.read_text())["features"]]
    assert len(lines) == _dalad_markers(db) and all(DALAD in line.split("-") for line in lines)


def test_pyogrio_reads_the_units_markers(unit_server, dalad_gdal, db):
    lines = json.loads(
        _gdal([sys.executable, "-c", READ_WITH_PYOGRIO, f"OAPIF:{unit_server}/ogc"], dalad_gdal)
    )
    assert len(lines) == _dalad_markers(db) and all(DALAD in line.split("-") for line in lines)
