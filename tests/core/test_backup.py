"""Backups: archive the database and photos, restore into an empty database, and compare
row counts and content hashes with the original."""

import os
import subprocess
import sys
import tarfile

import pytest

from gis_service.ops.backup import table_fingerprints


@pytest.fixture
def empty_db(empty_database):
    return empty_database


def _cli(args, url, photo_dir):
    env = {**os.environ, "DATABASE_URL": url, "PHOTO_DIR": str(photo_dir)}
    return subprocess.run(
        [sys.executable, "-m", "gis_service", *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_backup_and_restore_round_trip(prepared_db, empty_db, tmp_path):
    photos = tmp_path / "photos"
    (photos / "ab").mkdir(parents=True)
    (photos / "ab" / "ab12.jpg").write_bytes(b"\xff\xd8 not really a jpeg but bytes to keep")
    r = _cli(["backup", "--out", str(tmp_path / "out")], prepared_db, photos)
    assert r.returncode == 0, r.stderr
    archive = next((tmp_path / "out").glob("ordos-gis-backup-*.tar"))
    with tarfile.open(archive) as tar:
        assert set(tar.getnames()) == {"manifest.json", "database.dump", "photos.tar"}
    original = table_fingerprints(prepared_db)
    restored_photos = tmp_path / "restored-photos"
    r = _cli(["restore", str(archive)], empty_db, restored_photos)
    assert r.returncode == 0, r.stderr
    assert "restored and verified" in r.stdout
    assert table_fingerprints(empty_db) == original
    assert (restored_photos / "ab" / "ab12.jpg").read_bytes().startswith(b"\xff\xd8")
    # A second restore into the now-full database is refused, changing nothing.
    again = _cli(["restore", str(archive)], empty_db, restored_photos)
    assert again.returncode == 1 and "not empty" in again.stderr and "Traceback" not in again.stderr


def test_damaged_archive_is_refused(prepared_db, empty_db, tmp_path):
    r = _cli(["backup", "--out", str(tmp_path)], prepared_db, tmp_path / "none")
    archive = next(tmp_path.glob("ordos-gis-backup-*.tar"))
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "x", filter="data")
    dump = tmp_path / "x" / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-100] + b"\0" * 100)
    broken = tmp_path / "broken.tar"
    with tarfile.open(broken, "w") as tar:
        for name in ("manifest.json", "database.dump", "photos.tar"):
            tar.add(tmp_path / "x" / name, arcname=name)
    r = _cli(["restore", str(broken)], empty_db, tmp_path / "p")
    assert r.returncode == 1 and "checksum" in r.stderr
