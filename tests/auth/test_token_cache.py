"""The per-process sign-in cache (auth/token_cache.py) against the real database: one query
per token at a time, and nothing kept from a query that a revocation overtook."""

import asyncio

from psycopg_pool import AsyncConnectionPool

from gis_service.auth.security import token_digest
from gis_service.auth.token_cache import TokenCache, user_for_token


class CountingPool:
    """The real pool, counting the connections taken from it."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool, self.taken = pool, 0

    def connection(self):
        self.taken += 1
        return self.pool.connection()


def _run(database_url, steps):
    async def main():
        async with AsyncConnectionPool(database_url, min_size=1, max_size=4, open=False) as pool:
            return await steps(CountingPool(pool))

    return asyncio.run(main())


def test_requests_arriving_together_share_one_query(database_url, tokens):
    cache = TokenCache(live=lambda: True)

    async def steps(pool):
        users = await asyncio.gather(*(user_for_token(pool, cache, tokens["viewer"]) for _ in range(20)))
        again = await user_for_token(pool, cache, tokens["viewer"])  # from the cache now
        return users, again, pool.taken

    users, again, taken = _run(database_url, steps)
    assert {u.username for u in users} == {again.username} == {"demo_viewer"}
    assert taken == 1 and cache.lookups == {}


def test_a_query_overtaken_by_a_revocation_keeps_nothing(database_url, tokens):
    cache = TokenCache(live=lambda: True)
    digest = token_digest(tokens["viewer"])

    async def steps(pool):
        lookup = asyncio.ensure_future(user_for_token(pool, cache, tokens["viewer"]))
        await asyncio.sleep(0)  # the query has begun
        cache.drop_user("any account")  # an announcement arrives meanwhile
        user = await lookup
        return user, cache.get(digest), pool.taken

    user, kept, taken = _run(database_url, steps)
    assert user.username == "demo_viewer" and taken == 1
    assert kept is None  # the next request asks the database again
