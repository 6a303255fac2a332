"""A plain psycopg connection pool (autocommit) for hot read paths such as vector tiles,
where SQLAlchemy's session and transaction round trips cost more than the query."""

from __future__ import annotations

import re

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from gis_service.core.read_replica import primary_options
from gis_service.core.settings import Settings


async def _warm(conn: AsyncConnection) -> None:
    """A server process's first reprojection each way between the stored CRS and Web
    Mercator sets up a PROJ pipeline (30-50 ms each); do both as the connection opens, so
    that no map's first tiles pay for them."""
    await conn.execute(
        "SELECT ST_Transform(ST_Transform(ST_SetSRID(ST_MakePoint(110, 40), 4490), 3857), 4490)"
    )


def make_pool(settings: Settings, url: str | None = None) -> AsyncConnectionPool:
    """A pool on DATABASE_URL, or on `url` (the read replica)."""
    options = primary_options(settings.database_read_url, url)
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


def psycopg_placeholders(sql: str) -> str:
    """SQL written with SQLAlchemy's `:name` placeholders (as the filter and area builders
    write it) for a plain psycopg connection: `%(name)s`, and literal `%` doubled."""
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
