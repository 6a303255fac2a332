"""Backups: archive the database and photos, restore into an empty database, and compare
row counts and content hashes with the original."""

import json
import os
import subprocess
import sys
import tarfile
import threading

import psycopg
import pytest

from gis_service.ops.backup import table_fingerprints


@pytest.fixture
def empty_db(empty_database):
    return empty_database


def _cli(args, url, photo_dir):
    env = {**os.environ, "DATABASE_URL": url, "DATABASE_OWNER_URL": url, "PHOTO_DIR": str(photo_dir)}
    return subprocess.run(
        [sys.executable, "-m", "gis_service", *args], capture_output=True, text=True, timeout=300, env=env
    )


def _keep_writing(url: str, stop: threading.Event) -> None:
    """Stand-in for a running service: commits a small write every few milliseconds."""
    with psycopg.connect(url, autocommit=True) as con:
        while not stop.is_set():
            con.execute("INSERT INTO data_change (table_name) VALUES ('backup_test')")
            stop.wait(0.005)


def test_backup_and_restore_round_trip(prepared_db, empty_db, tmp_path):
    photos = tmp_path / "photos"
    (photos / "ab").mkdir(parents=True)
    (photos / "ab" / "ab12.jpg").write_bytes(b"\xff\xd8 not really a jpeg but bytes to keep")
    # The backup runs while another session keeps committing: the manifest must still
    # describe exactly what is in the dump.
    stop = threading.Event()
    writer = threading.Thread(target=_keep_writing, args=(prepared_db, stop))
    writer.start()
    try:
        r = _cli(["backup", "--out", str(tmp_path / "out")], prepared_db, photos)
    finally:
        stop.set()
        writer.join()
    assert r.returncode == 0, r.stderr
    archive = next((tmp_path / "out").glob("ordos-gis-backup-*.tar"))
    with tarfile.open(archive) as tar:
        assert set(tar.getnames()) == {"manifest.json", "database.dump", "photos.tar"}
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["tables"]["boundary_marker"]["rows"] > 0
    restored_photos = tmp_path / "restored-photos"
    r = _cli(["restore", str(archive)], empty_db, restored_photos)
    assert r.returncode == 0, r.stderr
    assert "restored and verified" in r.stdout
    assert table_fingerprints(empty_db) == manifest["tables"]
    assert (restored_photos / "ab" / "ab12.jpg").read_bytes().startswith(b"\xff\xd8")
    # the drill's last step: the restored audit chain verifies against the key and the
    # checkpoints, which the running service has moved past the backup meanwhile
    with psycopg.connect(prepared_db, autocommit=True) as con:
        con.execute(
            "INSERT INTO audit_log (actor, action, entity, entity_id) VALUES ('drill', 'note', 'drill', 'after-backup')"
        )
    assert _cli(["audit", "seal"], prepared_db, photos).returncode == 0
    verified = _cli(["audit", "verify", "--restored"], empty_db, restored_photos)
    assert verified.returncode == 0 and "audit chain intact" in verified.stdout, (
        verified.stdout + verified.stderr
    )
    assert "written after it was taken" in verified.stderr
    strict = _cli(["audit", "verify"], empty_db, restored_photos)  # without --restored: a removed tail
    assert strict.returncode == 1 and "were removed" in strict.stderr
    # A second restore into the now-full database is refused, changing nothing.
    again = _cli(["restore", str(archive)], empty_db, restored_photos)
    assert again.returncode == 1 and "not empty" in again.stderr and "Traceback" not in again.stderr
    with psycopg.connect(prepared_db, autocommit=True) as con:
        con.execute("DELETE FROM data_change WHERE table_name = 'backup_test'")


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


def test_scheduled_backups_keep_the_newest_and_copy_each_off_the_machine(prepared_db, tmp_path):
    out, offsite = tmp_path / "out", tmp_path / "offsite"
    offsite.mkdir()
    for _ in range(2):
        r = _cli(
            ["backup", "--out", str(out), "--keep", "1", "--then", f'cp "$BACKUP_ARCHIVE" {offsite}/'],
            prepared_db,
            tmp_path / "photos",
        )
        assert r.returncode == 0, r.stderr
    kept, copied = sorted(out.glob("*.tar")), sorted(offsite.glob("*.tar"))
    assert len(kept) == 1 and len(copied) == 2 and kept[0].name == copied[-1].name
    failing = _cli(["backup", "--out", str(out), "--then", "exit 3"], prepared_db, tmp_path / "photos")
    assert failing.returncode == 1 and "copy command failed" in failing.stderr
