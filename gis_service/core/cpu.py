"""CPU-heavy work off the event loop. Hashing a password, decoding a photo, reading a
spreadsheet or a vector file, checking an import's rows and writing an export each take
from tens of milliseconds to seconds; done on the event loop they stop every other
request of the worker meanwhile. They run here in worker threads instead (argon2,
Pillow, GDAL and PROJ do their heavy work outside the GIL), at most one per core but one
at a time, so that a core stays free for the event loop and the database; beyond a
bounded queue of waiting jobs a request is told to retry (503)."""

from __future__ import annotations

import functools
import os

import anyio
import anyio.to_thread

from gis_service.core.errors import Unavailable

WORKERS = max(1, (os.cpu_count() or 2) - 1)
MAX_WAITING = 64
_limiter: anyio.CapacityLimiter | None = None


def _limit() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:  # made inside the event loop, as anyio wants
        _limiter = anyio.CapacityLimiter(WORKERS)
    return _limiter


async def run_cpu(fn, /, *args, **kwargs):
    """fn(*args, **kwargs) in a worker thread, its result or exception returned here."""
    limiter = _limit()
    if limiter.statistics().tasks_waiting >= MAX_WAITING:
        raise Unavailable(
            "The service is busy with heavy work; try again in a moment.",
            "服务正忙于处理大量计算，请稍后重试。",
            headers={"Retry-After": "2"},
        )
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=limiter)
