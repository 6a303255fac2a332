"""Database engine and sessions (SQLAlchemy 2, async, psycopg 3)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from gis_service.core.connection_options import connection_options
from gis_service.core.settings import Settings

STORAGE_SRID = 4490  # CGCS2000 geographic


class Base(DeclarativeBase):
    """Declarative base for all tables; the schema itself is created by Alembic."""


def make_engine(settings: Settings, url: str | None = None) -> AsyncEngine:
    """An engine on DATABASE_URL, or on `url` (the read replica)."""
    return create_async_engine(
        url or settings.sqlalchemy_url,
        # A fixed set of connections: under a burst, requests queue briefly for one
        # instead of opening (and, on return, closing) overflow connections, whose
        # start-up and SCRAM handshake cost more than the wait.
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=10,
        connect_args={
            "connect_timeout": 5,
            "application_name": "gis_service",
            **connection_options(settings.database_read_url, url),
        },
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def standalone_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session with its own engine, for the CLI and loaders outside the web app."""
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


BULK_CHUNK = 50_000


async def insert_columns(
    db_session: AsyncSession, statement, rows: list[dict], columns: list[str], **constants
) -> None:
    """Run `statement` once per chunk of `rows`, each of `columns` bound as an array under
    its own name (to unnest in SQL), `constants` as they are: hundreds of thousands of rows
    in a few round trips, where one INSERT per row takes minutes."""
    for start in range(0, len(rows), BULK_CHUNK):
        chunk = rows[start : start + BULK_CHUNK]
        await db_session.execute(statement, {c: [r[c] for r in chunk] for c in columns} | constants)
