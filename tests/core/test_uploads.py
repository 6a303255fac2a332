"""Hostile uploads: unsafe paths inside archives, decompression bombs in workbooks, files
whose content is not what their name says, and path-traversal file names on photos. Each
is refused or made harmless, at every file import the OpenAPI document lists."""

import io
import json
import zipfile
from pathlib import Path

from tests.core.file_imports import import_requests, state
from tests.photos.test_photos import _png, _visit, marker  # noqa: F401  (shared fixture)


def _xlsx_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b" " * (1024 * 1024)
            for _ in range(120):  # 120 MB of blanks, a few hundred kB packed
                sheet.write(chunk)
    return buf.getvalue()


def _unsafe_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../evil.shp", b"x" * 100)
        z.writestr("line.prj", b"GEOGCS[]")
    return buf.getvalue()


def test_a_zip_with_an_unsafe_path_is_refused(client, auth, db):
    buf = io.BytesIO(_unsafe_zip())
    before = db.execute("SELECT count(*) FROM boundary_line").fetchone()[0]
    code = db.execute(
        "SELECT code FROM boundary_line WHERE valid_to IS NULL ORDER BY code LIMIT 1"
    ).fetchone()[0]
    r = client.put(
        f"/api/v1/boundary-lines/{code}/geometry/file",
        files={"file": ("line.zip", buf.getvalue())},
        data={"source": "surveyed", "note": "test"},
        headers=auth("admin") | {"If-Match": "*"},
    )
    assert r.status_code == 400 and "unsafe path" in r.json()["message"], r.text
    assert db.execute("SELECT count(*) FROM boundary_line").fetchone()[0] == before


def test_an_xlsx_decompression_bomb_is_refused(client, auth):
    buf = io.BytesIO(_xlsx_bomb())
    assert len(buf.getvalue()) < 2 * 1024 * 1024
    for url, role in (
        ("/api/v1/markers/import", "admin"),
        ("/api/v1/place-names/import", "placename_officer"),
    ):
        r = client.post(url, files={"file": ("bomb.xlsx", buf.getvalue())}, headers=auth(role))
        assert r.status_code == 400 and "too much data" in r.json()["message"], r.text


def test_a_photo_name_cannot_choose_where_it_is_stored(client, auth, marker, settings, db):  # noqa: F811
    r = client.post(
        f"/api/v1/markers/{marker}/inspections",
        data={"visit": json.dumps(_visit())},
        files=[("photos", ("../../../../tmp/escaped.png", _png(), "image/png"))],
        headers=auth("inspector"),
    )
    assert r.status_code == 201, r.text
    sha = r.json()["photos"][0]["sha256"]
    stored = [p for p in Path(settings.photo_dir).rglob("*") if p.is_file() and sha in p.name]
    assert stored and all(Path(settings.photo_dir) in p.parents for p in stored)
    assert not Path("/tmp/escaped.png").exists()


def test_every_file_import_refuses_hostile_files(app, client, auth, db):
    hostile = {
        "bomb.xlsx": _xlsx_bomb(),
        "evil.zip": _unsafe_zip(),
        "photo.xlsx": _png(),  # not a workbook
        "photo.csv": _png(),  # not text
        "photo.gpkg": _png(),  # not a GeoPackage
        "broken.geojson": b'{"type": "FeatureCollection", "features": [',
        "empty.csv": b"",
    }
    requests = import_requests(app)
    assert len(requests) >= 8, requests
    before = state(db)
    for method, url, form, extra in requests:
        for name, content in hostile.items():
            r = client.request(
                method, url, files={"file": (name, content)}, data=form, headers=auth("admin") | extra
            )
            assert 400 <= r.status_code < 500 and r.json().get("message"), (
                url,
                name,
                r.status_code,
                r.text[:300],
            )
    assert state(db) == before
