"""The database dies in the middle of a bulk import: the caller gets a 503, nothing
half-written remains, and the same file imports cleanly once the database is back."""

import asyncio
import csv
import io
import threading
import time

import psycopg
from fastapi.testclient import TestClient

from gis_service.core.migrations import upgrade
from gis_service.core.settings import Settings
from gis_service.main import create_app
from gis_service.ops import embedded_postgres as epg
from gis_service.reference_data.setup import prepare

ROWS = 3000


def _table(tag: str) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["标准名称", "所在行政区划代码", "地名含义"])
    stems = "甲乙丙丁戊己庚辛壬癸"
    for i in range(ROWS):
        w.writerow([tag + "".join(stems[int(c)] for c in f"{i:04d}") + "村", "150602001", "bulk import test"])
    return out.getvalue().encode()


def _count(url: str) -> int:
    with psycopg.connect(url) as con:
        return con.execute("SELECT count(*) FROM place_name WHERE meaning = 'bulk import test'").fetchone()[0]


def _wait_for_import_in_flight(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as con:
        while time.monotonic() < deadline:
            busy = con.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'gis_service'"
                " AND xact_start < now() - interval '300 milliseconds' AND state <> 'idle'"
            ).fetchone()[0]
            if busy:
                return
            time.sleep(0.05)
    raise AssertionError("the import never got going")


def test_an_import_cut_by_a_database_crash_leaves_nothing_and_reruns(tmp_path):
    pg = epg.EmbeddedPostgres(tmp_path / "pg", durable=True)
    try:
        url = pg.start()
        settings = Settings(database_url=url, _env_file=None, demo_mode=True, photo_dir=tmp_path / "photos")
        upgrade(settings.sqlalchemy_url)
        asyncio.run(prepare(settings, demo=True))
        data = _table("断")
        with TestClient(create_app(settings), base_url="http://localhost") as client:
            token = client.post(
                "/api/v1/auth/token",
                data={"username": "demo_placename_officer", "password": "demo-placename-officer"},
            ).json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            result = {}

            def run_import():
                result["response"] = client.post(
                    "/api/v1/place-names/import", files={"file": ("n.csv", data)}, headers=headers
                )

            worker = threading.Thread(target=run_import)
            worker.start()
            _wait_for_import_in_flight(url)
            pg.stop(mode="immediate")  # a crash: no checkpoint, in-flight transactions lost
            worker.join(60)
            assert result["response"].status_code == 503, result["response"].text
            assert pg.start() == url  # crash recovery, same address
            assert _count(url) == 0  # nothing half-written
            again = client.post(
                "/api/v1/place-names/import", files={"file": ("n.csv", data)}, headers=headers
            )
            assert again.status_code == 201, again.text
            assert again.json() == {"created": ROWS, "updated": 0}
        assert _count(url) == ROWS
    finally:
        pg.destroy(preferred=tmp_path / "pg")
