"""Layer exports: GeoJSON, CSV, GeoPackage and zipped Shapefile, filtered like items."""

import csv
import io
import json
import zipfile

import pyogrio


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
    assert client.get("/api/v1/layers/township_unit/export.gpkg", headers=h).status_code == 400
    assert client.get("/api/v1/layers/county_boundary/export.kml", headers=h).status_code == 422
    assert (
        client.get("/api/v1/layers/county_boundary/export.csv", params={"x": "1"}, headers=h).status_code
        == 400
    )
    assert client.get("/api/v1/layers/county_boundary/export.csv").status_code == 401
