"""Importing a marker results table (界桩成果表) from CSV or XLSX.

Columns may be named in Chinese or English (see COLUMNS). Coordinates may be lon/lat,
or Gauss-Krueger X (northing) / Y (easting) in a 3-degree zone, with the zone number in
front of Y (36 512 345.6) or without it; without it the zone comes from a 带号/zone
column or, failing that, is the zone that puts the marker on its line. Every row is
checked (code format, line, type, duplicates, distance from the line, triple markers at
a tri-junction) and the report is row by row; either every row imports or none does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth.models import AppUser
from gis_service.core.cpu import run_cpu
from gis_service.file_intake.column_limits import text_limits, too_long
from gis_service.geodesy.coordinates import COORDINATE_HEADERS, number, point_candidates

CODE = re.compile(r"^(\d{6}-\d{6})-(\d{3})([QABCDE])$")
TYPES = {
    "single": "single",
    "单立": "single",
    "double": "double",
    "同号双立": "double",
    "triple": "triple",
    "同号三立": "triple",
}
SUFFIX_TYPE = {"Q": "single", "A": "double", "B": "double", "C": "triple", "D": "triple", "E": "triple"}
COLUMNS = {  # canonical name: accepted headers
    "code": ["code", "界桩编号", "编号"],
    "type": ["type", "marker_type", "类型", "界桩类型"],
    "material": ["material", "材质"],
    **COORDINATE_HEADERS,
    "elevation_m": ["elevation", "elevation_m", "高程"],
    "buried_on": ["buried_on", "埋设日期"],
    "custodian_code": ["custodian", "custodian_code", "管护方"],
}
for _i in (1, 2, 3):
    COLUMNS[f"ref{_i}_name"] = [f"ref{_i}_name", f"方位物{_i}"]
    COLUMNS[f"ref{_i}_bearing"] = [f"ref{_i}_bearing", f"方位物{_i}方位角"]
    COLUMNS[f"ref{_i}_distance"] = [f"ref{_i}_distance", f"方位物{_i}距离"]


@dataclass
class RowResult:
    row: int
    code: str
    errors: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)


def _canonical(raw: dict[str, str]) -> dict[str, str]:
    out = {}
    for name, headers in COLUMNS.items():
        for h in headers:
            if h in raw and raw[h] != "":
                out[name] = raw[h]
                break
    return out


def _check_row(i: int, raw: dict[str, str], seen: set[str]) -> tuple[RowResult, list]:
    r = _canonical(raw)
    res = RowResult(row=i, code=r.get("code", ""))
    m = CODE.match(res.code)
    if not m:
        res.errors.append(
            "code must look like 150602-150603-001Q (line code, 3-digit number, type letter Q/A/B/C/D/E)"
        )
    elif res.code in seen:
        res.errors.append("duplicate code within the file")
    seen.add(res.code)
    kind = TYPES.get(r.get("type", "").strip().lower()) or TYPES.get(r.get("type", "").strip())
    if m:
        implied = SUFFIX_TYPE[m.group(3)]
        if kind and kind != implied:
            res.errors.append(f"type {r['type']} does not match the letter {m.group(3)} ({implied})")
        kind = implied
    buried = None
    if r.get("buried_on"):
        try:
            buried = date.fromisoformat(r["buried_on"][:10])
        except ValueError:
            res.errors.append(f"buried_on '{r['buried_on']}' is not a date (YYYY-MM-DD)")
        else:
            if buried > date.today():
                res.errors.append(f"buried_on {buried} is in the future")
    refs = []
    for k in (1, 2, 3):
        if r.get(f"ref{k}_name"):
            refs.append(
                {
                    "name": r[f"ref{k}_name"],
                    "bearing_deg": number(r.get(f"ref{k}_bearing"), f"ref{k} bearing", res.errors),
                    "distance_m": number(r.get(f"ref{k}_distance"), f"ref{k} distance", res.errors),
                }
            )
    candidates = point_candidates(r, res.errors)
    res.values = {
        "code": res.code,
        "line_code": m.group(1) if m else None,
        "seq": int(m.group(2)) if m else None,
        "suffix": m.group(3) if m else None,
        "marker_type": kind,
        "material": r.get("material"),
        "elevation_m": number(r.get("elevation_m"), "elevation", res.errors),
        "buried_on": buried,
        "custodian_code": r.get("custodian_code"),
        "reference_objects": json.dumps(refs, ensure_ascii=False),
    }
    return res, candidates


async def import_markers(
    db_session: AsyncSession, *, rows: list[dict[str, str]], tolerance_m: float, actor: AppUser
) -> tuple[int, list[dict]]:
    """Validate every row; insert all of them only when none has an error.
    Returns (imported count, row reports with errors)."""
    seen: set[str] = set()
    # row 1 is the header; the coordinate work is CPU-bound, off the event loop
    checked = await run_cpu(lambda: [_check_row(i + 2, raw, seen) for i, raw in enumerate(rows)])
    limits = await text_limits(db_session, "boundary_marker")
    for res, _ in checked:
        res.errors += too_long(res.values, limits)
    # One query measures every candidate position against its line and tri-junctions.
    probe = [
        {"i": n, "k": k, "code": res.code, "line": res.values["line_code"], "lon": lon, "lat": lat}
        for n, (res, cands) in enumerate(checked)
        for k, (lon, lat, _) in enumerate(cands)
        if res.values["line_code"]
    ]
    measured: dict[tuple[int, int], tuple] = {}
    if probe:
        result = await db_session.execute(
            text("""
            SELECT p.i, p.k, l.code IS NOT NULL AS line_found,
                   ST_Distance(l.geom::geography, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4490)::geography) AS d_line,
                   ST_Distance(l.tri_junctions::geography, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4490)::geography) AS d_junction,
                   EXISTS (SELECT 1 FROM boundary_marker b WHERE b.code = p.code) AS exists_already
            FROM jsonb_to_recordset(CAST(:probe AS jsonb)) AS p(i int, k int, code text, line text, lon float8, lat float8)
            LEFT JOIN boundary_line l ON l.code = p.line AND l.valid_to IS NULL"""),
            {"probe": json.dumps(probe)},
        )
        measured = {(r.i, r.k): r for r in result}
    good = []
    for n, (res, cands) in enumerate(checked):
        options = [(measured.get((n, k)), c) for k, c in enumerate(cands)]
        options = [(mm, c) for mm, c in options if mm is not None]
        if options:
            first = options[0][0]
            if not first.line_found:
                res.errors.append(f"line {res.values['line_code']} does not exist")
            elif first.exists_already:
                res.errors.append("a marker with this code is already registered")
            else:
                mm, (lon, lat, crs) = min(options, key=lambda o: o[0].d_line)
                if mm.d_line > tolerance_m:
                    res.errors.append(
                        f"{mm.d_line:.0f} m from its line (tolerance {tolerance_m:.0f} m; "
                        f"coordinates read as {crs})"
                    )
                elif res.values["marker_type"] == "triple" and (
                    mm.d_junction is None or mm.d_junction > tolerance_m
                ):
                    res.errors.append("a triple marker must stand at a tri-junction of its line")
                res.values.update(lon=lon, lat=lat)
        if not res.errors:
            good.append(res.values)
    report = [{"row": r.row, "code": r.code, "errors": r.errors} for r, _ in checked if r.errors]
    if report:
        return 0, report
    for v in good:
        await db_session.execute(
            text("""
            INSERT INTO boundary_marker (code, line_code, seq, type_suffix, marker_type, material, geom, gk_zone,
                gk_x, gk_y, elevation_m, buried_on, reference_objects, custodian_code, source)
            SELECT :code, :line_code, :seq, :suffix, :marker_type, :material, g, z,
                   ST_Y(ST_Transform(g, 4513 + z - 25)), ST_X(ST_Transform(g, 4513 + z - 25)),
                   :elevation_m, :buried_on, CAST(:reference_objects AS jsonb), :custodian_code, 'survey'
            FROM (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4490) AS g, round(:lon / 3)::int AS z) s"""),
            v,
        )
    await audit.record(
        db_session,
        by=actor,
        action="import",
        entity="boundary_marker",
        entity_id=None,
        after={"imported": len(good), "codes": [v["code"] for v in good][:50]},
    )
    return len(good), []
