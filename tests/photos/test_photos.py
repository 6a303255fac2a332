"""Photos with visits: checked by content, size-limited, re-encoded without EXIF, stored
by hash and served to signed-in users only."""

import io
import json
import uuid
import zlib
from datetime import UTC, datetime

import pytest
from PIL import Image

from gis_service.photos.store import path_for


def _jpeg_with_gps(size=(640, 480)) -> bytes:
    img = Image.new("RGB", size, (120, 160, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 48.0, 0.0), 3: "E", 4: (109.0, 59.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _png(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 20, 200)).save(out, format="PNG")
    return out.getvalue()


def _png_bomb() -> bytes:
    """A tiny PNG that claims 30000 x 30000 pixels."""
    import struct

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 100))
        + chunk(b"IEND", b"")
    )


def _visit():
    return {
        "id": str(uuid.uuid4()),
        "condition": "damaged",
        "observed_at": datetime(2026, 7, 1, 10, tzinfo=UTC).isoformat(),
    }


@pytest.fixture
def marker(db):
    return db.execute(
        "SELECT code FROM boundary_marker WHERE last_inspection_id IS NULL ORDER BY random() LIMIT 1"
    ).fetchone()[0]


def test_visit_with_photos_strips_exif_and_serves_to_signed_in_users(client, auth, marker, settings):
    files = [
        ("photos", ("IMG_0001.jpg", _jpeg_with_gps(), "image/jpeg")),
        ("photos", ("../../etc/passwd.jpg", _png(), "image/jpeg")),
    ]  # PNG declared as JPEG
    r = client.post(
        f"/api/v1/markers/{marker}/inspections",
        data={"visit": json.dumps(_visit()), "bearings": ["45", "270"]},
        files=files,
        headers=auth("inspector"),
    )
    assert r.status_code == 201, r.text
    photos = r.json()["photos"]
    assert [p["camera_bearing_deg"] for p in photos] == [45.0, 270.0]
    stored = path_for(settings.photo_dir, photos[0]["sha256"])
    with Image.open(stored) as img:
        assert img.format == "JPEG" and not img.getexif()
    assert not list(settings.photo_dir.rglob("passwd*"))
    got = client.get(photos[0]["url"], headers=auth("viewer"))
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert client.get(photos[0]["url"]).status_code == 401
    card = client.get(f"/api/v1/markers/{marker}", headers=auth("viewer")).json()
    assert {p["sha256"] for p in card["photos"]} == {p["sha256"] for p in photos}


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"this is not an image", "not a photo"),
        (b"", "empty"),
        (_png_bomb(), "too"),
        (b"GIF89a" + b"\0" * 100, "not a photo"),
    ],
)
def test_bad_photo_rejects_the_whole_visit(client, auth, marker, db, content, fragment):
    before = db.execute("SELECT count(*) FROM marker_inspection").fetchone()[0]
    r = client.post(
        f"/api/v1/markers/{marker}/inspections",
        data={"visit": json.dumps(_visit())},
        files=[("photos", ("a.jpg", content, "image/jpeg"))],
        headers=auth("inspector"),
    )
    assert r.status_code == 400 and fragment in r.json()["message"], r.text
    assert db.execute("SELECT count(*) FROM marker_inspection").fetchone()[0] == before


def test_oversized_photo_is_refused(client, auth, marker, settings, app):
    limit = settings.photo_max_bytes
    r = client.post(
        f"/api/v1/markers/{marker}/inspections",
        data={"visit": json.dumps(_visit())},
        files=[("photos", ("big.jpg", b"\xff" * (limit + 1), "image/jpeg"))],
        headers=auth("inspector"),
    )
    assert r.status_code == 400 and "larger than" in r.json()["message"]


def test_photo_added_later_once(client, auth, marker, db):
    v = _visit()
    assert (
        client.post(f"/api/v1/markers/{marker}/inspections", json=v, headers=auth("inspector")).status_code
        == 201
    )
    for _ in range(2):
        r = client.post(
            f"/api/v1/inspections/{v['id']}/photos",
            files={"photo": ("p.png", _png((50, 50)))},
            data={"camera_bearing_deg": "90"},
            headers=auth("inspector"),
        )
        assert r.status_code == 201
    n = db.execute("SELECT count(*) FROM inspection_photo WHERE inspection_id = %s", (v["id"],)).fetchone()[0]
    assert n == 1
    missing = client.post(
        f"/api/v1/inspections/{uuid.uuid4()}/photos",
        files={"photo": ("p.png", _png())},
        headers=auth("inspector"),
    )
    assert missing.status_code == 404
    assert (
        client.post(
            f"/api/v1/inspections/{v['id']}/photos",
            files={"photo": ("p.png", _png())},
            headers=auth("viewer"),
        ).status_code
        == 403
    )


def test_multipart_without_visit_field_is_400(client, auth, marker):
    r = client.post(
        f"/api/v1/markers/{marker}/inspections",
        data={"x": "1"},
        files=[("photos", ("a.png", _png(), "image/png"))],
        headers=auth("inspector"),
    )
    assert r.status_code == 400 and "visit" in r.json()["message"]
