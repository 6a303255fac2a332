"""Accounts and tokens: plain functions taking a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.home import HomeUnit
from gis_service.audit import service as audit
from gis_service.auth import jurisdiction, password_policy
from gis_service.auth.models import ROLES, AppUser, AuthToken
from gis_service.auth.security import hash_password, new_token, token_digest, verify_password
from gis_service.core.cpu import run_cpu
from gis_service.core.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from gis_service.core.etags import check_if_match, etag_of
from gis_service.core.settings import Settings
from gis_service.monitoring import metrics


@dataclass(frozen=True)
class AccountRules:
    """What the deployment sets for its accounts: the unit it serves (accounts belong to
    it or a unit within it) and the password policy's length."""

    served_unit: str
    password_min_length: int

    @classmethod
    def of(cls, settings: Settings) -> AccountRules:
        return cls(settings.home_unit_code, settings.password_min_length)


def user_state(user: AppUser) -> dict:
    """What the audit log records of a user (never the password hash)."""
    return {
        "username": user.username,
        "role": user.role,
        "display_name": user.display_name,
        "is_active": user.is_active,
        "is_demo": user.is_demo,
        "unit_code": user.unit_code,
        "password_change_required": user.password_change_required,
    }


def user_etag(user: AppUser) -> str:
    """The version of an account: its state and when its password last changed."""
    return etag_of(f"{sorted(user_state(user).items())}|{user.password_changed_at}")


async def get_user(db_session: AsyncSession, *, username: str) -> AppUser:
    user = await db_session.scalar(select(AppUser).where(AppUser.username == username))
    if user is None:
        raise NotFound(f"No user named '{username}'.", f"用户“{username}”不存在。")
    return user


async def list_users(
    db_session: AsyncSession, actor: AppUser | None = None, unit: str | None = None
) -> list[AppUser]:
    """Every account the actor manages (those of the actor's unit and the units below
    it), or those of `unit` and below, each with when it last signed in."""
    last = (
        select(AuthToken.user_id, func.max(AuthToken.created_at).label("at"))
        .group_by(AuthToken.user_id)
        .subquery()
    )
    rows = await db_session.execute(
        select(AppUser, last.c.at).outerjoin(last, last.c.user_id == AppUser.id).order_by(AppUser.username)
    )
    within = HomeUnit(unit) if unit else None
    users = []
    for user, signed_in in rows:
        if manages(actor, user) and (within is None or (user.unit_code and within.contains(user.unit_code))):
            user.last_sign_in = signed_in  # shown, never stored
            users.append(user)
    return users


def manages(actor: AppUser | None, user: AppUser) -> bool:
    """An administrator manages the accounts of their unit's subtree (an account of the
    served unit lies in no banner's subtree)."""
    return jurisdiction.covers(actor, user.unit_code) if user.unit_code else not (actor and actor.unit_code)


async def managed_user(db_session: AsyncSession, *, username: str, actor: AppUser) -> AppUser:
    """The account, when the actor manages it; otherwise 404, as if it did not exist."""
    user = await get_user(db_session, username=username)
    if not manages(actor, user):
        raise NotFound(f"No user named '{username}'.", f"用户“{username}”不存在。")
    return user


async def _check_unit(
    db_session: AsyncSession, unit_code: str | None, actor: AppUser | None, served_unit: str
) -> None:
    """A new or changed account's unit: a current unit within the served one, and within
    the actor's own (a banner's administrator makes accounts of the banner only)."""
    if unit_code is None:
        if actor is not None and actor.unit_code:
            raise Forbidden(
                "Only an account of the served unit makes accounts of the served unit.",
                "只有本级单位的账号才能创建本级单位的账号。",
            )
        return
    home = served_unit
    known = await db_session.scalar(
        text("SELECT 1 FROM admin_unit WHERE code = :c AND valid_to IS NULL"), {"c": unit_code}
    )
    if not known or not HomeUnit(home).contains(unit_code):
        raise BadRequest(
            f"'{unit_code}' is not a current unit within the served unit ({home}).",
            f"“{unit_code}”不是本系统所服务单位（{home}）内的现行行政区划。",
        )
    if not jurisdiction.covers(actor, unit_code):
        raise Forbidden(
            f"Unit {unit_code} is outside your unit ({actor.unit_code}).",
            f"单位 {unit_code} 不在您所属单位（{actor.unit_code}）的辖区内。",
        )


def _check_password_policy(password: str, username: str, rules: AccountRules) -> None:
    password_policy.check(password, username=username, min_length=rules.password_min_length)


async def create_user(
    db_session: AsyncSession,
    *,
    username: str,
    role: str,
    password: str,
    display_name: str | None = None,
    is_demo: bool = False,
    actor: AppUser | None = None,
    unit_code: str | None = None,
    password_change_required: bool | None = None,
    rules: AccountRules,
) -> AppUser:
    if role not in ROLES:
        raise BadRequest(
            f"Unknown role '{role}'; use one of {', '.join(ROLES)}.",
            f"未知角色“{role}”，可选：{'、'.join(ROLES)}。",
        )
    if not is_demo:  # demo accounts (demo mode only) keep their published passwords
        _check_password_policy(password, username, rules)
    await _check_unit(db_session, unit_code, actor, rules.served_unit)
    if await db_session.scalar(select(AppUser.id).where(AppUser.username == username)):
        raise Conflict(f"A user named '{username}' already exists.", f"用户“{username}”已存在。")
    user = AppUser(
        username=username,
        role=role,
        password_hash=await run_cpu(hash_password, password),
        display_name=display_name,
        is_demo=is_demo,
        is_active=True,
        unit_code=unit_code,
        password_change_required=bool(password_change_required),
    )
    db_session.add(user)
    await db_session.flush()
    await audit.record(
        db_session,
        by=actor,
        action="create",
        entity="app_user",
        entity_id=username,
        after=user_state(user),
    )
    return user


async def update_user(
    db_session: AsyncSession,
    *,
    user: AppUser,
    changes: dict,
    actor: AppUser | None,
    rules: AccountRules,
    if_match: str | None = None,
) -> AppUser:
    """Apply changes to an account; from the API, only to the version If-Match names (the
    command line, run by the operator at the server, names none)."""
    if if_match is not None:
        await db_session.refresh(user, with_for_update=True)
        check_if_match(if_match, user_etag(user))
    if "unit_code" in changes:
        await _check_unit(db_session, changes["unit_code"], actor, rules.served_unit)
    before = user_state(user)
    password = changes.pop("password", None)
    for key, value in changes.items():
        setattr(user, key, value)
    if password is not None:
        _check_password_policy(password, user.username, rules)
        user.password_hash = await run_cpu(hash_password, password)
        user.password_changed_at = datetime.now(UTC)
        user.invitation_digest = user.invitation_expires_at = None  # a link sent before no longer works
        if actor is not None and actor.id == user.id:  # one's own: no longer a one-time password
            user.password_change_required = False
    if password is not None or changes.get("is_active") is False or {"role", "unit_code"} & set(changes):
        # A new password, a disabled account or a new role ends every open session.
        await revoke_user_tokens(db_session, user=user)
    await db_session.flush()
    await audit.record(
        db_session,
        by=actor,
        action="update",
        entity="app_user",
        entity_id=user.username,
        before=before,
        after={**user_state(user), **({"password": "changed"} if password else {})},
    )
    return user


async def check_password(
    db_session: AsyncSession, *, username: str, password: str, door: str = "token"
) -> AppUser:
    """The active account these credentials belong to, or 401 (counted by door: a sign-in
    for a token, or HTTP Basic credentials)."""
    stored = await db_session.scalar(select(AppUser.password_hash).where(AppUser.username == username))
    # The database connection goes back to the pool while the password is hashed (tens of
    # milliseconds): a flood of sign-ins must not hold every connection meanwhile.
    await db_session.rollback()
    ok = await run_cpu(verify_password, stored, password)
    user = await db_session.scalar(select(AppUser).where(AppUser.username == username)) if ok else None
    if not user or not user.is_active or user.password_hash != stored:
        metrics.SIGN_IN_FAILURES.labels(door).inc()
        raise Unauthorized("Wrong user name or password.", "用户名或密码错误。")
    return user


async def sign_in(
    db_session: AsyncSession, *, username: str, password: str, ttl: timedelta
) -> tuple[str, AuthToken, AppUser]:
    user = await check_password(db_session, username=username, password=password)
    token, row = await issue_token(db_session, user=user, ttl=ttl)
    return token, row, user


async def issue_token(db_session: AsyncSession, *, user: AppUser, ttl: timedelta) -> tuple[str, AuthToken]:
    """A new bearer token for a user whose password was just checked (audited as a sign-in)."""
    token = new_token()
    row = AuthToken(user_id=user.id, token_hash=token_digest(token), expires_at=datetime.now(UTC) + ttl)
    db_session.add(row)
    await db_session.flush()
    await audit.record(
        db_session,
        by=user,
        action="sign_in",
        entity="auth_token",
        entity_id=str(row.id),
        after={"expires_at": row.expires_at.isoformat()},
    )
    return token, row


async def revoke_token(db_session: AsyncSession, *, token: str, actor: AppUser) -> int:
    result = await db_session.execute(
        update(AuthToken)
        .where(AuthToken.token_hash == token_digest(token), AuthToken.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    await audit.record(
        db_session,
        by=actor,
        action="sign_out",
        entity="auth_token",
        entity_id=None,
    )
    return result.rowcount or 0


async def revoke_user_tokens(db_session: AsyncSession, *, user: AppUser, actor: AppUser | None = None) -> int:
    result = await db_session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    if actor is not None:
        await audit.record(
            db_session,
            by=actor,
            action="revoke_tokens",
            entity="app_user",
            entity_id=user.username,
            after={"revoked": result.rowcount or 0},
        )
    return result.rowcount or 0
