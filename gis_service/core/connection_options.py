"""The server settings every connection of the service runs with (libpq `options`), so
that they hold on a bureau's own PostgreSQL as on the embedded one."""

from __future__ import annotations

from gis_service.core.read_replica import SYNCHRONOUS_COMMIT

# PostgreSQL compiles a query with LLVM once its estimated cost passes jit_above_cost.
# PostGIS's costly function estimates put ordinary tile and page queries past it: a dense
# tile of graves spent 4 ms of its 13 compiling. Nothing the service asks runs long enough
# to win that back.
NO_JIT = "-c jit=off"


def connection_options(read_url: str | None, url: str | None) -> dict:
    """Options for a pool or engine on `url` (None: the primary). With a replica at
    `read_url`, the primary's connections also commit synchronously (core/read_replica)."""
    settings = [NO_JIT, SYNCHRONOUS_COMMIT] if read_url and not url else [NO_JIT]
    return {"options": " ".join(settings)}
