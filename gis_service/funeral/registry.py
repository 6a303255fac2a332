"""Storing imported funeral data: database-side checks (codes already registered, corridor
classes, inside the home city), the one-statement insert, classification of what is new,
and the audit record."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.home import HomeUnit
from gis_service.audit import service as audit
from gis_service.auth.models import AppUser
from gis_service.core.cpu import run_cpu
from gis_service.core.errors import InvalidRows
from gis_service.file_intake.column_limits import text_limits, too_long
from gis_service.funeral.classification import Scope, classify
from gis_service.funeral.imports import SPECS, check_rows, payload, read_rows, report, require_rows

_HOME_COUNTIES = """(SELECT code, geom FROM admin_unit
                     WHERE level = 'county' AND code LIKE :home_like AND valid_to IS NULL)"""

_PROBE = f"""
SELECT p.i,
       EXISTS (SELECT 1 FROM {{table}} t WHERE t.code = p.code) AS exists_already,
       (SELECT c.code FROM {_HOME_COUNTIES} c
        WHERE ST_Intersects(c.geom, ST_GeomFromText(p.wkt, 4490)) ORDER BY c.code LIMIT 1) AS county_code
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS p(i int, code text, wkt text)
"""

_ROWS = "jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({columns})"
_INSERTS = {
    "funeral_facility": (
        "code text, name text, facility_type text, status text, capacity int, used int, township_code text,"
        " wkt text",
        # county_code: set by the database from the position (trigger, migration 0014)
        """INSERT INTO funeral_facility (code, name, facility_type, status, capacity, used, township_code,
               geom, source)
           SELECT code, name, facility_type, status, capacity, used, township_code,
                  ST_GeomFromText(wkt, 4490), 'import' FROM {rows} RETURNING id""",
    ),
    "grave": (
        "code text, kind text, grave_count int, surveyed_on date, township_code text, remediation_status text,"
        " remediation_method text, remediated_on date, county_code text, wkt text",
        """INSERT INTO grave (code, geom, grave_count, kind, county_code, township_code, surveyed_on,
               remediation_status, remediation_method, remediated_on, source)
           SELECT code, ST_GeomFromText(wkt, 4490), grave_count, kind, county_code, township_code, surveyed_on,
                  remediation_status, remediation_method, remediated_on, 'survey' FROM {rows} RETURNING id""",
    ),
    "restricted_corridor": (
        "code text, name text, corridor_class text, wkt text",
        """INSERT INTO restricted_corridor (code, name, corridor_class, geom, source)
           SELECT code, name, corridor_class, ST_Multi(ST_GeomFromText(wkt, 4490)), 'import'
           FROM {rows} RETURNING id""",
    ),
    "restricted_zone": (
        "code text, name text, zone_type text, wkt text",
        """INSERT INTO restricted_zone (code, name, zone_type, geom, source)
           SELECT code, name, zone_type, ST_Multi(ST_GeomFromText(wkt, 4490)), 'import'
           FROM {rows} RETURNING id""",
    ),
    "burial_zone": (
        "code text, name text, zone_kind text, wkt text",
        """INSERT INTO burial_zone (code, name, zone_kind, geom, source)
           SELECT code, name, zone_kind, ST_Multi(ST_GeomFromText(wkt, 4490)), 'import'
           FROM {rows} RETURNING id""",
    ),
}


async def import_file(
    db_session: AsyncSession, *, kind: str, data: bytes, filename: str, home_code: str, actor: AppUser
) -> dict:
    """Check every row; store all of them only when none has an error (else InvalidRows)."""
    spec = SPECS[kind]
    rows = await run_cpu(read_rows, data, filename)
    require_rows(rows)
    await run_cpu(check_rows, rows, spec)
    limits = await text_limits(db_session, spec.entity)
    for row in rows:
        row.errors += too_long(row.values, limits)
    if kind == "corridors":
        known = list(await db_session.scalars(text("SELECT corridor_class FROM corridor_class ORDER BY 1")))
        for row in rows:
            if row.values.get("corridor_class") not in (None, *known):
                row.errors.append(f"class '{row.values['corridor_class']}' is not one of: {', '.join(known)}")
    probe = [
        {"i": n, "code": r.values.get("code"), "wkt": r.values["wkt"]}
        for n, r in enumerate(rows)
        if r.values.get("wkt")
    ]
    result = await db_session.execute(
        text(_PROBE.format(table=spec.entity)),
        {"rows": json.dumps(probe, ensure_ascii=False), "home_like": HomeUnit(home_code).like},
    )
    for found in result:
        row = rows[found.i]
        if found.exists_already:
            row.errors.append("this code is already registered")
        if found.county_code is None:
            row.errors.append(f"lies outside the banners and districts of {home_code}")
        row.values["county_code"] = found.county_code
    problems = report(rows)
    if problems:
        raise InvalidRows(problems)
    columns, insert = _INSERTS[spec.entity]
    ids = list(
        await db_session.scalars(
            text(insert.format(rows=_ROWS.format(columns=columns))), {"rows": payload(rows)}
        )
    )
    scope = {
        "grave": Scope(graves=ids),
        "restricted_corridor": Scope(corridors=ids),
        "restricted_zone": Scope(zones=ids),
    }.get(spec.entity)
    classified = await classify(db_session, scope) if scope else None
    await audit.record(
        db_session,
        by=actor,
        action="import",
        entity=spec.entity,
        entity_id=None,
        after={"imported": len(ids), "codes": [r.values["code"] for r in rows][:50]},
    )
    out: dict = {"imported": len(ids)}
    if classified is not None:
        out["restriction_rows"] = classified
    return out
