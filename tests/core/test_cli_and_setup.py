"""The command line and the set-up messages a newcomer sees."""

import os
import socket
import subprocess
import sys
import uuid

import pytest

from gis_service.core.settings import PROJECT_ROOT
from gis_service.ops import embedded_postgres as epg

GIS = [sys.executable, "-m", "gis_service"]


def run(args, **kw):
    return subprocess.run(GIS + args, capture_output=True, text=True, timeout=120, **kw)


def test_users_create_reads_the_password_from_stdin(prepared_db, db):
    name = f"cli_reader_{uuid.uuid4().hex[:6]}"
    r = run(
        ["users", "create", name, "--role", "planner"],
        input="a-good-password\n",
        env={**os.environ, "DATABASE_URL": prepared_db},
    )
    assert r.returncode == 0, r.stderr
    assert "password" not in r.stdout  # nothing printed: the caller chose it
    role = db.execute("SELECT role FROM app_user WHERE username = %s", (name,)).fetchone()[0]
    assert role == "planner"


def test_users_create_generates_and_prints_a_password_once(prepared_db, client):
    name = f"cli_generated_{uuid.uuid4().hex[:6]}"
    r = run(
        ["users", "create", name, "--role", "viewer"],
        input="",
        env={**os.environ, "DATABASE_URL": prepared_db},
    )
    assert r.returncode == 0, r.stderr
    password = r.stdout.split("password (shown once): ")[1].strip()
    assert client.post("/api/v1/auth/token", data={"username": name, "password": password}).status_code == 200


def test_users_create_explains_a_bad_role(prepared_db):
    r = run(
        ["users", "create", "cli_bad", "--role", "king"],
        input="a-good-password\n",
        env={**os.environ, "DATABASE_URL": prepared_db},
    )
    assert r.returncode == 1 and "Unknown role 'king'" in r.stderr and "Traceback" not in r.stderr


def test_port_in_use_is_one_line_with_the_fix(prepared_db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run(["serve"], env={**os.environ, "DATABASE_URL": prepared_db, "PORT": str(port)})
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"Port {port}" in r.stderr and "PORT=" in r.stderr


def test_missing_database_url_is_explained():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_OWNER_URL")}
    r = run(["db", "upgrade"], env=env, cwd="/")
    if epg.running_default(PROJECT_ROOT):  # ./scripts/run is serving here: the command uses its database
        assert r.returncode == 0, r.stderr
    else:
        assert r.returncode == 1 and "DATABASE_URL is not set" in r.stderr and "Traceback" not in r.stderr


def test_non_root_without_postgis_names_the_fix_and_docker(monkeypatch):
    monkeypatch.setattr(epg, "postgis_installed", lambda: False)
    monkeypatch.setattr(epg.os, "geteuid", lambda: 1000)
    with pytest.raises(epg.SetupError) as err:
        epg.ensure_postgis()
    message = str(err.value)
    assert "apt-get install postgresql-15-postgis-3" in message and "docker" in message
    assert "\n" not in message


def test_embedded_cluster_starts_stops_and_restarts(tmp_path):
    import psycopg

    # tmp_path sits in a root-only folder: the cluster must fall back to a place the
    # postgres user can reach, as it would for a project cloned under /root.
    pg = epg.EmbeddedPostgres(tmp_path / "pg", durable=False)
    try:
        url = pg.start()
        with psycopg.connect(url) as con:
            con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            assert con.execute("SELECT postgis_lib_version()").fetchone()[0].startswith("3")
        pg.stop()
        assert not pg.running()
        assert pg.start()  # reuses the cluster
        assert pg.running()
    finally:
        pg.destroy(preferred=tmp_path / "pg")


@pytest.mark.parametrize(
    "variable, value",
    [
        ("HOME_UNIT_CODE", "12"),
        ("HOME_UNIT_CODE", "01234x"),
        ("WORKERS", "-1"),
        ("BOUNDARY_TOLERANCE_M", "0"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(variable, value):
    r = run(["users", "list"], env={**os.environ, variable: value})
    assert r.returncode == 1
    assert r.stderr.startswith(f"Invalid setting: {variable}:") and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("unit, said", [("15062", "six-digit"), ("990000", "names no unit")])
def test_data_init_refuses_a_unit_that_does_not_exist(unit, said):
    r = run(["data", "init", "--unit", unit], env={**os.environ, "HOME_UNIT_CODE": "150600"})
    assert r.returncode == 1 and said in r.stderr
    assert not (PROJECT_ROOT / ".data" / "reference" / unit).exists()
