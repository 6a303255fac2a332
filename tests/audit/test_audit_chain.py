"""The audit log cannot be quietly rewritten.

The service's role may only append to it. Rows are sealed into an HMAC chain whose key
lives outside the database, with signed checkpoints outside it too, so that even the
owner, who can switch the protection off, cannot change, reorder or drop rows without
`gis-service audit verify` naming the first bad one. The rewrites below run as the
owner on a copy of the audit tables, exactly as an intruder with those rights would.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid

import psycopg
import pytest
from typer.testing import CliRunner

from gis_service.audit import chain
from gis_service.audit.keys import checkpoint_file, load_key
from gis_service.cli import app as cli
from gis_service.core.migrations import upgrade
from gis_service.core.settings import Settings, get_settings

AUDIT_TABLES = ("audit_chain", "audit_log", "audit_seal")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_log SET actor = 'someone else' WHERE id = (SELECT max(id) FROM audit_log)",
        "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
        "TRUNCATE audit_log CASCADE",
        "UPDATE audit_seal SET hash = repeat('0', 64) WHERE seq = 1",
        "DELETE FROM audit_seal WHERE seq = (SELECT max(seq) FROM audit_seal)",
        "UPDATE audit_chain SET id = gen_random_uuid()",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_log_append_only ON audit_log",
        "ALTER TABLE audit_log ADD COLUMN note text",
        "ALTER TABLE boundary_marker DROP COLUMN material",
        "DROP TABLE audit_seal",
        "CREATE TABLE public.shadow (id int)",
        "CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
        "SET session_replication_role = replica",
        "ALTER ROLE CURRENT_USER SUPERUSER",
        "CREATE ROLE accomplice LOGIN",
        "INSERT INTO alembic_version VALUES ('9999')",
    ],
)
def test_the_service_role_cannot_touch_the_schema_or_rewrite_the_audit_log(database_url, prepared_db, sql):
    with psycopg.connect(database_url) as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute(sql)


def test_the_service_role_is_an_ordinary_role(database_url, prepared_db, owner_url):
    with psycopg.connect(database_url) as con:
        flags = con.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        owner = con.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'").fetchone()[0]
        in_owner_role = con.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", (owner,)).fetchone()[0]
        # and it can append, which is all the service needs
        con.execute("INSERT INTO audit_log (actor, action, entity) VALUES ('test', 'probe', 'audit')")
        con.rollback()
    assert flags == (False, False, False, False)
    assert not in_owner_role and owner != psycopg.conninfo.conninfo_to_dict(database_url)["user"]


def _seal(settings: Settings) -> int:
    """Seal as the service does, connected as the service's role."""

    async def run():
        async with await psycopg.AsyncConnection.connect(settings.database_url, autocommit=True) as conn:
            return await chain.seal_and_checkpoint(conn, load_key(settings), settings)

    return asyncio.run(run())


def _verify(monkeypatch, url: str, settings: Settings):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_OWNER_URL", url)
    monkeypatch.setenv("AUDIT_DIR", str(settings.audit_dir))
    monkeypatch.setenv("AUDIT_KEY", settings.audit_key or "")
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli, ["audit", "verify"])
    finally:
        get_settings.cache_clear()


def _sign_in_once(client):
    r = client.post("/api/v1/auth/token", data={"username": "demo_viewer", "password": "demo-viewer"})
    assert r.status_code == 200


def test_sealing_makes_keyed_seals_and_signed_checkpoints(client, db, settings, caplog):
    _seal(settings)
    _sign_in_once(client)
    _sign_in_once(client)
    with caplog.at_level("INFO", logger="gis_service.audit.chain"):
        assert _seal(settings) >= 2
    last = db.execute(
        "SELECT seq, audit_id, prev_hash, hash, keyed FROM audit_seal ORDER BY seq DESC LIMIT 2"
    ).fetchall()
    assert all(row[4] for row in last)
    assert last[0][2] == last[1][3]  # each seal chains onto the one before
    key = load_key(settings)
    # the hash is an HMAC under the key: plain SHA-256 over the same text does not give it
    content = db.execute(f"SELECT {chain.CONTENT} FROM audit_log a WHERE id = %s", (last[0][1],)).fetchone()[
        0
    ]
    assert last[0][3] == hmac.new(key.secret, f"{last[0][2]}|{content}".encode(), hashlib.sha256).hexdigest()
    assert last[0][3] != hashlib.sha256(f"{last[0][2]}|{content}".encode()).hexdigest()
    line = json.loads(checkpoint_file(settings).read_text().splitlines()[-1])
    assert (line["seq"], line["audit_id"], line["hash"]) == (last[0][0], last[0][1], last[0][3])
    chain_id = db.execute("SELECT id::text FROM audit_chain").fetchone()[0]
    assert line["chain"] == chain_id and line["key"] == key.key_id and len(line["sig"]) == 64
    assert any(getattr(r, "audit_checkpoint", None) == line for r in caplog.records)  # also in the log
    assert key.secret.hex() not in checkpoint_file(settings).read_text()
    # nothing about the key is in the database
    dumped = db.execute("SELECT string_agg(a::text, '') FROM audit_log a").fetchone()[0]
    assert key.secret.hex() not in dumped


def test_the_key_is_created_once_and_readable_only_by_its_owner(settings):
    path = settings.audit_dir / "key"
    assert path.exists() and path.stat().st_mode & 0o077 == 0
    assert load_key(settings, create=True) == load_key(settings)


# -- rewriting a copy as the owner ------------------------------------------------------
@pytest.fixture(scope="module")
def copy_db(prepared_db, tmp_path_factory):
    """A second, migrated database for the rewrites."""
    name = "gis_audit_copy"
    with psycopg.connect(prepared_db, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {name}")
    url = prepared_db.rpartition("/")[0] + "/" + name
    upgrade(Settings(database_url=url, _env_file=None).sqlalchemy_url)
    yield url
    with psycopg.connect(prepared_db, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def audit_copy(client, db, settings, copy_db, tmp_path):
    """The copy holds the service's audit tables as they are now, all sealed and
    checkpointed; returns (url, connection as the owner, settings with the key and a
    snapshot of the checkpoints, taken before the tables: the running service may seal
    more meanwhile)."""
    for _ in range(6):
        _sign_in_once(client)
    _seal(settings)
    snapshot = tmp_path / "audit"
    snapshot.mkdir()
    (snapshot / "checkpoints.jsonl").write_bytes(checkpoint_file(settings).read_bytes())
    copy_settings = Settings(_env_file=None, audit_dir=snapshot, audit_key=load_key(settings).secret.hex())
    with psycopg.connect(copy_db, autocommit=True) as copy:
        for table in AUDIT_TABLES:
            copy.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        copy.execute("TRUNCATE audit_seal, audit_log, audit_chain")
        for table in AUDIT_TABLES:
            with (
                db.cursor().copy(f"COPY {table} TO STDOUT") as out,
                copy.cursor().copy(f"COPY {table} FROM STDIN") as into,
            ):
                for block in out:
                    into.write(block)
        # the intruder has the owner's rights: the protection stays off for the rewrites
        yield copy_db, copy, copy_settings


def _seals(con, n):
    return con.execute("SELECT seq, audit_id FROM audit_seal ORDER BY seq DESC LIMIT %s", (n,)).fetchall()[
        ::-1
    ]


def test_an_untouched_copy_verifies(monkeypatch, audit_copy):
    url, _, settings = audit_copy
    result = _verify(monkeypatch, url, settings)
    assert result.exit_code == 0, result.output
    assert "audit chain intact" in result.output and "checkpoints matched" in result.output


@pytest.mark.parametrize("recompute", ["sha256", "another key"])
def test_a_changed_row_with_a_recomputed_chain_is_named(monkeypatch, audit_copy, recompute):
    url, con, settings = audit_copy
    (target_seq, target), *_ = _seals(con, 4)
    con.execute("UPDATE audit_log SET actor = 'intruder' WHERE id = %s", (target,))
    # recompute every seal from the changed row on, as the old unkeyed verify accepted
    other_key = bytes(32)
    prev = con.execute("SELECT prev_hash FROM audit_seal WHERE seq = %s", (target_seq,)).fetchone()[0]
    rows = con.execute(
        f"SELECT s.seq, {chain.CONTENT} FROM audit_seal s JOIN audit_log a ON a.id = s.audit_id "
        "WHERE s.seq >= %s ORDER BY s.seq",
        (target_seq,),
    ).fetchall()
    for seq, content in rows:
        message = f"{prev}|{content}".encode()
        if recompute == "sha256":
            digest = hashlib.sha256(message).hexdigest()
        else:
            digest = hmac.new(other_key, message, hashlib.sha256).hexdigest()
        con.execute("UPDATE audit_seal SET prev_hash = %s, hash = %s WHERE seq = %s", (prev, digest, seq))
        prev = digest
    result = _verify(monkeypatch, url, settings)
    assert result.exit_code == 1
    assert f"at seal {target_seq} (audit row {target}): audit row {target} was changed" in result.output


def test_a_removed_tail_is_found_from_the_checkpoints(monkeypatch, audit_copy):
    url, con, settings = audit_copy
    tail = _seals(con, 3)
    first_gone, last_gone = tail[0][0], tail[-1][0]
    con.execute("DELETE FROM audit_seal WHERE seq >= %s", (first_gone,))
    con.execute("DELETE FROM audit_log WHERE id = ANY(%s)", ([audit_id for _, audit_id in tail],))
    result = _verify(monkeypatch, url, settings)
    assert result.exit_code == 1
    assert f"the chain ends at seal {first_gone - 1}" in result.output
    assert f"seals {first_gone} to {last_gone} and their rows were removed" in result.output


def test_reordered_seals_are_named(monkeypatch, audit_copy):
    url, con, settings = audit_copy
    (a_seq, a_id), (b_seq, b_id) = _seals(con, 3)[:2]
    con.execute("UPDATE audit_seal SET seq = -1 WHERE seq = %s", (a_seq,))
    con.execute("UPDATE audit_seal SET seq = %s WHERE seq = %s", (a_seq, b_seq))
    con.execute("UPDATE audit_seal SET seq = %s WHERE seq = -1", (b_seq,))
    result = _verify(monkeypatch, url, settings)
    assert result.exit_code == 1
    assert f"at seal {a_seq} (audit row {b_id}): the chain was cut or reordered here" in result.output


def test_swapped_row_contents_are_named(monkeypatch, audit_copy):
    url, con, settings = audit_copy
    (a_seq, a_id), (_, b_id) = _seals(con, 2)
    # the two rows trade their time and request: same rows, other order of events
    a_at, a_req = con.execute("SELECT at, request_id FROM audit_log WHERE id = %s", (a_id,)).fetchone()
    b_at, b_req = con.execute("SELECT at, request_id FROM audit_log WHERE id = %s", (b_id,)).fetchone()
    con.execute("UPDATE audit_log SET at = %s, request_id = %s WHERE id = %s", (b_at, b_req, a_id))
    con.execute("UPDATE audit_log SET at = %s, request_id = %s WHERE id = %s", (a_at, a_req, b_id))
    result = _verify(monkeypatch, url, settings)
    assert result.exit_code == 1
    assert f"at seal {a_seq} (audit row {a_id})" in result.output


def test_a_forged_checkpoint_line_is_refused(monkeypatch, audit_copy):
    url, _, settings = audit_copy
    lines = checkpoint_file(settings).read_text().splitlines()
    last = json.loads(lines[-1])
    last["seq"] += 100  # claims a longer chain than there was
    checkpoint_file(settings).write_text("\n".join([*lines[:-1], json.dumps(last)]) + "\n")
    result = _verify(monkeypatch, url, settings)
    assert result.exit_code == 1
    assert f"checkpoint line {len(lines)} is not signed with this key" in result.output


@pytest.fixture
def a_banners_change(client, banner_account) -> str:
    """A change made by an account of Dalad Banner; the audit row's unit."""
    made = client.post(
        "/api/v1/users",
        json={
            "username": f"bureau_{uuid.uuid4().hex[:8]}",
            "role": "viewer",
            "password": uuid.uuid4().hex,
            "unit_code": "150621",
        },
        headers=banner_account("admin", "150621"),
    )
    assert made.status_code == 201, made.text
    return "150621"


def test_the_acting_bureau_is_sealed_with_the_row(monkeypatch, a_banners_change, audit_copy):
    url, con, settings = audit_copy
    row = con.execute(
        "SELECT id FROM audit_log WHERE actor_unit = %s ORDER BY id DESC LIMIT 1", (a_banners_change,)
    ).fetchone()
    assert row, "the banner administrator's change names the banner"
    assert _verify(monkeypatch, url, settings).exit_code == 0  # rows with and without a unit verify
    con.execute("UPDATE audit_log SET actor_unit = '150602' WHERE id = %s", (row[0],))
    result = _verify(monkeypatch, url, settings)
    assert result.exit_code == 1 and f"audit row {row[0]} was changed" in result.output
