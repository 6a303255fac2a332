"""GET /metrics: Prometheus text, for the monitoring system only (METRICS_TOKEN as a
bearer token, or a caller in METRICS_ALLOWED, the local addresses by default)."""

from __future__ import annotations

import asyncio
import hmac

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from gis_service.core.errors import Forbidden, Unauthorized
from gis_service.core.memory import rss_bytes
from gis_service.monitoring import metrics

router = APIRouter(tags=["health"])


def _check_caller(request: Request) -> None:
    """An allowed address, or the metrics token; 401 with no credentials, 403 with others
    (a user's own sign-in is not the monitoring system's)."""
    settings = request.app.state.settings
    peer = request.client.host if request.client else None
    if peer in settings.metrics_allowed:
        return
    header = request.headers.get("authorization", "")
    if not header:
        raise Unauthorized(
            "Metrics are for the monitoring system: send METRICS_TOKEN as a bearer token.",
            "监控指标仅供监控系统读取：请以 Bearer 方式提供 METRICS_TOKEN。",
        )
    token = header[7:] if header.startswith("Bearer ") else ""
    if not (settings.metrics_token and hmac.compare_digest(token.encode(), settings.metrics_token.encode())):
        raise Forbidden(
            "Metrics are for the monitoring system: this is not METRICS_TOKEN.",
            "监控指标仅供监控系统读取：所给凭据不是 METRICS_TOKEN。",
        )


def sample_worker(app) -> None:
    """This worker's pools, cache and memory, as gauges (the change feed sets its own)."""
    stats = app.state.pg_pool.get_stats()
    size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
    metrics.POOL.labels("tiles_and_items", "in_use").set(size - idle)
    metrics.POOL.labels("tiles_and_items", "waiting").set(stats.get("requests_waiting", 0))
    metrics.POOL.labels("tiles_and_items", "open").set(size)
    engine_pool = app.state.engine.pool
    metrics.POOL.labels("writes", "in_use").set(engine_pool.checkedout())
    metrics.POOL.labels("writes", "open").set(engine_pool.size())
    metrics.TILE_CACHE_BYTES.set(app.state.tile_cache.size_bytes)
    metrics.PAGE_CACHE_BYTES.set(app.state.page_cache.size_bytes)
    metrics.MEMORY.set(rss_bytes())


async def sample_forever(app, every_s: float = 1.0) -> None:
    """Each worker keeps its own gauges current: /metrics is answered by one worker, and
    sums or takes the minimum over all of them (a worker never asked must not read 0)."""
    while True:
        sample_worker(app)
        await asyncio.sleep(every_s)


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(request: Request) -> Response:
    _check_caller(request)
    sample_worker(request.app)
    async with request.app.state.sessionmaker() as session:
        unsealed, oldest = (
            await session.execute(
                # rows are sealed in id order: those past the last sealed id wait (by the key)
                text("""SELECT count(*), extract(epoch FROM now() - min(at)) FROM audit_log
                        WHERE id > COALESCE((SELECT max(audit_id) FROM audit_seal), 0)""")
            )
        ).one()
    metrics.AUDIT_UNSEALED.set(unsealed)
    metrics.AUDIT_LAG.set(float(oldest or 0))
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
