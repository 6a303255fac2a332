"""Writing the audit log. Called inside the same transaction as the write it records,
so a rolled-back write leaves no audit row and a committed one always has one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit.models import AuditLog

SECRET_FIELDS = {"password", "password_hash", "token", "token_hash"}


def _scrub(state: dict[str, Any] | None) -> dict[str, Any] | None:
    if state is None:
        return None
    return {k: ("***" if k in SECRET_FIELDS else v) for k, v in state.items()}


async def record(
    db_session: AsyncSession,
    *,
    actor_id: int | None,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> None:
    db_session.add(
        AuditLog(
            actor_id=actor_id,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=_scrub(before),
            after=_scrub(after),
            request_id=request_id,
        )
    )


async def recent(db_session: AsyncSession, *, entity: str | None = None, limit: int = 100) -> list[AuditLog]:
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if entity:
        query = query.where(AuditLog.entity == entity)
    return list((await db_session.scalars(query)).all())
