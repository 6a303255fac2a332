"""Shared FastAPI dependencies: settings, database sessions, If-Match. Who the caller is
and what they may do: gis_service/auth/dependencies.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.core.errors import PreconditionRequired
from gis_service.core.settings import Settings


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session per request; writes commit explicitly in the router."""
    async with request.app.state.sessionmaker() as session:
        yield session


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for a read-only route: on the read replica when it has caught up with the
    primary (core/read_replica.py), otherwise on the primary."""
    state = request.app.state
    maker = state.read_sessionmaker if await state.reads.use_replica() else state.sessionmaker
    async with maker() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_db_session)]
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session)]


async def required_if_match(
    if_match: Annotated[
        str | None,
        Header(description="The ETag of the version this change is based on (required: 428 without it)"),
    ] = None,
) -> str:
    """Every update of an existing record names the version it was made from, so that two
    people editing at once cannot silently overwrite each other (lost updates)."""
    if not if_match or not if_match.strip():
        raise PreconditionRequired(
            "Send If-Match with the ETag of the version you read (GET it first); "
            "without it a change could overwrite someone else's.",
            "请在 If-Match 中附上您读取时的 ETag（先 GET 获取），否则可能覆盖他人的修改。",
        )
    return if_match.strip()


IfMatch = Annotated[str, Depends(required_if_match)]
