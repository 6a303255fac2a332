"""DATABASE_READ_URL: a second cluster streaming from the test database. Reads (items,
tiles, search) are served by the replica once it has caught up; writes go to the primary;
and an inspector who saves a visit sees it in their next read even while the replica has
stopped replaying (the read then goes to the primary)."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from gis_service.main import create_app
from gis_service.ops import embedded_postgres as epg


def _with_port(url: str, port: int) -> str:
    head, _, tail = url.rpartition("@")
    host_port, _, database = tail.partition("/")
    return f"{head}@{host_port.rsplit(':', 1)[0]}:{port}/{database}"


@pytest.fixture(scope="module")
def replica_port(prepared_db):
    """A hot standby of the test cluster (pg_basebackup -R, streaming), on its own port."""
    root = Path(tempfile.mkdtemp(prefix="gis-replica-"))
    root.chmod(0o755)
    standby = epg.EmbeddedPostgres(root)
    standby._prepare_dirs()
    primary = conninfo_to_dict(prepared_db)
    source = make_conninfo(
        host=primary["host"], port=primary["port"], user=primary["user"], password=primary["password"]
    )
    standby._run(
        str(epg.bindir() / "pg_basebackup"),
        "-D",
        str(standby.pgdata),
        "-R",
        "-X",
        "stream",
        "-c",
        "fast",
        "-d",
        source,
    )
    port = epg.free_port()
    with psycopg.connect(prepared_db) as con:  # a standby needs at least the primary's
        connections = con.execute("SHOW max_connections").fetchone()[0]
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={standby.sockdir}"
        f" -c hot_standby=on -c max_connections={connections}"
    )
    pg_ctl = str(epg.bindir() / "pg_ctl")
    standby._run(
        pg_ctl,
        "start",
        "-D",
        str(standby.pgdata),
        "-w",
        "-t",
        "60",
        "-l",
        str(standby.logfile),
        "-o",
        options,
    )
    yield port
    standby._run(pg_ctl, "stop", "-D", str(standby.pgdata), "-m", "immediate", check=False)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def replica_db(prepared_db, replica_port):
    with psycopg.connect(_with_port(prepared_db, replica_port), autocommit=True) as con:
        yield con


@pytest.fixture(scope="module")
def replicated(settings, replica_port):
    """The service with DATABASE_READ_URL naming the replica, and the inspector's headers."""
    app = create_app(
        settings.model_copy(update={"database_read_url": _with_port(settings.database_url, replica_port)})
    )
    with TestClient(app) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": "demo_inspector", "password": "demo-inspector"}
        )
        yield client, app.state.reads, {"Authorization": f"Bearer {token.json()['access_token']}"}


def _caught_up(replica_db, prepared_db) -> None:
    with psycopg.connect(prepared_db, autocommit=True) as con:
        target = con.execute("SELECT pg_current_wal_flush_lsn()").fetchone()[0]
    deadline = time.monotonic() + 30
    while replica_db.execute("SELECT pg_last_wal_replay_lsn() >= %s", (target,)).fetchone()[0] is not True:
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


def _marker(client, headers, code, limit=1):
    r = client.get(
        "/ogc/collections/boundary_marker/items",
        params={"filter": f"code = '{code}'", "limit": limit},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    return r.json()["features"][0]["properties"]


def test_reads_are_served_by_the_replica(replicated, replica_db, prepared_db, db):
    client, reads, headers = replicated
    code = db.execute("SELECT code FROM boundary_marker ORDER BY code LIMIT 1").fetchone()[0]
    before = dict(reads.served)
    # any write in between (a sign-in, a chore) sends the next read to the primary until
    # the replica has replayed it: wait for that before each read
    _caught_up(replica_db, prepared_db)
    assert _marker(client, headers, code)["code"] == code
    _caught_up(replica_db, prepared_db)
    assert client.get("/api/v1/place-names", params={"q": "东胜"}, headers=headers).status_code == 200
    _caught_up(replica_db, prepared_db)
    tile = client.get("/api/v1/layers/county_boundary/tiles/8/206/97", headers=headers)
    assert tile.status_code in (200, 204)
    assert reads.served["replica"] - before["replica"] == 3


def test_writes_go_to_the_primary(replicated, replica_db, db):
    client, _, headers = replicated
    code = db.execute("SELECT code FROM boundary_marker ORDER BY code OFFSET 1 LIMIT 1").fetchone()[0]
    visit = {"id": str(uuid.uuid4()), "condition": "intact", "observed_at": datetime.now(UTC).isoformat()}
    assert client.post(f"/api/v1/markers/{code}/inspections", json=visit, headers=headers).status_code == 201
    assert (
        db.execute("SELECT count(*) FROM marker_inspection WHERE id = %s", (visit["id"],)).fetchone()[0] == 1
    )
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        replica_db.execute("UPDATE boundary_marker SET material = material WHERE code = %s", (code,))


def test_an_inspector_sees_their_visit_at_once(replicated, replica_db, prepared_db, db):
    client, reads, headers = replicated
    code = db.execute("SELECT code FROM boundary_marker ORDER BY code OFFSET 2 LIMIT 1").fetchone()[0]
    _caught_up(replica_db, prepared_db)
    replica_db.execute("SELECT pg_wal_replay_pause()")
    try:
        visit = {
            "id": str(uuid.uuid4()),
            "condition": "damaged",
            "observed_at": datetime.now(UTC).isoformat(),
        }
        assert (
            client.post(f"/api/v1/markers/{code}/inspections", json=visit, headers=headers).status_code == 201
        )
        primary_reads = reads.served["primary"]
        assert _marker(client, headers, code)["condition"] == "damaged"  # their own visit, at once
        assert reads.served["primary"] == primary_reads + 1  # ... read from the primary
        stale = replica_db.execute("SELECT condition FROM boundary_marker_status WHERE code = %s", (code,))
        assert stale.fetchone()[0] != "damaged"  # the replica had not replayed it
    finally:
        replica_db.execute("SELECT pg_wal_replay_resume()")
    _caught_up(replica_db, prepared_db)
    # the same page again is the worker's kept copy, read under the versions after the
    # visit: no database is asked
    served = dict(reads.served)
    assert _marker(client, headers, code)["condition"] == "damaged"
    assert reads.served == served
    # another page is read from the replica again
    assert _marker(client, headers, code, limit=2)["condition"] == "damaged"
    assert reads.served["replica"] == served["replica"] + 1
