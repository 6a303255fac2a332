"""When the photo store's disk is full (a small tmpfs mounted by the test), a visit with
photos is refused with a clear 507 and nothing of it is saved."""

import json
import os
import subprocess
import uuid

import pytest
from fastapi.testclient import TestClient

from gis_service.main import create_app
from tests.photos.test_photos import _jpeg_with_gps, _visit, marker  # noqa: F401  (shared fixture)


@pytest.fixture
def full_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mount = tmp_path / "photos"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], check=True)
    try:
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:  # ENOSPC: the disk is now full
            pass
        finally:
            os.close(fd)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_visit_is_refused_whole_when_the_photo_store_is_full(
    settings,
    prepared_db,
    auth,
    db,
    marker,  # noqa: F811
    full_disk,
):
    app = create_app(settings.model_copy(update={"photo_dir": full_disk}))
    visit = {**_visit(), "id": str(uuid.uuid4())}
    with TestClient(app) as c:
        r = c.post(
            f"/api/v1/markers/{marker}/inspections",
            data={"visit": json.dumps(visit)},
            files=[("photos", ("a.jpg", _jpeg_with_gps(), "image/jpeg"))],
            headers=auth("inspector"),
        )
    assert r.status_code == 507, r.text
    assert "full" in r.json()["message"]
    assert (
        db.execute("SELECT count(*) FROM marker_inspection WHERE id = %s", (visit["id"],)).fetchone()[0] == 0
    )
    assert sorted(p.name for p in full_disk.rglob("*") if p.is_file()) == ["filler"]  # no half-written photo
