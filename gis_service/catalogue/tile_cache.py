"""An in-process tile cache keyed by the data's version, and those versions in memory.

Every write statement on a table appends a row to `data_change` (a statement trigger,
same transaction as the write), so a table's version, `data_versions()` in SQL, counts
its committed writes without any lock shared between writers. A tile's key and ETag
include the versions of the tables its layer depends on and a hash of the layer's
declaration, so after a commit the next request computes a new key: a stale tile is
never served, and no purge is needed, even with several worker processes each holding
their own cache.

Each process keeps the versions it has read (`TableVersions`), so that a cached tile
costs no database round trip. The same trigger sends `data_changed` after the commit;
the process's change feed forgets that table's version the moment the notice arrives,
and the next tile request reads it again. A write request served by this process forgets
them all when it ends, so its own next read can never be older than its write. Tiles are
kept gzip-compressed and sent as they are to clients that accept gzip.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread
from fastapi import Request, Response
from prometheus_client import Counter

from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.catalogue.tile_grids import WEB_MERCATOR, Grid
from gis_service.core.etags import revalidated, unchanged
from gis_service.monitoring import metrics


class MemoryCache:
    """The least recently used answers up to `max_bytes` in all (`size` tells an answer's),
    counted in the metrics' `hits` and `misses` counters (the tiles' by default)."""

    def __init__(
        self,
        max_bytes: int = 64 * 1024 * 1024,
        *,
        hits: Counter = metrics.TILE_CACHE_HITS,
        misses: Counter = metrics.TILE_CACHE_MISSES,
        size: Callable[[Any], int] = len,
    ) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._size = 0
        self._size_of = size
        self._lock = threading.Lock()
        self._hit, self._missed = hits, misses
        self.hits = self.misses = 0

    def get(self, key: str) -> Any:
        with self._lock:
            data = self._items.get(key)
            if data is None:
                self.misses += 1
                self._missed.inc()
                return None
            self._items.move_to_end(key)
            self.hits += 1
            self._hit.inc()
            return data

    @property
    def size_bytes(self) -> int:
        return self._size

    def put(self, key: str, data: Any) -> None:
        size = self._size_of(data)
        if not self.max_bytes or size > self.max_bytes // 8:  # 0: the cache is off
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = data
            self._size += size
            while self._size > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self._size -= self._size_of(old)


class TableVersions:
    """The committed versions of tables, as last read, until a change is announced."""

    def __init__(self, live: Callable[[], bool]) -> None:
        self.live = live
        self._known: dict[str, int] = {}
        self._changes = 0  # bumped by every forget: a read that raced one is not kept

    def forget(self, table: str) -> None:
        self._changes += 1
        self._known.pop(table, None)

    def forget_all(self) -> None:
        self._changes += 1
        self._known.clear()

    def get(self, tables: list[str]) -> str | None:
        if not self.live():
            return None
        try:
            return _joined([(t, self._known[t]) for t in sorted(tables)])
        except KeyError:
            return None

    async def read(self, conn, tables: list[str]) -> str:
        before = self._changes
        rows = await _version_rows(conn, tables)
        if self._changes == before and self.live():
            self._known.update(rows)
        return _joined(rows)


async def current_versions(request: Request, tables: list[str]) -> str:
    """The tables' versions from memory, or one query when they are not known."""
    state = request.app.state
    versions = state.table_versions.get(tables)
    if versions is None:
        async with state.pg_pool.connection() as conn:
            versions = await state.table_versions.read(conn, tables)
    return versions


LARGE_TILE = 64 * 1024  # compressing more than this takes a millisecond or more
_gzip = functools.partial(gzip.compress, compresslevel=5, mtime=0)  # mtime 0: same bytes, same tile


async def compress(raw: bytes) -> bytes:
    """gzip, in a thread for a large tile (zlib lets go of the GIL): a dense tile would
    otherwise hold up every other request of the worker for milliseconds."""
    if not raw:
        return b""
    if len(raw) < LARGE_TILE:
        return _gzip(raw)
    return await anyio.to_thread.run_sync(_gzip, raw)


async def cached_tile(request: Request, key: str, render: Callable[[object], Awaitable[bytes]]) -> bytes:
    """The tile under `key`, gzip-compressed (b"" for an empty tile), rendered on a miss.
    Concurrent misses for one key wait for a single rendering (a map opening asks for the
    same tiles from many clients at once), which a client going away does not cancel."""
    state = request.app.state
    data = state.tile_cache.get(key)
    if data is not None:
        return data
    inflight: dict[str, asyncio.Task] = state.tiles_in_flight
    task = inflight.get(key)
    if task is None:

        async def rendering() -> bytes:
            pool = await state.reads.pool()
            async with state.database_reads, pool.connection() as conn:
                raw = await render(conn)
            data = await compress(raw)
            state.tile_cache.put(key, data)
            return data

        def done(finished: asyncio.Task) -> None:
            inflight.pop(key, None)
            if not finished.cancelled():
                finished.exception()  # seen here even if every waiter has gone

        task = inflight[key] = asyncio.create_task(rendering())
        task.add_done_callback(done)
    return await asyncio.shield(task)


def accepts_gzip(request: Request) -> bool:
    """Whether Accept-Encoding admits gzip (q-values honoured: `gzip;q=0` refuses it)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, *params = [p.strip() for p in part.split(";")]
        if coding.lower() not in ("gzip", "*"):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        return q > 0
    return False


def tile_response(request: Request, compressed: bytes, etag: str, media_type: str) -> Response:
    """200 with the stored bytes (decompressed only for a client without gzip), or 304."""
    headers = revalidated(etag) | {"Vary": "Accept-Encoding"}
    if unchanged(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    if compressed and accepts_gzip(request):
        headers["Content-Encoding"] = "gzip"
        return Response(compressed, media_type=media_type, headers=headers)
    return Response(
        gzip.decompress(compressed) if compressed else b"", media_type=media_type, headers=headers
    )


async def _version_rows(conn, tables: list[str]) -> list[tuple[str, int]]:
    cur = await conn.execute(
        "SELECT table_name, version FROM data_versions(%s) ORDER BY table_name", (sorted(tables),)
    )
    return await cur.fetchall()


def _joined(rows: list[tuple[str, int]]) -> str:
    """Versions as one string, `table:version,...` in table order: part of every tile key."""
    return ",".join(f"{t}:{v}" for t, v in rows)


async def table_versions(conn, tables: list[str]) -> str:
    """The committed versions of these tables, read now, as one string."""
    return _joined(await _version_rows(conn, tables))


async def layer_versions(conn, layer: LayerDeclaration) -> str:
    """The versions of the tables a layer depends on, as one string."""
    return await table_versions(conn, layer.depends_on or [layer.source])


def key_for(layer: LayerDeclaration, versions: str, z: int, x: int, y: int, grid: Grid = WEB_MERCATOR) -> str:
    # Web Mercator keys name no grid: the keys (and ETags) of stored offline areas stay valid
    raw = f"{layer.fingerprint}|{versions}|{z}/{x}/{y}" + ("" if grid is WEB_MERCATOR else f"|{grid.id}")
    if layer.read_within is not None:  # the rows of one unit (READ_SCOPE=unit)
        raw += f"|within {layer.read_within}"
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


async def tile_key(
    request: Request, layer: LayerDeclaration, z: int, x: int, y: int, grid: Grid = WEB_MERCATOR
) -> str:
    """A key (and ETag) that changes whenever the layer's data or declaration changes."""
    versions = await current_versions(request, layer.depends_on or [layer.source])
    return key_for(layer, versions, z, x, y, grid)
