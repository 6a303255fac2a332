"""The most frequent reads take no ORM session, no thread hop and no extra round trip."""

from __future__ import annotations

import inspect

from sqlalchemy import text

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


def test_lean_routes_are_given_what_their_endpoints_take(app, client, auth, db):
    """A LeanRoute's arguments come from its own function, not from FastAPI: for every lean
    route, a real request's arguments are exactly the endpoint's parameters (one added to
    the signature and not to the arguments would fail here, not as a 500 in use)."""
    from starlette.requests import Request

    from gis_service.core.lean_route import LeanRoute

    lean = [r for r in api_routes(app) if isinstance(r, LeanRoute)]
    assert {r.path for r in lean} >= {
        "/api/v1/layers/{layer_id}/tiles/{z}/{x}/{y}",
        "/api/v1/layers/{layer_id}/items",
        "/ogc/collections/{layer_id}/items",
    }
    token = auth("admin")["Authorization"].encode()
    for route in lean:
        params = {"layer_id": "grave", "z": "12", "x": "3287", "y": "1549"}
        path = route.path.format(**params)
        scope = {
            "type": "http",
            "app": app,
            "method": "GET",
            "path": path,
            "query_string": b"limit=5",
            "headers": [(b"authorization", token)],
            "path_params": {k: v for k, v in params.items() if "{" + k + "}" in route.path},
        }

        async def arguments(route=route, scope=scope):
            return await route.endpoint.lean_arguments(Request(scope))

        given = client.portal.call(arguments)  # on the app's own event loop, where its pools are
        assert set(given) == set(inspect.signature(route.endpoint).parameters), route.path
        assert client.get(path + "?limit=5", headers=auth("admin")).status_code == 200, path


def test_the_services_connections_run_without_jit(app, client):
    """Both the plain pool and the ORM's engine connect with jit=off (core/connection_options):
    LLVM compilation cost more than the short queries it was started for."""

    async def jit_settings():
        async with app.state.pg_pool.connection() as conn:
            pool = (await (await conn.execute("SHOW jit")).fetchone())[0]
        async with app.state.sessionmaker() as session:
            engine = (await session.execute(text("SHOW jit"))).scalar()
        return pool, engine

    assert client.portal.call(jit_settings) == ("off", "off")
