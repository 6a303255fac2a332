"""An in-process tile cache keyed by the data's version.

Every write statement on a table appends a row to `data_change` (a statement trigger,
same transaction as the write), so a table's version, `data_versions()` in SQL, counts
its committed writes without any lock shared between writers. A tile's key and ETag include the versions of the tables its
layer depends on and a hash of the layer's declaration, so after a commit the next
request computes a new key: a stale tile is never served, and no purge is needed, even
with several worker processes each holding their own cache.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from gis_service.catalogue.declarations import LayerDeclaration


class TileCache:
    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return data

    def put(self, key: str, data: bytes) -> None:
        if len(data) > self.max_bytes // 8:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = data
            self._size += len(data)
            while self._size > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self._size -= len(old)


async def table_versions(conn, tables: list[str]) -> str:
    """The committed versions of these tables, as one string."""
    cur = await conn.execute(
        "SELECT string_agg(table_name || ':' || version, ',' ORDER BY table_name) FROM data_versions(%s)",
        (tables,),
    )
    return (await cur.fetchone())[0]


async def layer_versions(conn, layer: LayerDeclaration) -> str:
    """The versions of the tables a layer depends on, as one string."""
    return await table_versions(conn, layer.depends_on or [layer.source])


def key_for(layer: LayerDeclaration, versions: str, z: int, x: int, y: int) -> str:
    raw = f"{layer.fingerprint}|{versions}|{z}/{x}/{y}"
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


async def tile_key(conn, layer: LayerDeclaration, z: int, x: int, y: int) -> str:
    """A key (and ETag) that changes whenever the layer's data or declaration changes."""
    return key_for(layer, await layer_versions(conn, layer), z, x, y)
