"""The most frequent reads take no ORM session, no thread hop and no extra round trip."""

from __future__ import annotations

import inspect

from gis_service.core.settings import MAX_AUTO_WORKERS, Settings
from tests.auth.routes import api_routes, dependency_calls


def test_hot_reads_open_no_orm_session(app, client, auth, db):
    opened = []
    real = app.state.sessionmaker

    def counting():
        opened.append(1)
        return real()

    lon, lat = db.execute("SELECT ST_X(geom), ST_Y(geom) FROM grave ORDER BY id LIMIT 1").fetchone()
    box = f"{lon - 0.02},{lat - 0.02},{lon + 0.02},{lat + 0.02}"
    app.state.sessionmaker = counting
    try:
        h = auth("admin")
        for path in (
            "/api/v1/auth/me",
            "/api/v1/layers/grave/tiles/12/3287/1549",
            f"/ogc/collections/grave/items?bbox={box}&limit=10",
            f"/api/v1/layers/grave/items?bbox={box}&limit=10",
        ):
            r = client.get(path, headers=h)
            assert r.status_code == 200, (path, r.text[:200])
    finally:
        app.state.sessionmaker = real
    assert opened == []


def test_no_dependency_runs_in_a_thread(app):
    """FastAPI runs a plain `def` dependency in the thread pool on every request: the
    service's own dependencies are all `async def`."""
    seen = set()
    for route in api_routes(app):
        for call in dependency_calls(route.dependant):
            module = getattr(call, "__module__", "") or ""
            if module.startswith("gis_service") and not inspect.isclass(call):
                seen.add(call.__qualname__)
                is_async = inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)
                assert is_async, f"{module}.{call.__qualname__} is not async"
    assert {"get_optional_user", "readable_layer", "get_current_user"} <= seen


def test_one_worker_per_core_by_default(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert Settings(_env_file=None).worker_count == 2
    monkeypatch.setattr("os.cpu_count", lambda: 64)
    assert Settings(_env_file=None).worker_count == MAX_AUTO_WORKERS
    assert Settings(_env_file=None, workers=3).worker_count == 3
