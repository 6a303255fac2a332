"""Application factory: settings -> engine -> catalogue -> routers."""

from __future__ import annotations

import asyncio
import gc
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic.json_schema import models_json_schema

from gis_service.admin_units.router import router as admin_units_router
from gis_service.auth import read_scopes, write_scopes
from gis_service.auth.router import router as auth_router
from gis_service.auth.token_cache import TokenCache
from gis_service.basemap.packages import open_package
from gis_service.basemap.router import router as basemap_router
from gis_service.boundaries.router import router as boundaries_router
from gis_service.catalogue.answer_cache import AnswerCache
from gis_service.catalogue.declarations import Catalogue
from gis_service.catalogue.router import hot_router
from gis_service.catalogue.router import router as catalogue_router
from gis_service.catalogue.tile_cache import MemoryCache, TableVersions
from gis_service.core import memory
from gis_service.core.body_limit import BodyLimitMiddleware
from gis_service.core.change_feed import ChangeFeed
from gis_service.core.db import make_engine, make_sessionmaker
from gis_service.core.errors import install_error_handlers
from gis_service.core.head_requests import HeadAsGetMiddleware
from gis_service.core.health import router as health_router
from gis_service.core.logging import RequestLogMiddleware, configure_logging
from gis_service.core.openapi_errors import document_errors
from gis_service.core.pg_pool import make_pool
from gis_service.core.public_url import AllowedHostsMiddleware, PathPrefixMiddleware, host_names, path_prefix
from gis_service.core.read_replica import ReadRouting
from gis_service.core.read_your_writes import ReadYourWritesMiddleware
from gis_service.core.security_headers import SecurityHeadersMiddleware
from gis_service.core.settings import Settings, get_settings
from gis_service.core.text_input import TextInputMiddleware
from gis_service.disputes.router import router as disputes_router
from gis_service.funeral.router import router as funeral_router
from gis_service.indicators.router import router as indicators_router
from gis_service.inspections.schemas import InspectionIn
from gis_service.joint_inspections.router import router as joint_inspections_router
from gis_service.markers.router import router as markers_router
from gis_service.monitoring import metrics
from gis_service.monitoring.middleware import RequestMetricsMiddleware
from gis_service.monitoring.router import router as metrics_router
from gis_service.monitoring.router import sample_forever
from gis_service.offline.router import router as offline_router
from gis_service.ogc.router import items_router as ogc_items_router
from gis_service.ogc.router import page_for_error as ogc_page_for_error
from gis_service.ogc.router import router as ogc_router
from gis_service.ogc.tiles import router as ogc_tilesets_router
from gis_service.ogc.tiles import tiles_router as ogc_tiles_router
from gis_service.ogc.transactions import router as ogc_transactions_router
from gis_service.ops import maintenance
from gis_service.photos.router import router as photos_router
from gis_service.placenames.router import router as placenames_router
from gis_service.placenames.signs_router import router as signs_router
from gis_service.register_update.router import router as register_update_router
from gis_service.web.router import mount_static
from gis_service.web.router import router as web_router
from gis_service.web.trust import router as trust_router


def _lifespan(settings: Settings):
    """What each worker opens at start and closes at the end: pools, engines, the read
    replica's routing, and the background chores."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        engine = make_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.pg_pool = make_pool(settings)
        await app.state.pg_pool.open(wait=False)
        # The read replica, when there is one: its own pool and engine, chosen per read.
        read_url = settings.read_sqlalchemy_url
        read_pool = make_pool(settings, read_url) if read_url else None
        read_engine = make_engine(settings, read_url) if read_url else None
        if read_pool is not None:
            await read_pool.open(wait=False)
        app.state.reads = ReadRouting(app.state.pg_pool, read_pool)
        app.state.read_sessionmaker = make_sessionmaker(read_engine) if read_engine else None
        chores = asyncio.create_task(maintenance.run_forever(app.state.pg_pool, settings))
        listening = asyncio.create_task(app.state.change_feed.run_forever())
        memory_guard = asyncio.create_task(memory.guard(settings.worker_max_rss_mb, memory.supervised()))
        gauges = asyncio.create_task(sample_forever(app))
        # Long-lived start-up objects (models, routes, catalogue) leave the GC's scans:
        # fewer and shorter collection pauses under load.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            chores.cancel()
            listening.cancel()
            memory_guard.cancel()
            gauges.cancel()
            metrics.worker_gone(os.getpid())
            await app.state.pg_pool.close()
            await engine.dispose()
            if read_pool is not None:
                await read_pool.close()
                await read_engine.dispose()

    return lifespan


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """The middleware stack, innermost first (Starlette wraps each new one around the last)."""
    install_error_handlers(app, html_page=ogc_page_for_error)
    app.add_middleware(RequestMetricsMiddleware)  # innermost: the route that answered is known
    app.add_middleware(TextInputMiddleware)  # what reaches the routes is clean text
    app.add_middleware(ReadYourWritesMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(HeadAsGetMiddleware)  # HEAD is a GET without its body
    app.add_middleware(
        BodyLimitMiddleware,
        json_bytes=settings.max_json_body_mb << 20,
        upload_bytes=settings.max_upload_body_mb << 20,
    )
    app.add_middleware(PathPrefixMiddleware, prefix=path_prefix(settings.public_url))
    # outermost: a Host that is not one of ours is refused before anything can use it
    app.add_middleware(AllowedHostsMiddleware, names=host_names(settings.public_url, settings.allowed_hosts))


# Starlette tries routes in order: the hot reads (tiles, items, the signed-in user) come
# first, so that they do not pay for matching every other route.
ROUTERS = (
    hot_router,
    ogc_items_router,
    ogc_tiles_router,
    health_router,
    metrics_router,
    auth_router,
    catalogue_router,
    ogc_router,
    ogc_tilesets_router,
    basemap_router,
    admin_units_router,
    boundaries_router,
    markers_router,
    photos_router,
    joint_inspections_router,
    disputes_router,
    placenames_router,
    signs_router,
    funeral_router,
    indicators_router,
    offline_router,
    register_update_router,
    ogc_transactions_router,
    web_router,
    trust_router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json, settings.log_file)
    app = FastAPI(
        title="Boundary and place-name GIS service",
        version="0.1.0",
        description="Administrative boundaries and markers, place names, funeral facilities. "
        "Geometry is stored in CGCS2000 (EPSG:4490); GeoJSON is lon/lat.",
        lifespan=_lifespan(settings),
        docs_url=None,  # served offline by web.router
        redoc_url=None,
        # where clients send what the document describes: the public address, never a guess
        servers=[{"url": settings.public_url.rstrip("/")}] if settings.public_url else None,
    )
    app.state.settings = settings
    app.state.catalogue = Catalogue(settings.layers_dir)
    app.state.tile_cache = MemoryCache(settings.tile_cache_mb << 20)
    app.state.page_cache = MemoryCache(
        settings.page_cache_mb << 20,
        hits=metrics.PAGE_CACHE_HITS,
        misses=metrics.PAGE_CACHE_MISSES,
        size=lambda page: page.size,
    )
    app.state.answer_cache = AnswerCache()
    app.state.tiles_in_flight = {}
    # Tiles rendered and item pages read at once by this worker: more than the cores only
    # slices PostgreSQL's CPU thinner, so that every query in the queue finishes late (a
    # long tail) and none sooner.
    app.state.database_reads = asyncio.Semaphore(os.cpu_count() or 2)
    _listen_for_changes(app, settings)
    # a bureau's own base map package, else the reference base map from the database
    app.state.basemap = open_package(settings.basemap_file) if settings.basemap_file else None
    _add_middleware(app, settings)
    for router in ROUTERS:
        app.include_router(router)
    if missing := write_scopes.unscoped(app.routes):
        raise RuntimeError(f"write routes without a scope in auth/write_scopes.py: {', '.join(missing)}")
    mount_static(app, settings)
    if missing := read_scopes.unscoped(app.routes):
        raise RuntimeError(f"read routes without a scope in auth/read_scopes.py: {', '.join(missing)}")
    _document_extra_schemas(app, [InspectionIn])
    return app


def _listen_for_changes(app: FastAPI, settings: Settings) -> None:
    """Sign-ins and table versions cached in this process, kept true by the database's
    notifications (and trusted only while they can be heard)."""
    feed = ChangeFeed(lambda: settings.sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1))
    live = lambda: feed.live  # noqa: E731
    app.state.change_feed = feed
    app.state.token_cache = TokenCache(live)
    app.state.basic_cache = TokenCache(live)  # HTTP Basic credentials accepted (auth/basic.py)
    app.state.basic_inflight = {}  # credentials being checked now, shared by parallel requests
    app.state.table_versions = TableVersions(live)
    feed.on("auth_changed", app.state.token_cache.drop_user)
    feed.on("auth_changed", app.state.basic_cache.drop_user)
    feed.on("data_changed", app.state.table_versions.forget)
    feed.on_reset(app.state.token_cache.clear)
    feed.on_reset(app.state.basic_cache.clear)
    feed.on_reset(app.state.table_versions.forget_all)
    # The feed is the first to hear that the database went away: the plain pool's idle
    # connections died with it, so drop them now rather than fail a request on each.
    checks: set[asyncio.Task] = set()

    def check_pool() -> None:
        task = asyncio.get_running_loop().create_task(app.state.pg_pool.check())
        checks.add(task)
        task.add_done_callback(checks.discard)

    feed.on_lost(check_pool)


def _document_extra_schemas(app: FastAPI, models: list) -> None:
    """Add models that routes read by hand (JSON or multipart) and the common error
    answers to the OpenAPI document."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        _, defs = models_json_schema(
            [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
        )
        schema.setdefault("components", {}).setdefault("schemas", {}).update(defs.get("$defs", {}))
        app.openapi_schema = document_errors(schema)
        return app.openapi_schema

    app.openapi = openapi
