"""Guards for requests that do a lot of work for one caller (an offline area's manifest):
a limit on how many of them one user runs at once, across every worker process, and the
work stopped as soon as the caller has gone away."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response

from gis_service.core.errors import TooManyRequests

T = TypeVar("T")
DISCONNECT_POLL_S = 0.5
CLIENT_CLOSED = 499  # nginx's code for "the client closed the request": logged, never seen


@contextlib.asynccontextmanager
async def per_user_slots(
    pool, kind: str, user: str, slots: int, what: tuple[str, str]
) -> AsyncIterator[None]:
    """Hold one of `slots` session advisory locks for (kind, user), or answer 429: one
    database lock per slot, so every worker process sees the same count."""
    async with pool.connection() as conn:
        held = None
        for slot in range(slots):
            cur = await conn.execute(
                "SELECT pg_try_advisory_lock(hashtext(%s), %s)", (f"{kind}:{user}", slot)
            )
            if (await cur.fetchone())[0]:
                held = slot
                break
        if held is None:
            raise TooManyRequests(
                f"{what[0]} (at most {slots} at once); wait for it to finish.",
                f"{what[1]}（最多同时 {slots} 个），请等待完成。",
                headers={"Retry-After": "10"},
            )
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", (f"{kind}:{user}", held))


async def cancel_on_disconnect(request: Request, work: Awaitable[T]) -> T | Response:
    """The work's result; if the caller disconnects first, the work is cancelled (psycopg
    cancels its running query on the server) and a 499 is returned to nobody."""
    task = asyncio.ensure_future(work)
    while True:
        done, _ = await asyncio.wait({task}, timeout=DISCONNECT_POLL_S)
        if done:
            return task.result()
        if await request.is_disconnected():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return Response(status_code=CLIENT_CLOSED)
