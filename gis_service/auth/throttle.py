"""Throttling sign-in, fair to many users behind one address.

Each attempt is counted as a failure before its password is checked, in one step under a
lock per account and per client address, so that parallel guesses cannot all pass the
count. A success takes back only its own attempt: it never clears failures counted
against the account by another client, nor any address's.

- **Per account** (`SIGN_IN_MAX_FAILURES` in the window): past it, every attempt on the
  account gets 429 until the oldest failure leaves the window, whoever makes it.
- **Per address** (`SIGN_IN_MAX_FAILURES_PER_CLIENT`): phones on mobile data share
  carrier-grade NAT addresses and an office shares one, so a noisy address does not
  lock anyone out. As OWASP's guidance on device cookies has it:
  - a device that has signed in to the account before (its `gis_device` cookie) is
    exempt from the address's count;
  - an unknown device from a noisy address is slowed: its attempt waits for the
    address's next slot (`SIGN_IN_SLOW_SECONDS` apart), and is refused with Retry-After
    only when the queue is longer than `SIGN_IN_MAX_WAIT_SECONDS`.

Kept in the database so every worker process sees the same counts. The client address is
the connection's, or, from a trusted proxy (`TRUSTED_PROXIES`), the last address in
X-Forwarded-For that is not one of them."""

from __future__ import annotations

import asyncio
import ipaddress
import math
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from gis_service.auth.security import token_digest
from gis_service.core.errors import BadRequest, TooManyRequests
from gis_service.core.settings import Settings
from gis_service.monitoring import metrics

MAX_USERNAME = 150
DEVICE_COOKIE = "gis_device"
DEVICE_COOKIE_DAYS = 365


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


def _too_many(limit: str, seconds: float, what_en: str, what_zh: str) -> TooManyRequests:
    metrics.SIGN_IN_REFUSALS.labels(limit).inc()
    seconds = max(1, math.ceil(seconds))
    minutes = math.ceil(seconds / 60)
    return TooManyRequests(
        f"Too many failed sign-ins {what_en}; try again in {minutes} minute(s).",
        f"{what_zh}登录失败次数过多，请 {minutes} 分钟后再试。",
        headers={"Retry-After": str(seconds)},
    )


def checked_username(username: str) -> str:
    """The user name as counted; a control character (NUL from a Basic header) is a 400."""
    if any(unicodedata.category(c) == "Cc" for c in username):
        raise BadRequest("The user name contains a control character.", "用户名中含有控制字符。")
    return username[:MAX_USERNAME]


@dataclass(frozen=True)
class Attempt:
    """One counted sign-in attempt: taken back if the password is right."""

    failure_id: int
    username: str


async def _is_known_device(db_session: AsyncSession, request: Request, name: str) -> bool:
    token = request.cookies.get(DEVICE_COOKIE)
    if not token or len(token) > 100:
        return False
    row = await db_session.execute(
        text("SELECT 1 FROM known_device WHERE digest = :d AND username = :u"),
        {"d": token_digest(token), "u": name},
    )
    return row.first() is not None


async def _slot_wait(db_session: AsyncSession, client: str, settings: Settings) -> float:
    """Seconds until this address's next free slot, which this attempt takes."""
    return (
        await db_session.execute(
            text("""
            INSERT INTO sign_in_slot AS s (client, next_at)
            VALUES (CAST(:c AS inet), now() + make_interval(secs => :gap))
            ON CONFLICT (client) DO UPDATE
                SET next_at = greatest(s.next_at, now()) + make_interval(secs => :gap)
            RETURNING extract(epoch FROM s.next_at - now()) - :gap"""),
            {"c": client, "gap": settings.sign_in_slow_seconds},
        )
    ).scalar_one()


async def begin(db_session: AsyncSession, request: Request, settings: Settings, username: str) -> Attempt:
    """Count this attempt as a failure now (and wait for a slot if the address is noisy),
    or refuse it (429). Commits, so that every other attempt sees it before any password
    is checked."""
    name = checked_username(username)
    client = client_address(request, settings.trusted_proxies)
    window = timedelta(minutes=settings.sign_in_window_minutes)
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
                   now() AS now
            FROM sign_in_failure
            WHERE at > now() - :window AND (username = :u OR client = CAST(:c AS inet))"""),
            {"u": name, "c": client, "window": window},
        )
    ).one()
    if row.n_user >= settings.sign_in_max_failures:
        await db_session.rollback()
        raise _too_many(
            "account", (row.oldest_user + window - row.now).total_seconds(), "for this account", "该账号"
        )
    known = await _is_known_device(db_session, request, name)
    wait = 0.0
    if client and not known and row.n_client >= settings.sign_in_max_failures_per_client:
        wait = max(0.0, float(await _slot_wait(db_session, client, settings)))
        if wait > settings.sign_in_max_wait_seconds:
            await db_session.rollback()
            raise _too_many("address", wait, "from this address", "该地址")
    failure_id = (
        await db_session.execute(
            text("INSERT INTO sign_in_failure (username, client) VALUES (:u, CAST(:c AS inet)) RETURNING id"),
            {"u": name, "c": client},
        )
    ).scalar_one()
    # Old rows are no longer needed by anyone; clearing them here keeps the table small.
    await db_session.execute(text("DELETE FROM sign_in_failure WHERE at < now() - interval '1 day'"))
    await db_session.execute(text("DELETE FROM sign_in_slot WHERE next_at < now() - interval '1 hour'"))
    await db_session.commit()
    if wait:
        await asyncio.sleep(wait)
    return Attempt(failure_id, name)


async def succeeded(db_session: AsyncSession, attempt: Attempt) -> None:
    """The password was right: this attempt is not a failure. Nothing else is cleared."""
    await db_session.execute(text("DELETE FROM sign_in_failure WHERE id = :id"), {"id": attempt.failure_id})


async def remember_device(
    db_session: AsyncSession, request: Request, response: Response, attempt: Attempt
) -> None:
    """After a sign-in with the password: this device is known for the account from now on
    (the cookie it already has, or a new one)."""
    token = request.cookies.get(DEVICE_COOKIE)
    if not token or len(token) > 100:
        token = secrets.token_urlsafe(32)
    await db_session.execute(
        text("""
        INSERT INTO known_device (digest, username) VALUES (:d, :u)
        ON CONFLICT (digest, username) DO UPDATE SET last_used_at = now()"""),
        {"d": token_digest(token), "u": attempt.username},
    )
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_DAYS * 86400,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
