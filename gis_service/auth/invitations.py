"""Invitation links: instead of a one-time password to pass on, an administrator may give a
new or reset account a link through which its user chooses their own password (under the
password policy). The link's secret travels in the URL's fragment (`/map#invite=…`), so
proxies and the service's own access log never see it; only its digest is kept, and it
works once, until it expires (INVITATION_DAYS) or a newer link or password replaces it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth import password_policy
from gis_service.auth.models import AppUser
from gis_service.auth.security import generate_password, hash_password, new_token, token_digest
from gis_service.auth.service import AccountRules, revoke_user_tokens
from gis_service.core.cpu import run_cpu
from gis_service.core.errors import BadRequest


def link(base: str, secret: str) -> str:
    return f"{base}/map#invite={secret}"


async def invite(db_session: AsyncSession, *, user: AppUser, days: int, actor: AppUser | None) -> dict:
    """A new invitation for the account: its password (known to nobody) and open sign-ins
    end, and an earlier link stops working. Returns the secret, shown once."""
    secret = new_token()
    user.invitation_digest = token_digest(secret)
    user.invitation_expires_at = datetime.now(UTC) + timedelta(days=days)
    user.password_hash = await run_cpu(hash_password, generate_password())
    user.password_change_required = False
    user.password_changed_at = datetime.now(UTC)
    await revoke_user_tokens(db_session, user=user)
    await db_session.flush()
    await audit.record(
        db_session,
        by=actor,
        action="invite",
        entity="app_user",
        entity_id=user.username,
        after={"invitation_expires_at": user.invitation_expires_at.isoformat()},
    )
    return {"secret": secret, "expires_at": user.invitation_expires_at}


async def invited(db_session: AsyncSession, secret: str) -> AppUser:
    """The active account a valid invitation is for; 400 for a link used, expired or replaced."""
    user = await db_session.scalar(
        select(AppUser).where(
            AppUser.invitation_digest == token_digest(secret),
            AppUser.invitation_expires_at > datetime.now(UTC),
            AppUser.is_active.is_(True),
        )
    )
    if user is None:
        raise BadRequest(
            "This invitation link is not valid: it was used, it expired or a newer one replaced it. "
            "Ask your administrator for a new one.",
            "此邀请链接已失效（已使用、已过期或已被新链接取代），请向管理员索取新的链接。",
        )
    return user


async def accept(db_session: AsyncSession, *, secret: str, password: str, rules: AccountRules) -> AppUser:
    """The invited user chooses their password; the link is spent."""
    user = await invited(db_session, secret)
    password_policy.check(password, username=user.username, min_length=rules.password_min_length)
    user.password_hash = await run_cpu(hash_password, password)
    user.password_changed_at = datetime.now(UTC)
    user.invitation_digest = None
    user.invitation_expires_at = None
    await db_session.flush()
    await audit.record(
        db_session, by=user, action="accept_invitation", entity="app_user", entity_id=user.username
    )
    return user
