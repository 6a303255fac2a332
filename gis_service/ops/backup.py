"""Backups: the database (pg_dump custom format) and the photo store in one dated tar
archive with a checksum manifest; restore into an empty database and verify.

The manifest records each file's SHA-256 and, per table, the row count and a content
hash (md5 of the rows in a stable order), so a restore can prove it brought back the
same data, not just the same number of rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

FORMAT = 1


class BackupError(RuntimeError):
    """A backup or restore problem, explained in one line."""


def _pg_tool(name: str) -> str:
    for candidate in (os.environ.get("PG_BIN", ""), "/usr/lib/postgresql/15/bin"):
        path = Path(candidate) / name
        if candidate and path.exists():
            return str(path)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found; install postgresql-client-15 or set PG_BIN.")
    return found


def _libpq_env(url: str) -> dict:
    """Connection details for pg_dump/pg_restore without putting the password on the command line."""
    u = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    return {
        **os.environ,
        "PGHOST": u.hostname or "127.0.0.1",
        "PGPORT": str(u.port or 5432),
        "PGUSER": u.username or "",
        "PGPASSWORD": u.password or "",
        "PGDATABASE": u.path.lstrip("/"),
    }


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


def _fingerprints(con: psycopg.Connection) -> dict[str, dict]:
    out = {}
    tables = [
        r[0]
        for r in con.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"
            " ORDER BY tablename"
        )
    ]
    for t in tables:
        count, digest = con.execute(
            f"SELECT count(*), md5(COALESCE(string_agg(x.r, '|' ORDER BY x.r), ''))"
            f' FROM (SELECT t::text AS r FROM "{t}" t) x'
        ).fetchone()
        out[t] = {"rows": count, "md5": digest}
    return out


def table_fingerprints(url: str) -> dict[str, dict]:
    """Row count and content hash of every table in the public schema (PostGIS's own excepted)."""
    with _connect(url) as con:
        return _fingerprints(con)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def backup(url: str, photo_dir: Path, out_dir: Path) -> Path:
    """Write ordos-gis-backup-<UTC time>.tar into out_dir and return its path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"ordos-gis-backup-{stamp}.tar"
    # The service keeps writing while a backup runs (visits, its own housekeeping), so the
    # dump and the manifest's table fingerprints are taken from one exported snapshot:
    # the manifest then describes exactly the data in the dump.
    with tempfile.TemporaryDirectory() as tmp, _connect(url) as snap:
        snap.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = snap.execute("SELECT pg_export_snapshot()").fetchone()[0]
        work = Path(tmp)
        dump = work / "database.dump"
        r = subprocess.run(
            [_pg_tool("pg_dump"), "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(dump)],
            env=_libpq_env(url),
            capture_output=True,
            text=True,
        )
        if r.returncode != 0:
            raise BackupError(f"pg_dump failed: {r.stderr.strip()[-300:]}")
        tables = _fingerprints(snap)
        snap.rollback()
        photos = work / "photos.tar"
        with tarfile.open(photos, "w") as tar:
            if photo_dir.exists():
                tar.add(photo_dir, arcname="photos")
        manifest = {
            "format": FORMAT,
            "created_at": stamp,
            "files": {p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size} for p in (dump, photos)},
            "tables": tables,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
        with tarfile.open(archive, "w") as tar:
            for name in ("manifest.json", "database.dump", "photos.tar"):
                tar.add(work / name, arcname=name)
    return archive


def restore(url: str, photo_dir: Path, archive: Path) -> dict:
    """Restore an archive into an empty database; returns the comparison with the manifest."""
    with _connect(url) as con:
        existing = con.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"
        ).fetchone()[0]
    if existing:
        raise BackupError("The target database is not empty; restore only into a new, empty database.")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive) as tar:
        work = Path(tmp)
        tar.extractall(work, filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
        for name, meta in manifest["files"].items():
            if _sha256(work / name) != meta["sha256"]:
                raise BackupError(f"{name} does not match its checksum: the archive is damaged.")
        r = subprocess.run(
            [
                _pg_tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                "-d",
                _libpq_env(url)["PGDATABASE"],
                str(work / "database.dump"),
            ],
            env=_libpq_env(url),
            capture_output=True,
            text=True,
        )
        if r.returncode != 0:
            raise BackupError(f"pg_restore failed: {r.stderr.strip()[-300:]}")
        with tarfile.open(work / "photos.tar") as photos:
            staged = work / "photos-out"
            photos.extractall(staged, filter="data")
            if (staged / "photos").exists():
                photo_dir.mkdir(parents=True, exist_ok=True)
                shutil.copytree(staged / "photos", photo_dir, dirs_exist_ok=True)
    restored = table_fingerprints(url)
    mismatched = sorted(t for t, meta in manifest["tables"].items() if restored.get(t) != meta)
    return {
        "tables": len(restored),
        "rows": sum(m["rows"] for m in restored.values()),
        "mismatched": mismatched,
    }


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest archives in `folder` (names sort by date); the
    removed paths. keep=0 removes nothing."""
    if keep <= 0:
        return []
    archives = sorted(Path(folder).glob("*-gis-backup-*.tar"))
    gone = archives[:-keep]
    for path in gone:
        path.unlink()
    return gone
