"""Boundary lines: queries, geometry replacement with history, vectorisation rate."""

from __future__ import annotations

import json

from shapely.geometry import mapping
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth.areas import Area
from gis_service.auth.jurisdiction import line_units, require_readable
from gis_service.auth.models import AppUser
from gis_service.boundaries.derive import GK_ZONE_SRID
from gis_service.core.errors import NotFound
from gis_service.core.etags import check_if_match
from gis_service.file_intake.geojson_input import parse_geometry

_FEATURE = """
json_build_object(
  'type', 'Feature', 'id', l.code,
  'geometry', CASE WHEN CAST(:geometry AS boolean) THEN ST_AsGeoJSON(l.geom, 7, 0)::json END,
  'properties', json_build_object(
    'code', l.code, 'version', l.version, 'level', l.level, 'name', l.name,
    'left_code', l.left_code, 'right_code', l.right_code, 'scope', l.scope,
    'length_m', round(l.length_m::numeric, 1),
    'end_points', ST_AsGeoJSON(l.end_points, 7, 0)::json,
    'tri_junctions', ST_AsGeoJSON(l.tri_junctions, 7, 0)::json,
    'legal_status', l.legal_status, 'technical_status', l.technical_status,
    'source', l.source, 'agreement_ref', l.agreement_ref,
    'disagreement', json_build_object('tolerance_m', l.tolerance_m,
        'max_gap_m', round(l.max_gap_m::numeric, 2), 'overlap_m2', round(l.overlap_m2::numeric, 1)),
    'valid_from', l.valid_from, 'valid_to', l.valid_to, 'change_note', l.change_note))::text
"""


async def get_line(db_session: AsyncSession, *, code: str, within: str | None = None) -> dict:
    require_readable(within, line_units(code), (f"Line {code}", f"界线 {code}"))
    feature = await db_session.scalar(
        text(f"SELECT {_FEATURE} FROM boundary_line l WHERE l.code = :code AND l.valid_to IS NULL"),
        {"code": code, "geometry": True},
    )
    if feature is None:
        raise NotFound(f"No boundary line '{code}'.", f"界线“{code}”不存在。")
    out = json.loads(feature)
    history = await db_session.execute(
        text(
            "SELECT version, source, valid_from, valid_to, changed_by, change_note,"
            " round(length_m::numeric, 1)::float8 AS length_m FROM boundary_line"
            " WHERE code = :code ORDER BY version"
        ),
        {"code": code},
    )
    out["history"] = [dict(r._mapping) for r in history]
    return out


def line_etag(version: int) -> str:
    return f'"line-{version}"'


async def replace_geometry(
    db_session: AsyncSession,
    *,
    code: str,
    if_match: str,
    geometry: dict,
    source: str,
    agreement_ref: str | None,
    note: str,
    actor: AppUser,
) -> int:
    """Close the current version and open a new one with surveyed or agreed geometry, if
    the current version is the one If-Match names."""
    current = await db_session.execute(
        text(
            "SELECT id, version, source FROM boundary_line WHERE code = :code AND valid_to IS NULL FOR UPDATE"
        ),
        {"code": code},
    )
    row = current.first()
    if row is None:
        raise NotFound(f"No boundary line '{code}'.", f"界线“{code}”不存在。")
    check_if_match(if_match, line_etag(row.version))
    geometry = mapping(parse_geometry(geometry, ("LineString", "MultiLineString")))
    info = (
        await db_session.execute(
            text(
                "SELECT ST_Length(g::geography) AS length_m,"
                f" ST_HausdorffDistance(ST_Transform(g, {GK_ZONE_SRID.format(g='l.geom')}),"
                f" ST_Transform(l.geom, {GK_ZONE_SRID.format(g='l.geom')})) AS shift"
                " FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON(:g), 4490) AS g) s, boundary_line l"
                " WHERE l.id = :id"
            ),
            {"g": json.dumps(geometry), "id": row.id},
        )
    ).one()
    await db_session.execute(text("UPDATE boundary_line SET valid_to = now() WHERE id = :id"), {"id": row.id})
    await db_session.execute(
        text("""
        INSERT INTO boundary_line (code, version, level, name, left_code, right_code, scope, geom,
            length_m, end_points, tri_junctions, legal_status, technical_status, source,
            agreement_ref, changed_by, change_note)
        SELECT code, version + 1, level, name, left_code, right_code, scope,
               ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(:g), 4490)),
               ST_Length(ST_SetSRID(ST_GeomFromGeoJSON(:g), 4490)::geography),
               ST_Multi(ST_Boundary(ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(:g), 4490)))),
               tri_junctions, CASE WHEN :source = 'agreement' THEN 'agreed' ELSE legal_status END,
               'edge_matched', :source, :ref, :actor, :note
        FROM boundary_line WHERE id = :id"""),
        {
            "g": json.dumps(geometry),
            "source": source,
            "ref": agreement_ref,
            "actor": actor.username,
            "note": note,
            "id": row.id,
        },
    )
    await audit.record(
        db_session,
        by=actor,
        action="replace_geometry",
        entity="boundary_line",
        entity_id=code,
        before={"version": row.version, "source": row.source},
        after={
            "version": row.version + 1,
            "source": source,
            "length_m": round(info.length_m, 1),
            "max_shift_m": round(info.shift or 0, 1),
            "note": note,
        },
    )
    return row.version + 1


def of_area(area: Area, column: str = "code") -> str:
    """SQL keeping the lines (by their code column) with a side within the area."""
    if area.whole:
        return "true"
    return f"(split_part({column}, '-', 1) LIKE :area_like OR split_part({column}, '-', 2) LIKE :area_like)"


async def vectorisation_rate(
    db_session: AsyncSession, area: Area | None = None, within: str | None = None
) -> list[dict]:
    """Per level: lines required (every adjacent pair found), lines with vector geometry,
    and how many of those are derived versus surveyed or agreed; within an area, the lines
    with a side in it."""
    rows = await db_session.execute(
        text(f"""
        SELECT level, count(*) AS required,
               count(*) FILTER (WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom)) AS vectorised,
               count(*) FILTER (WHERE source = 'derived') AS derived,
               count(*) FILTER (WHERE source IN ('surveyed', 'agreement')) AS surveyed_or_agreed,
               round(sum(length_m)::numeric / 1000, 1) AS length_km
        FROM boundary_line WHERE valid_to IS NULL AND {of_area(area) if area else "true"}
          AND units_within(code, CAST(:within AS text))
        GROUP BY level ORDER BY array_position(ARRAY['province','city','county'], level::text)"""),
        (area.params if area else {}) | {"within": within},
    )
    out = []
    for r in rows:
        d = dict(r._mapping)
        req = d["required"] or 1
        d["rate_pct"] = round(100 * d["vectorised"] / req, 1)
        d["derived_pct"] = round(100 * d["derived"] / req, 1)
        d["surveyed_or_agreed_pct"] = round(100 * d["surveyed_or_agreed"] / req, 1)
        out.append(d)
    return out
