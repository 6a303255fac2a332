"""The documented upgrade keeps every row: a database set up and filled by an earlier
release (its code taken from this repository's history, run as that release ran) is
migrated by this release's `gis-service db prepare`, as `git pull && ./scripts/run` and
the compose file's `prepare` service do. Every row the old release wrote is still there,
unchanged in every column the old release had."""

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
# The last release before sign-in devices, visit ids, background jobs (migrations 0030-0033).
EARLIER_RELEASE = "7e2a944"


def _have(commit: str) -> bool:
    return subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"]).returncode == 0


def _export(commit: str, into: Path) -> Path:
    if not _have(commit):  # a shallow clone: its origin (a local repository) has the history
        subprocess.run(["git", "-C", str(ROOT), "fetch", "--quiet", "--unshallow"], capture_output=True)
    archive = into / "release.tar"
    done = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "archive",
            "--format=tar",
            "-o",
            str(archive),
            commit,
            "gis_service",
            "layers",
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.fail(
            f"release {commit} is not in this clone's history ({done.stderr.strip()}); clone with history"
        )
    with tarfile.open(archive) as tar:
        tar.extractall(into / "release", filter="data")
    return into / "release"


def _prepare(code_root: Path, url: str, audit_dir: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(code_root),
        "DATABASE_URL": url,
        "DATABASE_OWNER_URL": url,
        "DEMO_MODE": "true",
        "AUDIT_DIR": str(audit_dir),
        "LAYERS_DIR": str(code_root / "layers"),
        "HOME_UNIT_CODE": "150600",
    }
    done = subprocess.run(
        [sys.executable, "-m", "gis_service", "db", "prepare"],
        cwd=code_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def _rows(url: str) -> dict[str, tuple[list[str], int, str]]:
    """Per table: its columns, its row count and a hash of its rows over those columns."""
    out = {}
    with psycopg.connect(url, autocommit=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename NOT IN ('spatial_ref_sys', 'alembic_version')"
            )
        ]
        for table in tables:
            columns = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
                    " AND table_name = %s ORDER BY ordinal_position",
                    (table,),
                )
            ]
            out[table] = (columns, *_hash(con, table, columns))
    return out


def _hash(con, table: str, columns: list[str]) -> tuple[int, str]:
    cols = ", ".join(f'"{c}"' for c in columns)
    return con.execute(
        f"SELECT count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) "
        f'FROM (SELECT {cols} FROM "{table}") r'
    ).fetchone()


def test_the_upgrade_keeps_every_row(empty_database, tmp_path):
    release = _export(EARLIER_RELEASE, tmp_path)
    audit = tmp_path / "audit"
    _prepare(release, empty_database, audit)
    with psycopg.connect(empty_database, autocommit=True) as con:
        old_head = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        # the earlier release's users worked: visits, failed sign-ins and names are rows too
        con.execute("INSERT INTO sign_in_failure (username, client) VALUES ('someone', '203.0.113.5')")
    before = _rows(empty_database)
    assert sum(count for _, count, _ in before.values()) > 10_000, "the earlier release loaded little data"

    _prepare(ROOT, empty_database, audit)  # this release's upgrade, as ./scripts/run does

    with psycopg.connect(empty_database, autocommit=True) as con:
        new_head = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        assert new_head != old_head and new_head >= "0033", (old_head, new_head)
        changed = []
        for table, (columns, count, digest) in before.items():
            now = _hash(con, table, columns)  # over the old release's columns only
            # bookkeeping tables only grow, and so do the outlines derived for drawing (each
            # level is generalised again when a release keeps a deeper zoom); every other
            # table is exactly as it was
            grows = ("data_change", "audit_log", "admin_unit_generalised")
            ok = now[0] >= count if table in grows else now == (count, digest)
            if not ok:
                changed.append((table, count, now[0]))
    assert changed == [], changed
    with psycopg.connect(empty_database, autocommit=True) as con:
        # what the upgrade derives from the rows kept: the classes the grave layer draws,
        # and every grave's position in Web Mercator
        kept, restricted = con.execute(
            "SELECT (SELECT count(*) FROM grave_restriction_classes),"
            " (SELECT count(DISTINCT grave_id) FROM grave_restriction)"
        ).fetchone()
        assert kept == restricted > 0
        assert con.execute("SELECT count(*) FROM grave WHERE geom_mercator IS NULL").fetchone()[0] == 0
