"""Small database chores the running service does every few seconds: fold the data
change log into the per-table counters (tile cache keys) and seal new audit rows into
the hash chain. Both are single SQL functions that skip when another worker is on them."""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)

CHORES = ("SELECT compact_data_changes()", "SELECT seal_audit_log()")


async def run_forever(pool, every_seconds: float = 10.0) -> None:
    while True:
        for sql in CHORES:
            try:
                async with pool.connection() as conn:
                    await conn.execute(sql)
            except Exception:  # the database may be restarting; try again next round
                log.warning("maintenance step failed", extra={"step": sql}, exc_info=True)
        await asyncio.sleep(every_seconds)
