"""A clear 400 for a category or admin unit code that names nothing known."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.core.errors import BadRequest


async def check_references(db_session: AsyncSession, values: dict) -> None:
    """A clear 400 when `category_code` or `admin_code` names nothing known."""
    if values.get("category_code"):
        known = await db_session.scalar(
            text("SELECT 1 FROM place_name_category WHERE code = :c"), {"c": values["category_code"]}
        )
        if not known:
            raise BadRequest(
                f"Unknown category code '{values['category_code']}'; see GET /api/v1/place-names/categories.",
                f"未知的地名类别代码“{values['category_code']}”。",
            )
    if values.get("admin_code"):
        known = await db_session.scalar(
            text("SELECT 1 FROM admin_unit WHERE code = :c AND valid_to IS NULL"), {"c": values["admin_code"]}
        )
        if not known:
            raise BadRequest(
                f"Unknown admin unit '{values['admin_code']}'.",
                f"未知的行政区划代码“{values['admin_code']}”。",
            )
