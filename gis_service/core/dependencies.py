"""Shared FastAPI dependencies: settings, database session, the current user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth.basic import credentials, user_for_basic
from gis_service.auth.models import AppUser
from gis_service.auth.token_cache import user_for_token
from gis_service.core.errors import Forbidden, PreconditionRequired, Unauthorized
from gis_service.core.settings import Settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


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
TokenDep = Annotated[str | None, Depends(oauth2_scheme)]


async def get_optional_user(request: Request, token: TokenDep) -> AppUser | None:
    """The caller, from the per-process token cache or one query on the plain pool: a
    read route that needs no ORM session opens none. GIS clients that can only send a
    user name and password (HTTP Basic) are checked like a sign-in."""
    state = request.app.state
    if token:
        return await user_for_token(state.pg_pool, state.token_cache, token)
    basic = credentials(request.headers.get("authorization"))
    return await user_for_basic(request, *basic) if basic else None


OptionalUser = Annotated[AppUser | None, Depends(get_optional_user)]


async def get_current_user(user: OptionalUser) -> AppUser:
    if user is None:
        raise Unauthorized("Sign in first.", "请先登录。")
    return user


CurrentUser = Annotated[AppUser, Depends(get_current_user)]


def require_roles(*roles: str):
    """A dependency that admits only the given roles (admin always included)."""
    allowed = {"admin", *roles}

    async def _check(user: CurrentUser) -> AppUser:
        if user.role not in allowed:
            raise Forbidden(
                f"Your role ({user.role}) may not do this; it needs: {', '.join(sorted(allowed))}.",
                f"您的角色（{user.role}）无权执行此操作，需要：{'、'.join(sorted(allowed))}。",
            )
        return user

    _check.allowed_roles = frozenset(allowed)  # read by the role-matrix test
    return _check


AdminUser = Annotated[AppUser, Depends(require_roles())]


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
