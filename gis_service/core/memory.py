"""A worker's memory, kept bounded. Large requests (a 50 MB upload parsed, a 10,000-feature
page) leave glibc holding freed memory that it does not hand back by itself; a worker
grown 128 MB past its size after start-up gives free memory back (malloc_trim) at the next
check, and one past `WORKER_MAX_RSS_MB` that is still past it after doing so
is replaced gracefully: it stops as on SIGTERM, after
finishing the requests in hand, and uvicorn's supervisor starts a fresh one. A single
worker (no supervisor to start another) only gives memory back."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import logging
import os
import signal

log = logging.getLogger("gis_service.memory")
CHECK_EVERY_S = 15.0
GIVE_BACK_ABOVE_BASELINE = 128 * 1024 * 1024
_PAGE = os.sysconf("SC_PAGE_SIZE")


SUPERVISED_ENV = "GIS_SERVICE_SUPERVISED"  # set by `serve` when uvicorn runs several workers


def supervised() -> bool:
    """Whether a supervisor starts a new worker when this one stops (never in a process
    that embeds the app, such as the tests)."""
    return os.environ.get(SUPERVISED_ENV) == "1"


def rss_bytes() -> int:
    """This process's resident set size."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except OSError:
        return 0


def give_back() -> None:
    """Return freed heap pages to the system (glibc); nothing elsewhere."""
    name = ctypes.util.find_library("c")
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).malloc_trim(0)


async def guard(limit_mb: int, supervised: bool) -> None:
    """Runs for the worker's life (started in the app's lifespan)."""
    if limit_mb <= 0:
        return
    limit = limit_mb * 1024 * 1024
    baseline = rss_bytes()
    while True:
        await asyncio.sleep(CHECK_EVERY_S)
        # after a large request, long before the limit, and always before a replacement
        if rss_bytes() > min(limit, baseline + GIVE_BACK_ABOVE_BASELINE):
            give_back()
        after = rss_bytes()
        if after <= limit:
            continue
        if supervised:
            log.warning("worker past %d MB (%d MB resident): replaced gracefully", limit_mb, after >> 20)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        log.warning(
            "worker past %d MB (%d MB resident) with no supervisor to replace it", limit_mb, after >> 20
        )
