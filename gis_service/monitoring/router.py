"""GET /metrics: Prometheus text, for the monitoring system only (METRICS_TOKEN as a
bearer token, or a caller in METRICS_ALLOWED, the local addresses by default)."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from gis_service.core.errors import Forbidden
from gis_service.core.memory import rss_bytes
from gis_service.monitoring import metrics

router = APIRouter(tags=["health"])


def _allowed(request: Request) -> bool:
    settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    if settings.metrics_token and header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].encode(), settings.metrics_token.encode())
    peer = request.client.host if request.client else None
    return peer in settings.metrics_allowed


def sample_worker(app) -> None:
    """This worker's pools, cache, change feed and memory, as gauges."""
    stats = app.state.pg_pool.get_stats()
    size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
    metrics.POOL.labels("tiles_and_items", "in_use").set(size - idle)
    metrics.POOL.labels("tiles_and_items", "waiting").set(stats.get("requests_waiting", 0))
    metrics.POOL.labels("tiles_and_items", "open").set(size)
    engine_pool = app.state.engine.pool
    metrics.POOL.labels("writes", "in_use").set(engine_pool.checkedout())
    metrics.POOL.labels("writes", "open").set(engine_pool.size())
    metrics.TILE_CACHE_BYTES.set(app.state.tile_cache.size_bytes)
    metrics.CHANGE_FEED.set(1 if app.state.change_feed.live else 0)
    metrics.MEMORY.set(rss_bytes())


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(request: Request) -> Response:
    if not _allowed(request):
        raise Forbidden(
            "Metrics are for the monitoring system: send METRICS_TOKEN or call from an allowed address.",
            "监控指标仅供监控系统读取：请提供 METRICS_TOKEN 或从允许的地址访问。",
        )
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
