"""Demo data: one account per role, flagged is_demo. Loaded only in demo mode.

The passwords are well known on purpose (printed by ./scripts/run); never enable
demo mode on a server that holds real data.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth import service as auth_service
from gis_service.auth.models import ROLES, AppUser

DEMO_DISPLAY = {
    "admin": "演示管理员 Demo administrator",
    "inspector": "演示界线巡查员 Demo boundary inspector",
    "placename_officer": "演示地名管理员 Demo place-name officer",
    "planner": "演示规划人员 Demo planner",
    "viewer": "演示访客 Demo viewer",
}


def demo_credentials() -> list[tuple[str, str, str]]:
    """(username, password, role) of each demo account."""
    return [(f"demo_{role}", f"demo-{role}".replace("_", "-"), role) for role in ROLES]


async def load_demo(db_session: AsyncSession, rules: auth_service.AccountRules) -> int:
    created = 0
    for username, password, role in demo_credentials():
        if await db_session.scalar(select(AppUser.id).where(AppUser.username == username)):
            continue
        await auth_service.create_user(
            db_session,
            username=username,
            role=role,
            password=password,
            display_name=DEMO_DISPLAY[role],
            is_demo=True,
            rules=rules,
        )
        created += 1
    await db_session.commit()
    return created
