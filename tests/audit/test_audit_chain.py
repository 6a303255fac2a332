"""The audit log is append-only for the service's database role, and its rows are
hash-chained: `gis-service audit verify` finds a row changed behind the service's back."""

import psycopg
import pytest
from typer.testing import CliRunner

from gis_service.cli import app as cli


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_log SET actor = 'someone else' WHERE id = (SELECT max(id) FROM audit_log)",
        "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
        "TRUNCATE audit_log CASCADE",
        "UPDATE audit_seal SET hash = repeat('0', 64) WHERE seq = 1",
    ],
)
def test_the_service_role_cannot_change_or_remove_audit_rows(db, prepared_db, sql):
    db.execute("SELECT seal_audit_log()")  # so that there are seals to attack too
    with psycopg.connect(prepared_db) as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute(sql)


def _verify(monkeypatch, prepared_db):
    monkeypatch.setenv("DATABASE_URL", prepared_db)
    from gis_service.core.settings import get_settings

    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli, ["audit", "verify"])
    finally:
        get_settings.cache_clear()


def test_verify_finds_a_tampered_row(client, auth, db, monkeypatch, prepared_db):
    # some fresh audited writes, then seal them
    client.post("/api/v1/auth/token", data={"username": "demo_viewer", "password": "demo-viewer"})
    db.execute("SELECT seal_audit_log()")
    ok = _verify(monkeypatch, prepared_db)
    assert ok.exit_code == 0, ok.output
    assert "audit chain intact" in ok.output
    target, actor = db.execute(
        "SELECT a.id, a.actor FROM audit_log a JOIN audit_seal s ON s.audit_id = a.id ORDER BY s.seq DESC LIMIT 1"
    ).fetchone()
    # someone with the owner's rights switches the protection off and edits a row
    db.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    db.execute("GRANT UPDATE ON audit_log TO CURRENT_USER")
    try:
        db.execute("UPDATE audit_log SET actor = 'intruder' WHERE id = %s", (target,))
        broken = _verify(monkeypatch, prepared_db)
        assert broken.exit_code == 1
        assert f"audit row {target} was changed after it was sealed" in broken.output
    finally:
        db.execute("UPDATE audit_log SET actor = %s WHERE id = %s", (actor, target))
        db.execute("REVOKE UPDATE ON audit_log FROM CURRENT_USER")
        db.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    assert _verify(monkeypatch, prepared_db).exit_code == 0


def test_sealing_continues_the_chain(client, db):
    db.execute("SELECT seal_audit_log()")
    before = db.execute("SELECT max(seq) FROM audit_seal").fetchone()[0]
    client.post("/api/v1/auth/token", data={"username": "demo_viewer", "password": "demo-viewer"})
    assert db.execute("SELECT seal_audit_log()").fetchone()[0] >= 1
    prev, first_new = (
        db.execute("SELECT hash FROM audit_seal WHERE seq = %s", (before,)).fetchone()[0],
        db.execute("SELECT prev_hash FROM audit_seal WHERE seq = %s", (before + 1,)).fetchone()[0],
    )
    assert prev == first_new
    assert db.execute("SELECT problem FROM verify_audit_chain()").fetchone()[0] is None
