"""Where a page of features is read, and the pages each worker keeps.

A page is kept under its key: the versions of the tables its layer depends on
(tile_cache.current_versions, from memory while the change feed is heard), the layer's
declaration, the unit its reader is limited to, and the whole query. A commit to any of
those tables changes the next request's key, as for tiles, so a kept page is never stale
and no purge is needed. The key is also the page's ETag: a client revalidating an
unchanged page gets a 304 without any read.

The versions are read before the pool is chosen, so the replica serves the read only once
it holds them (core/read_replica.py): a page is never older than the key it is kept under.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated

from fastapi import Depends, Request
from psycopg_pool import AsyncConnectionPool

from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.catalogue.tile_cache import MemoryCache, current_versions
from gis_service.core.read_replica import ReadRouting


@dataclass(frozen=True)
class FeatureReads:
    """A worker's feature reads: where they run, its slots for reads at once (more than
    the cores only slows each), the pages it keeps, and the tables' current versions."""

    routing: ReadRouting
    slots: asyncio.Semaphore
    pages: MemoryCache
    versions: Callable[[list[str]], Awaitable[str]]

    async def pool(self) -> AsyncConnectionPool:
        """The replica once it has caught up with the primary, else the primary."""
        return await self.routing.pool()


async def get_feature_reads(request: Request) -> FeatureReads:
    state = request.app.state
    return FeatureReads(
        state.reads, state.database_reads, state.page_cache, partial(current_versions, request)
    )


FeatureReadsDep = Annotated[FeatureReads, Depends(get_feature_reads)]


def page_key(layer: LayerDeclaration, versions: str, *query: object) -> str:
    """The key (and ETag) of a page: the data's versions, the declaration, the reader's
    unit and everything that shapes the page (`query`, each with a faithful repr)."""
    raw = f"{layer.fingerprint}|{versions}|within {layer.read_within}|{query!r}"
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
