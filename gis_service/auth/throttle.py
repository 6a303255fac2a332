"""Throttling sign-in. Each attempt is counted before its password is checked, in one
step under a lock per account and per client address, so that parallel guesses cannot
all pass the count: past the limit for the account (`SIGN_IN_MAX_FAILURES`) or for the
address (`SIGN_IN_MAX_FAILURES_PER_CLIENT`) within the window, attempts get 429 until the
oldest failure leaves it. A successful sign-in takes its attempt back and clears the
account's failures. Kept in the database so every worker process sees the same count.

The client address is the connection's, or, when the connection comes from a configured
trusted proxy (`TRUSTED_PROXIES`), the last address in X-Forwarded-For that is not one of
them."""

from __future__ import annotations

import ipaddress
import math
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from gis_service.core.errors import TooManyRequests

MAX_USERNAME = 150


def client_address(request: Request, trusted_proxies: list[str]) -> str | None:
    peer = request.client.host if request.client else None
    if peer is None or peer not in trusted_proxies:
        return _valid(peer)
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return _valid(hop)
    return _valid(peer)


def _valid(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def _too_many(seconds: float, what_en: str, what_zh: str) -> TooManyRequests:
    seconds = max(1, math.ceil(seconds))
    minutes = math.ceil(seconds / 60)
    return TooManyRequests(
        f"Too many failed sign-ins {what_en}; try again in {minutes} minute(s).",
        f"{what_zh}登录失败次数过多，请 {minutes} 分钟后再试。",
        headers={"Retry-After": str(seconds)},
    )


async def reserve(
    db_session: AsyncSession,
    *,
    username: str,
    client: str | None,
    max_failures: int,
    max_per_client: int,
    window: timedelta,
) -> None:
    """Count this attempt as a failure now, or refuse it (429) when a limit is reached.
    Commits, so that every other attempt sees it before any password is checked."""
    name = username[:MAX_USERNAME]
    # one lock per key, always in this order: no deadlock between two attempts
    await db_session.execute(text("SELECT pg_advisory_xact_lock(hashtext('sign-in:' || :u))"), {"u": name})
    if client:
        await db_session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('sign-in@' || :c))"), {"c": client}
        )
    row = (
        await db_session.execute(
            text("""
            SELECT count(*) FILTER (WHERE username = :u) AS n_user,
                   min(at) FILTER (WHERE username = :u) AS oldest_user,
                   count(*) FILTER (WHERE client = CAST(:c AS inet)) AS n_client,
                   min(at) FILTER (WHERE client = CAST(:c AS inet)) AS oldest_client,
                   now() AS now
            FROM sign_in_failure
            WHERE at > now() - :window AND (username = :u OR client = CAST(:c AS inet))"""),
            {"u": name, "c": client, "window": window},
        )
    ).one()
    if row.n_user >= max_failures:
        await db_session.rollback()
        raise _too_many((row.oldest_user + window - row.now).total_seconds(), "for this account", "该账号")
    if client and row.n_client >= max_per_client:
        await db_session.rollback()
        raise _too_many((row.oldest_client + window - row.now).total_seconds(), "from this address", "该地址")
    await db_session.execute(
        text("INSERT INTO sign_in_failure (username, client) VALUES (:u, CAST(:c AS inet))"),
        {"u": name, "c": client},
    )
    # Old rows are no longer needed by anyone; clearing them here keeps the table small.
    await db_session.execute(text("DELETE FROM sign_in_failure WHERE at < now() - interval '1 day'"))
    await db_session.commit()


async def clear(db_session: AsyncSession, *, username: str) -> None:
    """A successful sign-in: the account's failures (this attempt's included) are gone."""
    await db_session.execute(
        text("DELETE FROM sign_in_failure WHERE username = :u"), {"u": username[:MAX_USERNAME]}
    )
