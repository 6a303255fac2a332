"""Sealing and verifying the hash chain of the audit log (migration 0012 holds the SQL)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass
class ChainReport:
    sealed: int
    unsealed: int
    broken_seq: int | None
    broken_audit_id: int | None
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.problem is None


async def seal(db_session: AsyncSession) -> int:
    """Chain every audit row not yet sealed; returns how many were sealed."""
    n = await db_session.scalar(text("SELECT seal_audit_log()"))
    await db_session.commit()
    return int(n or 0)


async def verify(db_session: AsyncSession) -> ChainReport:
    row = (await db_session.execute(text("SELECT * FROM verify_audit_chain()"))).one()
    return ChainReport(**row._mapping)
