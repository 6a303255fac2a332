"""Who the caller is (a bearer token, or HTTP Basic for GIS clients that cannot send one)
and the role checks routes declare."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from gis_service.auth import jurisdiction, roles
from gis_service.auth.basic import credentials, user_for_basic
from gis_service.auth.models import AppUser
from gis_service.auth.token_cache import user_for_token
from gis_service.core.dependencies import SettingsDep
from gis_service.core.errors import Forbidden, PasswordChangeRequired, Unauthorized

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

TokenDep = Annotated[str | None, Depends(oauth2_scheme)]


# what an account with a one-time password may still do: see itself, change it, leave
WHILE_CHANGING = {"/api/v1/auth/me", "/api/v1/auth/password", "/api/v1/auth/logout", "/api/v1/map-config"}


async def get_optional_user(request: Request, token: TokenDep) -> AppUser | None:
    """The caller, from the per-process token cache or one query on the plain pool: a
    read route that needs no ORM session opens none. GIS clients that can only send a
    user name and password (HTTP Basic) are checked like a sign-in."""
    state = request.app.state
    if token:
        user = await user_for_token(state.pg_pool, state.token_cache, token)
    else:
        basic = credentials(request.headers.get("authorization"))
        user = await user_for_basic(request, *basic) if basic else None
    if user is not None and user.password_change_required and request.url.path not in WHILE_CHANGING:
        raise PasswordChangeRequired(
            "Change the one-time password you were given before going on (POST /api/v1/auth/password).",
            "请先修改管理员为您设置的一次性密码，再继续操作。",
        )
    return user


OptionalUser = Annotated[AppUser | None, Depends(get_optional_user)]


async def caller(request: Request) -> AppUser | None:
    """get_optional_user called directly, for a route that resolves no dependencies."""
    return await get_optional_user(request, await oauth2_scheme(request))


async def get_current_user(user: OptionalUser) -> AppUser:
    if user is None:
        raise Unauthorized("Sign in first.", "请先登录。")
    return user


CurrentUser = Annotated[AppUser, Depends(get_current_user)]


def requires(capability: str):
    """A dependency that admits only the roles holding `capability` (auth/roles.py)."""
    allowed = roles.roles_holding(capability)

    async def _check(user: CurrentUser) -> AppUser:
        if not roles.holds(user.role, capability):
            raise Forbidden(
                f"Your role ({user.role}) may not do this; it needs: {', '.join(sorted(allowed))}.",
                f"您的角色（{user.role}）无权执行此操作，需要：{'、'.join(sorted(allowed))}。",
            )
        return user

    _check.allowed_roles = allowed  # read by the role-matrix test
    return _check


# the callers each kind of route admits, by what they may do
FieldWorker = Annotated[AppUser, Depends(requires("field_work"))]
SignWorker = Annotated[AppUser, Depends(requires("sign_work"))]
PlaceNameOfficer = Annotated[AppUser, Depends(requires("place_names"))]
Planner = Annotated[AppUser, Depends(requires("planning"))]
GraveReader = Annotated[AppUser, Depends(requires("grave_reading"))]
AdminUser = Annotated[AppUser, Depends(requires("administration"))]


async def _within_deployment(user: OptionalUser, settings: SettingsDep) -> None:
    """Work on the deployment as a whole (auth/write_scopes.py, DEPLOYMENT): accounts of the
    served unit only. Who is not signed in is left to the route's own check (401)."""
    if user is not None and not jurisdiction.covers(user, settings.home_unit_code):
        raise Forbidden(
            f"This changes the whole deployment: it is done by an account of the served unit "
            f"({settings.home_unit_code}), not of {user.unit_code}.",
            f"此操作涉及整个系统，须由本级单位（{settings.home_unit_code}）的账号办理，"
            f"而非 {user.unit_code} 的账号。",
        )


# a route's dependencies=[...]: the work is the served unit's (auth/write_scopes.py)
WholeDeployment = Depends(_within_deployment)


async def _read_prefix(user: OptionalUser, settings: SettingsDep) -> str | None:
    return jurisdiction.read_prefix(user, settings.read_scope)


# the division-code prefix the caller's reads are limited to, or None (auth/read_scopes.py)
ReadWithin = Annotated[str | None, Depends(_read_prefix)]
