"""Throttling sign-in: after too many failures for one user name within a window,
attempts are refused with 429 until the oldest failure leaves the window. Kept in the
database so every worker process sees the same count."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.core.errors import TooManyRequests

MAX_USERNAME = 150


async def check(db_session: AsyncSession, *, username: str, max_failures: int, window: timedelta) -> None:
    row = (
        await db_session.execute(
            text("""SELECT count(*) AS n, min(at) AS oldest FROM sign_in_failure
                    WHERE username = :u AND at > now() - :window"""),
            {"u": username[:MAX_USERNAME], "window": window},
        )
    ).one()
    if row.n >= max_failures:
        wait = await db_session.scalar(
            text("SELECT extract(epoch FROM (:oldest + :window) - now())"),
            {"oldest": row.oldest, "window": window},
        )
        seconds = max(1, math.ceil(float(wait)))
        raise TooManyRequests(
            f"Too many failed sign-ins for this account; try again in {math.ceil(seconds / 60)} minute(s).",
            f"该账号登录失败次数过多，请 {math.ceil(seconds / 60)} 分钟后再试。",
            headers={"Retry-After": str(seconds)},
        )


async def record_failure(db_session: AsyncSession, *, username: str) -> None:
    await db_session.execute(
        text("INSERT INTO sign_in_failure (username) VALUES (:u)"), {"u": username[:MAX_USERNAME]}
    )
    # Old rows are no longer needed by anyone; clearing them here keeps the table small.
    await db_session.execute(text("DELETE FROM sign_in_failure WHERE at < now() - interval '1 day'"))


async def clear(db_session: AsyncSession, *, username: str) -> None:
    await db_session.execute(
        text("DELETE FROM sign_in_failure WHERE username = :u"), {"u": username[:MAX_USERNAME]}
    )
