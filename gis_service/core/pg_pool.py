"""A plain psycopg connection pool (autocommit) for hot read paths such as vector tiles,
where SQLAlchemy's session and transaction round trips cost more than the query."""

from __future__ import annotations

import functools
import re

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from gis_service.core.connection_options import connection_options
from gis_service.core.settings import Settings

# A geography buffer (the restricted corridors' areas) reprojects to the UTM zone of the
# shape: one point per zone across the units' extent sets each of those pipelines up.
_ZONE_BUFFERS = """
SELECT count(ST_Buffer(ST_SetSRID(ST_MakePoint(zone * 6 - 177, lat), 4490)::geography, 1))
FROM (SELECT ST_XMin(e) AS x0, ST_XMax(e) AS x1, (ST_YMin(e) + ST_YMax(e)) / 2 AS lat
      FROM (SELECT ST_Extent(geom) AS e FROM admin_unit WHERE level = 'county' AND valid_to IS NULL) s) b,
     generate_series(floor((x0 + 180) / 6)::int, floor((x1 + 180) / 6)::int) AS zone
WHERE x0 IS NOT NULL"""


async def _warm(conn: AsyncConnection) -> None:
    """A server process's first use of each PROJ pipeline costs 30-200 ms: each way between
    the stored CRS and Web Mercator, and each UTM zone a geography buffer goes through. Set
    them up as the connection opens (in the pool's background), so that no tile pays."""
    await conn.execute(
        "SELECT ST_Transform(ST_Transform(ST_SetSRID(ST_MakePoint(110, 40), 4490), 3857), 4490)"
    )
    if (await (await conn.execute("SELECT to_regclass('admin_unit') IS NOT NULL")).fetchone())[0]:
        await conn.execute(_ZONE_BUFFERS)


def make_pool(settings: Settings, url: str | None = None) -> AsyncConnectionPool:
    """A pool on DATABASE_URL, or on `url` (the read replica)."""
    options = connection_options(settings.database_read_url, url)
    url = (url or settings.sqlalchemy_url).replace("postgresql+psycopg://", "postgresql://", 1)
    return AsyncConnectionPool(
        url,
        min_size=max(1, settings.db_pool_size // 2),  # opened up front: no connect on the hot path
        max_size=settings.db_pool_size,
        open=False,
        timeout=10,
        configure=_warm,
        kwargs={
            "autocommit": True,
            "application_name": "gis_service_tiles",
            "prepare_threshold": 2,
            **options,
        },
    )


_NAMED = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")  # :name, but not the cast in x::text


@functools.lru_cache(maxsize=2048)
def psycopg_placeholders(sql: str) -> str:
    """SQL written with SQLAlchemy's `:name` placeholders (as the filter and area builders
    write it) for a plain psycopg connection: `%(name)s`, and literal `%` doubled. Kept
    per statement text: a page of features has a handful of shapes, whose values are all
    bound, and the substitution was an eighth of a page's time in the worker."""
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
