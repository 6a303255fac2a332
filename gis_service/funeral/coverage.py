"""Facility coverage: the official indicators (administrative units with at least one
operating facility), distance coverage of township seats and villages on the ellipsoid,
and suggested new sites from a maximal covering location model (PySAL spopt, solved
with the CBC solver bundled in PuLP)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import Query
from pyproj import Geod
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.home import HomeUnit
from gis_service.auth.areas import Area
from gis_service.core.cpu import run_cpu
from gis_service.core.errors import BadRequest
from gis_service.funeral import vocabulary as v

# The service radius in km a planner asks for (default: COVERAGE_RADIUS_KM). One radius
# drives every figure that depends on it: the indicator, the map's shading and rings,
# the suggested sites and the report.
RadiusKm = Annotated[
    float | None, Query(gt=0, le=500, description="service radius in km (default: the setting)")
]

RURAL_TOWNSHIP = (
    "a.level = 'township' AND a.valid_to IS NULL AND a.name ~ '("
    + "|".join(v.RURAL_TOWNSHIP_SUFFIXES)
    + ")$'"
)
SOLVER_SECONDS = 30


# what coverage reads: coverage_place is the register's places with the demo's locations,
# versioned apart from the rest of each name ("place_name_place", migration 0043), so
# that editing a description leaves coverage as it is
TABLES = ["admin_unit", "demo_place_location", "funeral_facility", "place_name_place"]


async def official(db_session: AsyncSession, *, area: Area) -> list[dict]:
    """Within the area: per facility type, and for public-welfare burial facilities of any type, the share of
    banners/districts with an operating facility; for rural public-welfare cemeteries, also
    the share of rural townships (苏木/镇/乡 only: subdistricts, development zones and
    parks have no rural population to serve)."""
    home_like = HomeUnit(area.code).like
    banners = {
        r.code: r.name
        for r in await db_session.execute(
            text(
                "SELECT code, name FROM admin_unit WHERE level = 'county' AND code LIKE :home_like"
                " AND valid_to IS NULL ORDER BY code"
            ),
            {"home_like": home_like},
        )
    }
    have = await db_session.execute(
        text("SELECT DISTINCT facility_type, county_code FROM funeral_facility WHERE status = 'operating'")
    )
    by_type: dict[str, set] = {}
    for r in have:
        by_type.setdefault(r.facility_type, set()).add(r.county_code)

    def banner_row(key: str, zh: str, en: str, counties: set) -> dict:
        covered = counties & banners.keys()
        return {
            "facility_type": key,
            "label": zh,
            "label_en": en,
            "unit": "banner",
            "covered": len(covered),
            "total": len(banners),
            "value": round(100.0 * len(covered) / len(banners), 1) if banners else None,
            "missing": [{"code": c, "name": n} for c, n in banners.items() if c not in covered],
        }

    out = [banner_row(code, zh, en, by_type.get(code, set())) for code, (zh, en) in v.FACILITY_TYPES.items()]
    # The plan's "public-welfare burial facility in every banner": any of those types counts.
    welfare = set().union(*(by_type.get(t, set()) for t in v.PUBLIC_WELFARE_BURIAL))
    out.append(
        banner_row("public_welfare_burial", "公益性安葬设施", "Public-welfare burial facilities", welfare)
    )
    rural = await db_session.execute(
        text(f"""
        SELECT a.code, a.name, EXISTS (SELECT 1 FROM funeral_facility f WHERE f.township_code = a.code
                 AND f.facility_type = 'rural_cemetery' AND f.status = 'operating') AS covered
        FROM admin_unit a WHERE {RURAL_TOWNSHIP} AND a.code LIKE :home_like ORDER BY a.code"""),
        {"home_like": home_like},
    )
    rural = list(rural)
    n_cov = sum(r.covered for r in rural)
    out.append(
        {
            "facility_type": "rural_cemetery",
            "label": "农村公益性墓地（乡镇覆盖）",
            "label_en": "Rural public-welfare cemeteries (townships covered)",
            "unit": "township",
            "covered": n_cov,
            "total": len(rural),
            "value": round(100.0 * n_cov / len(rural), 1) if rural else None,
            "missing": [{"code": r.code, "name": r.name} for r in rural if not r.covered],
        }
    )
    return out


def _types(types: list[str] | None) -> list[str]:
    chosen = types or list(v.FACILITY_TYPES)
    unknown = [t for t in chosen if t not in v.FACILITY_TYPES]
    if unknown:
        raise BadRequest(
            f"Unknown facility type {unknown[0]!r}; use {', '.join(v.FACILITY_TYPES)}.",
            f"未知设施类型“{unknown[0]}”。",
        )
    return chosen


async def _operating(db_session: AsyncSession, types: list[str] | None) -> np.ndarray:
    rows = await db_session.execute(
        text("""SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM funeral_facility
                WHERE status = 'operating' AND facility_type = ANY(:types)"""),
        {"types": _types(types)},
    )
    return np.array([(r.lon, r.lat) for r in rows]).reshape(-1, 2)


def nearest_km(points: np.ndarray, sites: np.ndarray, chunk: int = 2000) -> np.ndarray:
    """Geodesic distance (km) from each point to its nearest site; inf without sites.
    Computed in chunks so that the distance matrix stays small."""
    if not len(sites):
        return np.full(len(points), np.inf)
    parts = [_geodesic_km(points[i : i + chunk], sites).min(axis=1) for i in range(0, len(points), chunk)]
    return np.concatenate(parts) if parts else np.zeros(0)


async def _places(db_session: AsyncSession, area: Area):
    """The area's located township seats and villages."""
    return list(
        await db_session.execute(
            text(f"""SELECT id, name, level, county_code, township_code, location_source,
                            ST_X(geom) AS lon, ST_Y(geom) AS lat
                     FROM coverage_place WHERE {area.where("county_code")}
                     ORDER BY county_code, township_code, id"""),
            area.params,
        )
    )


async def distance(
    db_session: AsyncSession, *, radius_km: float, area: Area, types: list[str] | None = None
) -> dict:
    """Share of the area's located township seats and villages within radius_km (geodesic,
    on the ellipsoid) of an operating facility of the given types, wherever it stands (a
    village is served across a banner's border too); the uncovered places with the
    distance to their nearest one."""
    places = await _places(db_session, area)
    nearest = nearest_km(
        np.array([(p.lon, p.lat) for p in places]).reshape(-1, 2), await _operating(db_session, types)
    )
    places = [
        p._asdict() | {"nearest_km": d, "covered": bool(d <= radius_km)}
        for p, d in zip(places, nearest, strict=True)
    ]
    covered = sum(p["covered"] for p in places)
    return {
        "radius_km": radius_km,
        "facility_types": _types(types),
        "places": len(places),
        "covered": covered,
        "value": round(100.0 * covered / len(places), 1) if places else None,
        "by_level": {
            level: {
                "places": sum(p["level"] == level for p in places),
                "covered": sum(p["covered"] and p["level"] == level for p in places),
            }
            for level in ("township", "village")
        },
        "by_county": _by_county(places),
        "uncovered": [
            p
            | {
                "lon": round(p["lon"], 6),
                "lat": round(p["lat"], 6),
                "nearest_km": None if np.isinf(p["nearest_km"]) else round(float(p["nearest_km"]), 2),
            }
            for p in places
            if not p["covered"]
        ],
    }


def _by_county(places) -> list[dict]:
    """Coverage per banner (county_code None: a located place with no unit code yet)."""
    counts: dict[str, list[int]] = {}
    for p in places:
        c = counts.setdefault(p["county_code"], [0, 0])
        c[0] += 1
        c[1] += p["covered"]
    return [
        {"county_code": code, "places": n, "covered": k, "value": round(100.0 * k / n, 1)}
        for code, (n, k) in sorted(counts.items(), key=lambda item: item[0] or "")
    ]


def _geodesic_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distances (km) on the CGCS2000 ellipsoid between every row of a and of b (lon, lat)."""
    geod = Geod(ellps="GRS80")  # CGCS2000's ellipsoid differs from GRS80 by 0.1 mm in b
    ai = np.repeat(np.arange(len(a)), len(b))
    bi = np.tile(np.arange(len(b)), len(a))
    _, _, d = geod.inv(a[ai, 0], a[ai, 1], b[bi, 0], b[bi, 1])
    return (np.asarray(d) / 1000).reshape(len(a), len(b))


def solve_mclp(demand: np.ndarray, existing: np.ndarray, candidates: np.ndarray, *, radius_km: float, k: int):
    """Choose k of the candidates maximising the demand points within radius_km of any
    chosen or existing site. Returns (indices of chosen candidates, covered before, after, optimal)."""
    import pulp
    from spopt.locate import MCLP

    sites = np.vstack([existing, candidates]) if len(existing) else candidates
    cost = _geodesic_km(demand, sites)
    predefined = np.array([True] * len(existing) + [False] * len(candidates))
    before = int((cost[:, : len(existing)] <= radius_km).any(axis=1).sum()) if len(existing) else 0
    model = MCLP.from_cost_matrix(
        cost,
        np.ones(len(demand)),
        service_radius=radius_km,
        p_facilities=len(existing) + k,
        predefined_facilities_arr=predefined,
    )
    model = model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=SOLVER_SECONDS))
    chosen_sites = [j for j, var in enumerate(model.fac_vars) if (var.varValue or 0) > 0.5]
    after = int((cost[:, chosen_sites] <= radius_km).any(axis=1).sum()) if chosen_sites else 0
    chosen = [j - len(existing) for j in chosen_sites if j >= len(existing)]
    optimal = pulp.LpStatus[model.problem.status] == "Optimal"
    return chosen, before, after, optimal


async def suggest_sites(
    db_session: AsyncSession, *, radius_km: float, k: int, area: Area, types: list[str] | None = None
) -> dict:
    """k new sites among the area's seats of rural townships (苏木, 镇, 乡) that maximise
    the area's covered places, keeping the operating facilities of the given types fixed;
    coverage before and after."""
    places = await _places(db_session, area)
    existing = await _operating(db_session, types)
    seats = [p for p in places if p.level == "township" and v.is_rural_township(p.name)]
    if not places or not seats:
        raise BadRequest(
            "No located township seats or villages to plan for.", "没有已定位的乡镇驻地或村，无法选址。"
        )
    demand = np.array([(p.lon, p.lat) for p in places])
    candidates = np.array([(p.lon, p.lat) for p in seats])
    chosen, before, after, optimal = await run_cpu(
        solve_mclp, demand, existing, candidates, radius_km=radius_km, k=min(k, len(seats))
    )
    n = len(places)
    return {
        "radius_km": radius_km,
        "k": k,
        "candidates": "seats of rural townships (苏木, 镇, 乡)",
        "optimal": optimal,
        "before": {"covered": before, "places": n, "value": round(100.0 * before / n, 1)},
        "after": {"covered": after, "places": n, "value": round(100.0 * after / n, 1)},
        "sites": [
            {
                "place_id": seats[j].id,
                "name": seats[j].name,
                "county_code": seats[j].county_code,
                "lon": round(seats[j].lon, 6),
                "lat": round(seats[j].lat, 6),
            }
            for j in chosen
        ],
    }
