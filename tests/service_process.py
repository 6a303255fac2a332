"""The service as `gis-service serve` runs it, in processes of its own (several uvicorn
workers under uvicorn's supervisor), against the test database; and one app served in a
thread of the test process, for the browser."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import uvicorn

from gis_service.ops.embedded_postgres import free_port


@contextlib.contextmanager
def in_thread(settings) -> Iterator[str]:
    """The app of these settings served by uvicorn on a free loopback port (its base URL)."""
    from gis_service.main import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


LISTENERS = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'gis_service_changes'"


@contextlib.contextmanager
def served(settings, db, workers: int, **env: str) -> Iterator[str]:
    """The base URL once every worker answers and listens for changes."""
    port = free_port()
    baseline = db.execute(LISTENERS).fetchone()[0]  # the in-process test apps listen too
    full_env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "DATABASE_OWNER_URL": settings.owner_url,
        "AUDIT_DIR": str(settings.audit_dir),
        "PHOTO_DIR": str(settings.photo_dir),
        "LOG_LEVEL": "WARNING",
        **env,
    }
    cmd = [sys.executable, "-m", "gis_service", "serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        listening = db.execute(LISTENERS).fetchone()[0] - baseline
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz").status_code == 200 and listening >= workers:
                break
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the {workers}-worker service did not start")
        time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(20)
