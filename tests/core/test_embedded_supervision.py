"""The embedded database supervises itself: a dead postmaster is restarted, only the
last instance using the cluster stops it, and the command line finds it running."""

import os
import signal
import subprocess
import threading
import time

import psycopg

from gis_service.ops import embedded_postgres as epg


def test_a_dead_postmaster_is_restarted(tmp_path):
    pg = epg.EmbeddedPostgres(tmp_path / "pg", durable=False)
    url = pg.start()
    said: list[str] = []
    stop = threading.Event()
    watcher = threading.Thread(target=epg.watch, args=(pg, said.append, stop, 0.5), daemon=True)
    watcher.start()
    try:
        postmaster = int((pg.pgdata / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGKILL)  # the database dies under the service
        deadline = time.monotonic() + 60
        while True:
            try:
                with psycopg.connect(url, connect_timeout=2) as con:
                    assert con.execute("SELECT 1").fetchone() == (1,)
                break
            except psycopg.OperationalError:
                assert time.monotonic() < deadline, said
                time.sleep(0.5)
        assert any("stopped unexpectedly" in m for m in said) and any("running again" in m for m in said)
        assert epg.EmbeddedPostgres(tmp_path / "pg").url == url  # same address for the service's pool
    finally:
        stop.set()
        watcher.join(5)
        pg.destroy()


def test_only_the_last_user_stops_the_cluster(tmp_path):
    pg = epg.EmbeddedPostgres(tmp_path / "pg", durable=False)
    users = epg.ClusterUsers(pg)
    other = subprocess.Popen(["sleep", "60"])  # a second instance, still running
    try:
        users.join()
        (users.folder / str(other.pid)).touch()
        assert users.leave() is False  # the other one still uses it
        users.join()
        other.kill()
        other.wait()
        assert users.leave() is True  # the other one is gone: this was the last
        (users.folder / "999999999").touch()  # a lease left by a process that died
        assert users.others() == [] and not (users.folder / "999999999").exists()
    finally:
        other.kill()


def test_the_command_line_finds_the_running_embedded_database(tmp_path):
    project = tmp_path / "project"
    assert epg.running_default(project) is None
    pg = epg.EmbeddedPostgres(epg.default_root(project), durable=False)
    try:
        url = pg.start()
        found = epg.running_default(project)
        assert found.url == url and found.service_url.startswith("postgresql://gis_app:")
        pg.stop()
        assert epg.running_default(project) is None
    finally:
        pg.destroy()
