"""Sign-in, sign-out and account administration."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from gis_service.auth import invitations, service, throttle
from gis_service.auth.dependencies import AdminUser, CurrentUser, TokenDep
from gis_service.auth.schemas import (
    Invitation,
    InvitationAccept,
    InvitationLookup,
    Invited,
    PasswordChange,
    RevokedOut,
    TokenOut,
    UserCreate,
    UserCreated,
    UserOut,
    UserUpdate,
)
from gis_service.auth.security import generate_password
from gis_service.core.dependencies import IfMatch, SessionDep, SettingsDep
from gis_service.core.errors import BadRequest, Unauthorized
from gis_service.core.openapi_links import record_link
from gis_service.core.public_url import public_base

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.get("/auth/me", response_model=UserOut)
async def me(user: CurrentUser):
    """The signed-in user."""
    return user


@router.post("/auth/token", response_model=TokenOut)
async def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    response: Response,
    db_session: SessionDep,
    settings: SettingsDep,
):
    """OAuth2 password flow: user name and password in, bearer token out. Repeated
    failures for one user name are throttled (429 with Retry-After); from a noisy
    address, devices not known to the account are slowed. Each attempt is counted before
    its password is checked; a success sets the device cookie that marks it as known."""
    attempt = await throttle.begin(db_session, request, settings, form.username)
    token, row, user = await service.sign_in(
        db_session,
        username=form.username,
        password=form.password,
        ttl=timedelta(minutes=settings.token_ttl_minutes),
    )
    await throttle.succeeded(db_session, attempt)
    await throttle.remember_device(db_session, request, response, attempt)
    await db_session.commit()
    return TokenOut(access_token=token, expires_at=row.expires_at, user=UserOut.model_validate(user))


@router.post("/auth/password", response_model=TokenOut)
async def change_own_password(
    body: PasswordChange,
    user: CurrentUser,
    request: Request,
    db_session: SessionDep,
    settings: SettingsDep,
):
    """Change one's own password, giving the current one (throttled like a sign-in, so a
    borrowed token cannot guess it; a wrong one is a 400, the sign-in stands). Every open
    sign-in of the account ends, on every device; this one carries on with the new token
    in the answer."""
    attempt = await throttle.begin(db_session, request, settings, user.username)
    try:
        checked = await service.check_password(
            db_session, username=user.username, password=body.current_password, door="password_change"
        )
    except Unauthorized:
        # the caller is signed in: a 401 would say their sign-in had ended
        raise BadRequest("The current password is wrong.", "当前密码不正确。") from None
    await throttle.succeeded(db_session, attempt)
    await service.update_user(
        db_session,
        user=checked,
        changes={"password": body.new_password},
        actor=checked,
        rules=service.AccountRules.of(settings),
    )
    token, row = await service.issue_token(
        db_session, user=checked, ttl=timedelta(minutes=settings.token_ttl_minutes)
    )
    await db_session.commit()
    return TokenOut(access_token=token, expires_at=row.expires_at, user=UserOut.model_validate(checked))


@router.post("/auth/invitation/lookup", response_model=Invited)
async def invitation_lookup(body: InvitationLookup, db_session: SessionDep):
    """Whom an invitation link is for, and until when (400 for a link used, expired or
    replaced). The secret travels in the body, never in a URL the logs keep."""
    user = await invitations.invited(db_session, body.secret)
    return Invited(
        username=user.username, display_name=user.display_name, expires_at=user.invitation_expires_at
    )


@router.post("/auth/invitation", response_model=TokenOut)
async def accept_invitation(body: InvitationAccept, db_session: SessionDep, settings: SettingsDep):
    """Choose one's password through an invitation link (under the password policy): the
    link is spent, and the answer is a sign-in, as from POST /auth/token."""
    user = await invitations.accept(
        db_session, secret=body.secret, password=body.new_password, rules=service.AccountRules.of(settings)
    )
    token, row = await service.issue_token(
        db_session, user=user, ttl=timedelta(minutes=settings.token_ttl_minutes)
    )
    await db_session.commit()
    return TokenOut(access_token=token, expires_at=row.expires_at, user=UserOut.model_validate(user))


@router.post("/auth/logout", response_model=RevokedOut)
async def sign_out(user: CurrentUser, token: TokenDep, db_session: SessionDep):
    """End this sign-in: the token stops working at once."""
    revoked = await service.revoke_token(db_session, token=token or "", actor=user)
    await db_session.commit()
    return RevokedOut(revoked=revoked)


@router.get(
    "/users",
    response_model=list[UserOut],
    responses={200: record_link("/api/v1/users/{username}", username="$response.body#/0/username")},
)
async def list_users(
    admin: AdminUser,
    db_session: SessionDep,
    unit: Annotated[
        str | None, Query(pattern=r"^[1-9][0-9]{5}$", description="accounts of this unit and below")
    ] = None,
):
    """The accounts this administrator manages (those of their unit and below), with when
    each last signed in; `unit` narrows them to one unit's subtree."""
    return await service.list_users(db_session, admin, unit)


@router.post("/users", response_model=UserCreated, status_code=status.HTTP_201_CREATED)
async def create_user(
    body: UserCreate, admin: AdminUser, db_session: SessionDep, settings: SettingsDep, request: Request
):
    """Create an account (admin only): with a password (a one-time one with
    password_change_required), or with `invite: true` and no password, when the answer
    brings the invitation link (shown once) through which the user chooses one."""
    fields = body.model_dump(exclude={"invite"})
    if body.invite:
        fields["password"] = generate_password()  # replaced by the invitation at once
    user = await service.create_user(
        db_session, actor=admin, rules=service.AccountRules.of(settings), **fields
    )
    invitation = await _invite(db_session, user, admin, settings, request) if body.invite else None
    await db_session.commit()
    return UserCreated.model_validate(user).model_copy(update={"invitation": invitation})


async def _invite(db_session, user, admin, settings, request: Request) -> Invitation:
    made = await invitations.invite(db_session, user=user, days=settings.invitation_days, actor=admin)
    return Invitation(
        url=invitations.link(public_base(request), made["secret"]), expires_at=made["expires_at"]
    )


@router.post("/users/{username}/invitation", response_model=Invitation, status_code=status.HTTP_201_CREATED)
async def invite_user(
    username: str, admin: AdminUser, db_session: SessionDep, settings: SettingsDep, request: Request
):
    """A new invitation link for an account (admin only), shown once: its user chooses a new
    password through it. The account's password and open sign-ins end now, and an earlier
    link stops working."""
    user = await service.managed_user(db_session, username=username, actor=admin)
    invitation = await _invite(db_session, user, admin, settings, request)
    await db_session.commit()
    return invitation


@router.get("/users/{username}", response_model=UserOut)
async def get_user(username: str, admin: AdminUser, db_session: SessionDep, response: Response):
    """One account (admin only), with the ETag a change sends as If-Match."""
    user = await service.managed_user(db_session, username=username, actor=admin)
    response.headers["ETag"] = service.user_etag(user)
    return user


@router.patch("/users/{username}", response_model=UserOut)
async def update_user(
    username: str,
    body: UserUpdate,
    admin: AdminUser,
    db_session: SessionDep,
    settings: SettingsDep,
    if_match: IfMatch,
    response: Response,
):
    """Change role, name, password or active flag (admin only; If-Match required, 428
    without it, 412 if the account changed since it was read). Role, password and
    deactivation changes end the user's open sign-ins."""
    user = await service.managed_user(db_session, username=username, actor=admin)
    await service.update_user(
        db_session,
        user=user,
        changes=body.model_dump(exclude_unset=True),
        actor=admin,
        rules=service.AccountRules.of(settings),
        if_match=if_match,
    )
    await db_session.commit()
    response.headers["ETag"] = service.user_etag(user)
    return user


@router.post("/users/{username}/revoke-tokens", response_model=RevokedOut)
async def revoke_tokens(username: str, admin: AdminUser, db_session: SessionDep):
    """End every open sign-in of a user (admin only)."""
    user = await service.managed_user(db_session, username=username, actor=admin)
    revoked = await service.revoke_user_tokens(db_session, user=user, actor=admin)
    await db_session.commit()
    return RevokedOut(revoked=revoked)
