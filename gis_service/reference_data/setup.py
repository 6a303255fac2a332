"""Bringing a migrated database to a usable state: reference data, derived boundary
lines and, in demo mode, demo accounts and demo markers. Each step runs once."""

from __future__ import annotations

from sqlalchemy import text

from gis_service.boundaries.derive import derive_lines
from gis_service.core.db import standalone_session
from gis_service.core.settings import Settings
from gis_service.markers.demo import load_demo_markers
from gis_service.reference_data.demo import load_demo
from gis_service.reference_data.loader import load_reference


async def prepare(settings: Settings, *, demo: bool) -> dict[str, object]:
    done: dict[str, object] = {}
    async with standalone_session(settings) as session:
        done["reference"] = await load_reference(session, settings.layers_dir / "data")
    async with standalone_session(settings) as session:
        if not await session.scalar(text("SELECT EXISTS (SELECT 1 FROM boundary_line)")):
            done["boundary_lines"] = await derive_lines(
                session,
                home_code=settings.home_unit_code,
                tolerance_m=settings.boundary_tolerance_m,
                actor="setup",
            )
            await session.commit()
    if demo:
        async with standalone_session(settings) as session:
            done["demo_accounts"] = await load_demo(session)
        async with standalone_session(settings) as session:
            done["demo_markers"] = await load_demo_markers(session, home_code=settings.home_unit_code)
            await session.commit()
    return {k: v for k, v in done.items() if v}
