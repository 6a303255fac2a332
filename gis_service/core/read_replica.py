"""Reads on a streaming replica (DATABASE_READ_URL) that are never older than the primary
was when the read began.

Tiles, items and searches go to the replica only when it has replayed the primary's
current WAL position: before each such read the primary is asked for its position (one
tiny query; the heavy query still runs on the replica), and the replica's replayed
position is re-read only while it is behind, for up to CATCH_UP_WAIT_S. So a visit an inspector has just saved is
in their next map request, from whichever worker serves it, and the primary carries the
reads only while the replica catches up (milliseconds on a local network). A replica
that cannot be reached sends reads to the primary.

Writes, sign-ins and everything else use the primary: routes opt in to the replica by
asking this router for their connection (`pool`) or session (`ReadSessionDep`).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

log = logging.getLogger("gis_service.read_replica")

# Which database served the current request's read, for the request log. A dict the log
# hands out per request, so that a read in a task of its own (a tile rendering) still
# reports to it.
served_by: contextvars.ContextVar[dict | None] = contextvars.ContextVar("served_by", default=None)


def lsn(text: str | None) -> int:
    """A WAL position 'X/Y' as a number."""
    if not text:
        return 0
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


# A replica a little behind (even a read on the primary may write WAL: page pruning) is
# usually there within a millisecond or two: wait that long rather than load the primary.
CATCH_UP_WAIT_S = 0.02
CATCH_UP_POLL_S = 0.002
# With a replica, the service's own commits are flushed before they are acknowledged
# (whatever the server's default), so that the flushed position covers them.
SYNCHRONOUS_COMMIT = "-c synchronous_commit=on"


class ReadRouting:
    def __init__(self, primary: AsyncConnectionPool, replica: AsyncConnectionPool | None) -> None:
        self.primary = primary
        self.replica = replica
        self.replayed = 0  # the replica's replayed position when last read
        self.served = {"primary": 0, "replica": 0}

    async def _primary_position(self) -> int:
        # The flushed position: every commit acknowledged so far (the service commits
        # synchronously when it has a replica, see SYNCHRONOUS_COMMIT). WAL still in the
        # primary's buffers (page pruning by a read) is not waited for.
        async with self.primary.connection() as conn:
            row = await (await conn.execute("SELECT pg_current_wal_flush_lsn()::text")).fetchone()
        return lsn(row[0])

    async def _replica_position(self) -> int:
        try:
            async with self.replica.connection(timeout=2) as conn:
                row = await (await conn.execute("SELECT pg_last_wal_replay_lsn()::text")).fetchone()
            return lsn(row[0])
        except (psycopg.Error, PoolTimeout) as exc:
            log.warning("read replica unavailable, reading from the primary", extra={"error": str(exc)})
            return 0

    async def use_replica(self) -> bool:
        """True when the replica holds everything the primary has committed so far."""
        if self.replica is None:
            return False
        target = await self._primary_position()
        deadline = time.monotonic() + CATCH_UP_WAIT_S
        while self.replayed < target:
            self.replayed = await self._replica_position()
            if self.replayed >= target or time.monotonic() > deadline:
                break
            await asyncio.sleep(CATCH_UP_POLL_S)
        which = "replica" if self.replayed >= target else "primary"
        self.served[which] += 1
        if (report := served_by.get()) is not None:
            report["db"] = which
        return which == "replica"

    async def pool(self) -> AsyncConnectionPool:
        return self.replica if await self.use_replica() else self.primary
