"""The service's metrics, named `gis_<what>_<unit>` and labelled by route template (never
by raw path: a path holds ids). With several uvicorn workers, `serve` sets
PROMETHEUS_MULTIPROC_DIR before any worker starts, and each worker writes its values
there; /metrics, answered by any worker, sums them (gauges by the rule each declares)."""

from __future__ import annotations

import os

from prometheus_client import REGISTRY as SINGLE_PROCESS
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter("gis_http_requests_total", "Requests answered", ["route", "method", "status"])
LATENCY = Histogram(
    "gis_http_request_duration_seconds",
    "Time to answer, by route template",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
POOL = Gauge(
    "gis_db_pool_connections",
    "Database connections by pool and state",
    ["pool", "state"],
    multiprocess_mode="livesum",
)
TILE_CACHE_HITS = Counter("gis_tile_cache_hits_total", "Vector tiles answered from the in-memory cache")
TILE_CACHE_MISSES = Counter("gis_tile_cache_misses_total", "Vector tiles rendered by the database")
TILE_CACHE_BYTES = Gauge("gis_tile_cache_bytes", "Bytes held by the tile caches", multiprocess_mode="livesum")
PAGE_CACHE_HITS = Counter("gis_page_cache_hits_total", "Pages of features answered from the in-memory cache")
PAGE_CACHE_MISSES = Counter("gis_page_cache_misses_total", "Pages of features read from the database")
PAGE_CACHE_BYTES = Gauge(
    "gis_page_cache_bytes", "Bytes of features held by the page caches", multiprocess_mode="livesum"
)
CHANGE_FEED = Gauge(
    "gis_change_feed_connected", "1 while every worker listens for changes", multiprocess_mode="livemin"
)
AUDIT_UNSEALED = Gauge(
    "gis_audit_unsealed_rows", "Audit rows not yet sealed into the chain", multiprocess_mode="livemostrecent"
)
AUDIT_LAG = Gauge(
    "gis_audit_seal_lag_seconds",
    "Age of the oldest audit row not yet sealed",
    multiprocess_mode="livemostrecent",
)
VISITS = Counter("gis_visits_received_total", "Visits stored (markers and signs)", ["asset"])
RESENDS = Counter(
    "gis_visit_resends_total", "Visits sent again and answered with the first result", ["asset"]
)
SIGN_IN_FAILURES = Counter("gis_sign_in_failures_total", "Sign-ins refused for a wrong password", ["door"])
SIGN_IN_REFUSALS = Counter("gis_sign_in_throttled_total", "Sign-in attempts refused by a limit", ["limit"])
MEMORY = Gauge(
    "gis_process_resident_memory_bytes", "Resident memory of each worker", multiprocess_mode="liveall"
)


def exposition() -> bytes:
    """The text format of every worker's metrics (or this process's, with one worker)."""
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(SINGLE_PROCESS)


def worker_gone(pid: int) -> None:
    if os.environ.get(MULTIPROCESS_ENV):
        multiprocess.mark_process_dead(pid)
