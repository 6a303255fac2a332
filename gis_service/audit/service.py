"""Writing the audit log. Called inside the same transaction as the write it records,
so a rolled-back write leaves no audit row and a committed one always has one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit.models import AuditLog

if TYPE_CHECKING:
    from gis_service.auth.models import AppUser

SECRET_FIELDS = {"password", "password_hash", "token", "token_hash"}


def _scrub(state: dict[str, Any] | None) -> dict[str, Any] | None:
    if state is None:
        return None
    return {k: ("***" if k in SECRET_FIELDS else v) for k, v in state.items()}


async def record(
    db_session: AsyncSession,
    *,
    by: AppUser | None,
    action: str,
    entity: str,
    entity_id: str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> None:
    db_session.add(
        AuditLog(
            actor_id=by.id if by else None,
            actor=by.username if by else "cli",  # None: an operator at the command line
            actor_unit=getattr(by, "unit_code", None),
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=_scrub(before),
            after=_scrub(after),
            request_id=request_id,
        )
    )
