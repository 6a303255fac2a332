"""Signed-in requests without a database round trip: validated tokens are kept in each
process for a few seconds.

The cache is bounded and each entry lives at most TTL seconds (and never past the
token's expiry). A revocation, a password, role or state change or a removed account is
announced by the database after it commits (`auth_changed`, migration 0021) and drops
that user's entries in every process at once; while the announcements cannot be heard,
nothing is served from the cache.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

from gis_service.auth.models import AppUser
from gis_service.auth.security import token_digest
from gis_service.core.errors import Unauthorized

TOKEN_SQL = """
SELECT u.id, u.username, u.display_name, u.role, u.is_active, u.is_demo, u.unit_code,
       u.password_change_required,
       t.revoked_at, t.expires_at
FROM auth_token t JOIN app_user u ON u.id = t.user_id
WHERE t.token_hash = %s"""


class TokenCache:
    def __init__(self, live: Callable[[], bool], max_entries: int = 10_000, ttl_s: float = 5.0) -> None:
        self.live = live
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._items: OrderedDict[str, tuple[AppUser, float]] = OrderedDict()
        self._lock = threading.Lock()
        self.lookups: dict[str, asyncio.Task] = {}  # the token queries running, by digest
        # changes with every drop: a query that began before a revocation keeps nothing
        self.generation = 0

    def get(self, digest: str) -> AppUser | None:
        if not self.live():
            return None
        with self._lock:
            found = self._items.get(digest)
            if found is None:
                return None
            user, until = found
            if until <= time.monotonic():
                del self._items[digest]
                return None
            return user

    def put(self, digest: str, user: AppUser, expires_at: datetime, generation: int | None = None) -> None:
        left = (expires_at - datetime.now(UTC)).total_seconds()
        until = time.monotonic() + min(self.ttl_s, left)
        with self._lock:
            if generation is not None and generation != self.generation:
                return
            self._items[digest] = (user, until)
            self._items.move_to_end(digest)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def drop_user(self, user_id: str) -> None:
        with self._lock:
            self.generation += 1
            self.lookups.clear()
            for digest in [d for d, (u, _) in self._items.items() if str(u.id) == user_id]:
                del self._items[digest]

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self.lookups.clear()
            self._items.clear()


async def user_for_token(pool, cache: TokenCache, token: str) -> AppUser:
    """The signed-in user of a bearer token, from the cache or one query. When an entry
    expires under load, the requests that arrive with that token while its query runs wait
    for that one query instead of each sending their own: a client with 16 connections
    open otherwise sent a burst of queries every TTL, and their wait for the pool was the
    signed-in requests' p99."""
    digest = token_digest(token)
    user = cache.get(digest)
    if user is not None:
        return user
    loop = asyncio.get_running_loop()
    lookup = cache.lookups.get(digest)
    if lookup is None or lookup.get_loop() is not loop:
        lookup = loop.create_task(_look_up(pool, cache, digest, cache.generation))
        cache.lookups[digest] = lookup
        lookup.add_done_callback(functools.partial(_finished, cache.lookups, digest))
    # shielded: a request that goes away does not cancel the others' lookup
    return await asyncio.shield(lookup)


def _finished(lookups: dict, digest: str, lookup: asyncio.Task) -> None:
    if lookups.get(digest) is lookup:
        del lookups[digest]
    if not lookup.cancelled():
        lookup.exception()  # retrieved here, so that one no request awaited is not logged as lost


async def _look_up(pool, cache: TokenCache, digest: str, generation: int) -> AppUser:
    async with pool.connection() as conn:
        cur = await conn.execute(TOKEN_SQL, (digest,))
        row = await cur.fetchone()
    if row is None:
        raise Unauthorized("The sign-in token is not valid; sign in again.", "登录凭证无效，请重新登录。")
    (
        user_id,
        username,
        display_name,
        role,
        is_active,
        is_demo,
        unit_code,
        must_change,
        revoked_at,
        expires_at,
    ) = row
    if revoked_at is not None:
        raise Unauthorized("This sign-in was ended; sign in again.", "该登录已被注销，请重新登录。")
    if expires_at <= datetime.now(UTC):
        raise Unauthorized("The sign-in has expired; sign in again.", "登录已过期，请重新登录。")
    if not is_active:
        raise Unauthorized("This account is disabled.", "该账号已停用。")
    # a plain object outside any session: safe to share between requests
    user = AppUser(
        id=user_id,
        username=username,
        display_name=display_name,
        role=role,
        is_active=is_active,
        is_demo=is_demo,
        unit_code=unit_code,
        password_change_required=must_change,
    )
    cache.put(digest, user, expires_at, generation)
    return user
