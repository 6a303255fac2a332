"""Small database chores the running service does every few seconds: fold the data
change log into the per-table counters (tile cache keys), and seal new audit rows into
the keyed chain with a signed checkpoint. Each skips when another worker is on it."""

from __future__ import annotations

import asyncio
import logging

from gis_service.audit import chain
from gis_service.audit.keys import AuditKeyError, load_key
from gis_service.core.settings import Settings

log = logging.getLogger(__name__)


async def warn_about_privileges(pool) -> None:
    """Say so loudly when the service's own credentials could rewrite the audit log."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            """SELECT r.rolsuper, pg_has_role(current_user, t.tableowner, 'USAGE')
               FROM pg_roles r, pg_tables t
               WHERE r.rolname = current_user AND t.schemaname = 'public' AND t.tablename = 'audit_log'"""
        )
        row = await cur.fetchone()
    if row and any(row):
        log.warning(
            "The service connects as a database superuser or the schema owner: its own credentials "
            "could switch off the audit log's protection. Give it a role of its own "
            "(DATABASE_URL) and keep the owner's for DATABASE_OWNER_URL."
        )


async def run_forever(pool, settings: Settings, every_seconds: float = 10.0) -> None:
    try:
        key = load_key(settings, create=True)
    except (AuditKeyError, OSError) as exc:
        key = None
        log.error("audit rows will not be sealed: %s", exc)
    try:
        await warn_about_privileges(pool)
    except Exception:
        log.warning("could not check the service's database privileges", exc_info=True)
    while True:
        try:
            async with pool.connection() as conn:
                await conn.execute("SELECT compact_data_changes()")
                if key is not None:
                    await chain.seal_and_checkpoint(conn, key, settings)
        except Exception:  # the database may be restarting; try again next round
            log.warning("maintenance round failed", exc_info=True)
        await asyncio.sleep(every_seconds)
