"""Layer exports: GeoJSON, CSV, GeoPackage and zipped Shapefile, filtered like items."""

import csv
import io
import json
import subprocess
import zipfile

import pyogrio
import pytest

from gis_service.catalogue.declarations import load_declarations
from gis_service.core.settings import PROJECT_ROOT
from tests.catalogue.layer_ids import layers_for

CATALOGUE = load_declarations(PROJECT_ROOT / "layers")


def test_geojson_and_csv(client, auth, db):
    h = auth("viewer")
    total = db.execute("SELECT count(*) FROM county_boundary").fetchone()[0]
    fc = json.loads(client.get("/api/v1/layers/county_boundary/export.geojson", headers=h).content)
    assert len(fc["features"]) == total
    r = client.get("/api/v1/layers/county_boundary/export.csv", params={"parent_code": "150600"}, headers=h)
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 9 and rows[0]["wkt"].startswith("MULTIPOLYGON")
    towns = client.get("/api/v1/layers/township_unit/export.csv", headers=h).content.decode("utf-8-sig")
    assert towns.count("\n") == 89


def test_geopackage_and_shapefile(client, auth, db, tmp_path):
    h = auth("viewer")
    expected = db.execute("SELECT count(*) FROM boundary_marker").fetchone()[0]
    gpkg = tmp_path / "m.gpkg"
    gpkg.write_bytes(client.get("/api/v1/layers/boundary_marker/export.gpkg", headers=h).content)
    frame = pyogrio.read_dataframe(gpkg)
    assert len(frame) == expected and frame.crs.to_epsg() == 4490
    archive = tmp_path / "c.zip"
    archive.write_bytes(client.get("/api/v1/layers/county_boundary/export.shp", headers=h).content)
    names = set(zipfile.ZipFile(archive).namelist())
    assert {
        "county_boundary.shp",
        "county_boundary.shx",
        "county_boundary.dbf",
        "county_boundary.prj",
        "county_boundary.cpg",
    } <= names
    assert "CGCS2000" in zipfile.ZipFile(archive).read("county_boundary.prj").decode()
    shp = pyogrio.read_dataframe(f"/vsizip/{archive}/county_boundary.shp")
    assert len(shp) == 80 and "鄂托克旗" in set(shp["name"])


def test_bad_exports(client, auth):
    h = auth("viewer")
    assert client.get("/api/v1/layers/county_boundary/export.kml", headers=h).status_code == 422
    assert (
        client.get("/api/v1/layers/county_boundary/export.csv", params={"x": "1"}, headers=h).status_code
        == 400
    )
    assert client.get("/api/v1/layers/county_boundary/export.csv").status_code == 401


FORMATS = ("geojson", "csv", "gpkg", "shp")


def _read(path, fmt, layer, has_geometry):
    if fmt == "shp":  # a layer without geometry is a lone .dbf
        return pyogrio.read_info(f"/vsizip/{path}/{layer}.{'shp' if has_geometry else 'dbf'}")
    return pyogrio.read_info(path, layer=layer)


@pytest.mark.parametrize("layer", layers_for("admin"))
def test_every_layer_exports_in_every_format(client, auth, tmp_path, layer):
    """Never a 500: each layer in each format, its rows all there, its geometry the
    declared type (a GeoPackage of a layer without geometry is an attribute table)."""
    h = auth("admin")
    total = client.get(f"/api/v1/layers/{layer}/items", params={"limit": 1}, headers=h).json()
    expected = total.get("numberMatched")
    for fmt in FORMATS:
        r = client.get(f"/api/v1/layers/{layer}/export.{fmt}", headers=h)
        assert r.status_code == 200, (fmt, r.text[:300])
        path = tmp_path / f"{layer}.{'zip' if fmt == 'shp' else fmt}"
        path.write_bytes(r.content)
        if fmt in ("gpkg", "shp"):
            declared = CATALOGUE[layer].geometry_type
            info = _read(path, fmt, layer, declared != "none")
            if expected is not None:
                assert info["features"] == expected, fmt
            if declared == "none":
                assert info["geometry_type"] is None
            elif fmt == "gpkg" or not declared.startswith("Multi"):
                # a Shapefile has no single/multi distinction: GDAL reports its base type
                assert info["geometry_type"] == declared, (fmt, info["geometry_type"])


def test_exports_keep_dates_and_numbers(client, auth, tmp_path):
    """Dates stay dates and numbers numbers in GeoPackage and Shapefile (they were TEXT
    and String(80)); long Shapefile names are listed with their full names."""
    h = auth("planner")
    gpkg = tmp_path / "grave.gpkg"
    gpkg.write_bytes(client.get("/api/v1/layers/grave/export.gpkg", headers=h).content)
    info = pyogrio.read_info(gpkg, layer="grave")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["remediated_on"].startswith("datetime64") and types["grave_count"] == "int32"
    shp = tmp_path / "grave.zip"
    shp.write_bytes(client.get("/api/v1/layers/grave/export.shp", headers=h).content)
    info = pyogrio.read_info(f"/vsizip/{shp}/grave.shp")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["remediated"].startswith("datetime64") and types["grave_coun"] == "int32"
    names = zipfile.ZipFile(shp).read("grave.fields.csv").decode("utf-8-sig")
    assert "remediatio,remediation_status" in names and "remediat_1,remediation_method" in names


def test_gdal_3_6_reads_the_geopackage_without_a_warning(client, auth, tmp_path):
    """Debian's GDAL 3.6 warned that a GeoPackage 1.4 'may only partially' be supported."""
    gpkg = tmp_path / "markers.gpkg"
    gpkg.write_bytes(client.get("/api/v1/layers/boundary_marker/export.gpkg", headers=auth("viewer")).content)
    r = subprocess.run(["ogrinfo", "-so", str(gpkg), "boundary_marker"], capture_output=True, text=True)
    assert r.returncode == 0 and "Warning" not in r.stderr + r.stdout, r.stderr
    assert "Geometry: Point" in r.stdout
