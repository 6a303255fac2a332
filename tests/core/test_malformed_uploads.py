"""Every upload route answers malformed bodies and unparseable files with a 4xx naming
the problem, never a 500: broken multipart framing, a missing file part, a CSV with a bare
carriage return inside a field, an XLSX whose XML declares a DOCTYPE (entity expansion),
a Shapefile whose .prj is a local system. Routes come from the OpenAPI document."""

import io
import zipfile

import pytest

from tests.core.file_imports import import_requests, state


def _xlsx_with_doctype() -> bytes:
    buf = io.BytesIO()
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
    )
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", bomb)
    return buf.getvalue()


FILES = {
    "cr.csv": b'code,name\nA1,broken\rfield"x\nB2,ok\n',
    "doctype.xlsx": _xlsx_with_doctype(),
    "nul.csv": b"code,name\x00\nA1,x\n",
    "latin1.geojson": b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":"\xff"},"geometry":null}]}',
    "deep.geojson": b'{"type":"FeatureCollection","features":' + b"[" * 5000 + b"]" * 5000 + b"}",
    "badgeom.geojson": b'{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[1,2]]}}',
    "zip-of-junk.zip": b"PK\x03\x04" + b"\x00" * 40,
}
BOUNDARY = "gisfuzzboundary"
RAW_BODIES = {
    "no closing boundary": f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\ncode\r\n',
    "no file part": f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--{BOUNDARY}--\r\n',
    "garbage": "\x00\xff not multipart at all",
    "file without name": f"--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--{BOUNDARY}--\r\n",
}


def test_unparseable_files_are_4xx_everywhere(app, client, auth, db):
    before = state(db)
    for method, url, form, extra in import_requests(app):
        for name, content in FILES.items():
            r = client.request(
                method, url, files={"file": (name, content)}, data=form, headers=auth("admin") | extra
            )
            assert 400 <= r.status_code < 500, (url, name, r.status_code, r.text[:300])
            assert r.json()["message"] and r.json()["message_zh"], (url, name)
    assert state(db) == before


@pytest.mark.parametrize("label", sorted(RAW_BODIES))
def test_malformed_multipart_bodies_are_4xx_everywhere(app, client, auth, db, label):
    before = state(db)
    for method, url, _, extra in import_requests(app):
        r = client.request(
            method,
            url,
            content=RAW_BODIES[label].encode("latin-1"),
            headers=auth("admin") | extra | {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
        assert 400 <= r.status_code < 500, (url, label, r.status_code, r.text[:300])
    assert state(db) == before
