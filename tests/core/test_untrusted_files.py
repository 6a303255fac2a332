"""A file is untrusted code: a ".geojson" that is a GDAL VRT, a zip holding one, a crs
name that is a PROJ init file, a GeoPackage whose EPSG row is redefined. A canary file and
a canary HTTP server stand where such a file points; every file import the OpenAPI
document lists is tried with every payload under every name, and neither the canary's
contents nor a request to the canary server ever comes out of it."""

import http.server
import io
import json
import sqlite3
import threading
import zipfile

import geopandas as gpd
import pytest
import shapely

from tests.core.file_imports import LINE, import_requests, state

SECRET = "canary-7c1e0b2f-do-not-leak"
POINT = {"type": "Point", "coordinates": [109.9, 39.8]}
NAMES = ["x.geojson", "x.json", "x.gpkg", "x.zip", "x.csv", "x.xlsx", "x.shp", "x.vrt", "x"]


@pytest.fixture(scope="module")
def canary_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("canary") / "secret.csv"
    path.write_text(f"field_1,field_2\n{SECRET},{SECRET}\n")
    return path


@pytest.fixture(scope="module")
def canary_server():
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = f"field_1\n{SECRET}\n".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def _vrt(source: str) -> bytes:
    return (
        '<OGRVRTDataSource><OGRVRTLayer name="x">'
        f"<SrcDataSource>{source}</SrcDataSource>"
        '<Field name="code" src="field_1"/><Field name="name" src="field_1"/>'
        "<GeometryType>wkbNone</GeometryType></OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


def _zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buf.getvalue()


def _payloads(canary_file, url: str) -> dict[str, bytes]:
    by_path = _vrt(f"CSV:{canary_file}")
    by_url = _vrt(f"/vsicurl/{url}/secret.csv")
    crs_init = json.dumps(
        {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": f"+init={canary_file}:x"}},
            "features": [{"type": "Feature", "properties": {"code": "A"}, "geometry": POINT}],
        }
    ).encode()
    return {
        "vrt by path": by_path,
        "vrt by url": by_url,
        "vrt with leading space": b"  \n" + by_url,
        "crs as an init file": crs_init,
        "zip of a vrt": _zipped({"x.vrt": by_path}),
        "zip of a vrt named geojson": _zipped({"x.geojson": by_url}),
        "zip of a vrt beside a shp": _zipped({"x.vrt": by_path, "x.shp": by_url, "x.prj": b"GEOGCS[]"}),
        "csv pointing at a path": f"code,name\nCSV:{canary_file},/vsicurl/{url}/x\n".encode(),
    }


def test_no_upload_reads_a_server_file_or_fetches_a_url(app, client, auth, db, canary_file, canary_server):
    url, hits = canary_server
    requests = import_requests(app)
    assert len(requests) >= 8, requests
    before = state(db)
    tried = 0
    for method, target, form, extra in requests:
        for label, content in _payloads(canary_file, url).items():
            for name in NAMES:
                r = client.request(
                    method, target, files={"file": (name, content)}, data=form, headers=auth("admin") | extra
                )
                tried += 1
                assert 400 <= r.status_code < 500, (target, label, name, r.status_code, r.text[:300])
                # (a row report may echo the path the file itself holds; never what lies there)
                assert SECRET not in r.text, (
                    target,
                    label,
                    name,
                    r.text[:300],
                )
    assert hits == [], f"the server fetched {hits}"
    assert state(db) == before
    assert tried >= 8 * 8 * len(NAMES)


def _gpkg_4490(tmp_path) -> bytes:
    frame = gpd.GeoDataFrame(
        {"note": ["survey"]}, geometry=[shapely.LineString([(109.8, 39.5), (109.9, 39.6)])], crs=4490
    )
    path = tmp_path / "line.gpkg"
    frame.to_file(path, driver="GPKG")
    return path.read_bytes()


def test_a_geopackage_whose_epsg_row_is_redefined_is_refused(client, auth, db, tmp_path):
    data = _gpkg_4490(tmp_path)
    path = tmp_path / "local.gpkg"
    path.write_bytes(data)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE gpkg_spatial_ref_sys SET definition = ? WHERE srs_id = 4490",
            ('LOCAL_CS["arbitrary",LOCAL_DATUM["x",0],UNIT["metre",1],AXIS["X",EAST],AXIS["Y",NORTH]]',),
        )
    before = state(db)
    r = client.put(
        f"/api/v1/boundary-lines/{LINE}/geometry/file",
        files={"file": ("line.gpkg", path.read_bytes())},
        data={"source": "surveyed", "note": "crs check"},
        headers=auth("admin") | {"If-Match": "*"},
    )
    assert r.status_code == 400 and "EPSG:4490" in r.json()["message"], r.text
    assert state(db) == before


def test_a_shapefile_with_a_local_coordinate_system_is_a_400(client, auth, db, tmp_path):
    frame = gpd.GeoDataFrame({"code": ["F1"]}, geometry=[shapely.Point(500000, 4400000)], crs=4524)
    frame.to_file(tmp_path / "f.shp")
    members = {f"f.{ext}": (tmp_path / f"f.{ext}").read_bytes() for ext in ("shp", "shx", "dbf")}
    members["f.prj"] = b'LOCAL_CS["site grid",UNIT["metre",1]]'
    r = client.post(
        "/api/v1/funeral/import/facilities",
        files={"file": ("f.zip", _zipped(members))},
        headers=auth("admin"),
    )
    assert r.status_code == 400 and "coordinate system" in r.json()["message"], r.text


def test_a_line_with_too_many_vertices_is_refused_with_its_count(client, auth, db, settings):
    limit = settings.max_vertices_per_feature
    coordinates = [[109.5 + i * 1e-6, 39.5 + (i % 2) * 1e-6] for i in range(limit + 1)]
    line = {"type": "LineString", "coordinates": coordinates}
    body = json.dumps({"type": "Feature", "properties": {}, "geometry": line}).encode()
    before = state(db)
    r = client.put(
        f"/api/v1/boundary-lines/{LINE}/geometry/file",
        files={"file": ("line.geojson", body)},
        data={"source": "surveyed", "note": "too long"},
        headers=auth("admin") | {"If-Match": "*"},
    )
    assert r.status_code == 400 and f"{limit + 1:,} vertices" in r.json()["message"], r.text
    assert state(db) == before
