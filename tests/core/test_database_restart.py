"""A database restart under a running service: requests fail fast with 503 and a clear
message while it is down, then succeed again without restarting the service."""

import time

from fastapi.testclient import TestClient

from gis_service.core.migrations import upgrade
from gis_service.core.settings import Settings
from gis_service.main import create_app
from gis_service.ops import embedded_postgres as epg


def _sign_in(client):
    return client.post("/api/v1/auth/token", data={"username": "nobody", "password": "wrong-password"})


def test_requests_fail_fast_while_the_database_is_down_then_recover(tmp_path):
    pg = epg.EmbeddedPostgres(tmp_path / "pg", durable=False)
    try:
        url = pg.start()
        settings = Settings(database_url=url, _env_file=None, photo_dir=tmp_path / "photos")
        upgrade(settings.sqlalchemy_url)
        with TestClient(create_app(settings), base_url="http://localhost") as client:
            assert _sign_in(client).status_code == 401  # the database answered
            assert client.get("/readyz").status_code == 200

            pg.stop()
            for _ in range(3):
                started = time.monotonic()
                down = _sign_in(client)
                assert down.status_code == 503, down.text
                assert "database" in down.json()["message"].lower()
                assert time.monotonic() - started < 10
            assert client.get("/readyz").status_code == 503

            assert pg.start() == url  # same address
            assert [_sign_in(client).status_code for _ in range(3)] == [401, 401, 401]
            assert client.get("/readyz").status_code == 200
    finally:
        pg.destroy(preferred=tmp_path / "pg")
