"""Test fixtures: a real PostGIS (started by ./scripts/test), migrated with Alembic and
loaded with the real reference data and the demo accounts, and the app on top of it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from gis_service.core.settings import Settings
from gis_service.main import create_app
from gis_service.ops.database_setup import setup_database
from gis_service.reference_data.demo import demo_credentials
from tests.service_process import in_thread


@pytest.fixture(scope="session")
def database_url() -> str:
    """The service role's URL: the app under test connects as it."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        pytest.exit("DATABASE_URL is not set: run the tests with ./scripts/test", returncode=2)
    return url


@pytest.fixture(scope="session")
def owner_url(database_url: str) -> str:
    """The schema owner's URL (migrations, loading, and the tests' own checks)."""
    return os.environ.get("DATABASE_OWNER_URL") or database_url


# Every log line the service writes during the run; tests/zz_logs checks it for secrets.
RUN_LOG = Path(__file__).resolve().parents[1] / "test-artifacts" / "test-run.log"


@pytest.fixture(scope="session")
def settings(database_url: str, owner_url: str, tmp_path_factory) -> Settings:
    RUN_LOG.parent.mkdir(exist_ok=True)
    RUN_LOG.write_text("")
    return Settings(
        log_file=RUN_LOG,
        database_url=database_url,
        database_owner_url=owner_url,
        demo_mode=True,
        log_json=True,
        _env_file=None,
        photo_dir=tmp_path_factory.mktemp("photos"),
        # Runs on one database add up failed sign-ins of the demo accounts; the throttle
        # itself is tested with its own limit (tests/auth/test_sign_in_throttle.py).
        sign_in_max_failures=1000,
        sign_in_max_failures_per_client=1000,
        # the test client's own host name beside the local ones
        allowed_hosts=["localhost", "127.0.0.1", "::1", "testserver"],
    )


@pytest.fixture(scope="session")
def prepared_db(settings: Settings) -> str:
    """Migrate and load once per test session, exactly as ./scripts/run does (demo mode).
    Returns the owner's URL, which the tests use to look at and arrange data."""
    setup_database(settings, demo=True)
    return settings.owner_url


@pytest.fixture
def empty_database(prepared_db: str) -> Iterator[str]:
    """A new, empty database in the same cluster (URL), dropped after the test."""
    name = "gis_scratch"
    with psycopg.connect(prepared_db, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {name}")
    base, _, _ = prepared_db.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(prepared_db, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def db(prepared_db: str) -> Iterator[psycopg.Connection]:
    """A plain autocommit connection for checking what the service wrote."""
    with psycopg.connect(prepared_db, autocommit=True) as con:
        yield con


@pytest.fixture(scope="session")
def app(settings: Settings, prepared_db: str):
    return create_app(settings)


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


PASSWORDS = {role: password for _, password, role in demo_credentials()}
USERNAMES = {role: username for username, _, role in demo_credentials()}


@pytest.fixture(scope="session")
def tokens(client: TestClient) -> dict[str, str]:
    out = {}
    for role, username in USERNAMES.items():
        r = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORDS[role]})
        assert r.status_code == 200, r.text
        out[role] = r.json()["access_token"]
    return out


@pytest.fixture(scope="session")
def auth(tokens: dict[str, str]):
    """auth('planner') -> headers signed in as the demo planner."""
    return lambda role: {"Authorization": f"Bearer {tokens[role]}"}


@pytest.fixture(scope="session")
def banner_account(client, auth):
    """A signed-in account of a unit: (role, unit) -> headers."""
    made = {}

    def make(role: str, unit: str) -> dict:
        if (role, unit) not in made:
            name, password = f"{role}_{unit}_{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
            r = client.post(
                "/api/v1/users",
                json={"username": name, "role": role, "password": password, "unit_code": unit},
                headers=auth("admin"),
            )
            assert r.status_code == 201 and r.json()["unit_code"] == unit, r.text
            token = client.post("/api/v1/auth/token", data={"username": name, "password": password})
            made[role, unit] = {"Authorization": f"Bearer {token.json()['access_token']}"}
        return made[role, unit]

    return make


@pytest.fixture(scope="session")
def current(client):
    """current(url, headers) -> headers plus If-Match with the resource's ETag now: every
    update of an existing record names the version it changes."""

    def _headers(url: str, headers: dict) -> dict:
        r = client.get(url, headers=headers)
        assert r.status_code == 200 and r.headers.get("etag"), (url, r.status_code, r.text[:200])
        return {**headers, "If-Match": r.headers["etag"]}

    return _headers


@pytest.fixture(scope="session")
def live_server(settings: Settings, prepared_db: str) -> Iterator[str]:
    """The real app served by uvicorn on a free loopback port, for the browser tests."""
    with in_thread(settings) as base:
        yield base
