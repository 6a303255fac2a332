"""The city plan's targets with their current values, each computed from the data at the
moment it is asked for (never stored or typed in). Every indicator has a key, a label, a
unit, a value and a target in that unit (null where the plan sets no figure), `met`, the
numerator and denominator behind the value, and as_of: when it was computed.

Two units: "percent" (a rate, numerator over denominator, 0-100) and "count" (a number of
things against a planned number, e.g. burial sites built: value and target are counts,
and the denominator is null)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth.areas import Area
from gis_service.boundaries.service import of_area, vectorisation_rate
from gis_service.core.settings import Settings
from gis_service.funeral import coverage, progress
from gis_service.funeral.vocabulary import PUBLIC_WELFARE_BURIAL

LEVEL_LABELS = {
    "province": ("省级行政区域界线矢量化率", "Provincial boundary lines vectorised"),
    "city": ("市级行政区域界线矢量化率", "City boundary lines vectorised"),
    "county": ("县级行政区域界线矢量化率", "County boundary lines vectorised"),
}


def _indicator(key, label, label_en, numerator, denominator, target, group) -> dict:
    """A rate in percent."""
    value = round(100.0 * numerator / denominator, 1) if denominator else None
    return {
        "key": key,
        "group": group,
        "label": label,
        "label_en": label_en,
        "unit": "percent",
        "value": value,
        "target": target,
        "met": None if target is None or value is None else value >= target,
        "numerator": numerator,
        "denominator": denominator,
    }


def _count(key, label, label_en, count, target, group) -> dict:
    """A number of things against the plan's number."""
    return {
        "key": key,
        "group": group,
        "label": label,
        "label_en": label_en,
        "unit": "count",
        "value": count,
        "target": target,
        "met": None if target is None else count >= target,
        "numerator": count,
        "denominator": None,
    }


# Computes an answer once per version of the tables it reads (the route's answer cache,
# catalogue/answer_cache.py), or every time: (tables, key, compute) -> the answer.
Cached = Callable[[list[str], Hashable, Callable[[], Awaitable[Any]]], Awaitable[Any]]


async def _uncached(_tables: list[str], _key: Hashable, compute: Callable[[], Awaitable[Any]]) -> Any:
    return await compute()


async def _boundaries(db_session: AsyncSession, area: Area) -> list[dict]:
    return [
        _indicator(
            f"boundary_vectorisation_{r['level']}",
            *LEVEL_LABELS[r["level"]],
            r["vectorised"],
            r["required"],
            100.0,
            "boundaries",
        )
        for r in await vectorisation_rate(db_session, area)
        if r["level"] in LEVEL_LABELS
    ]


async def _markers(db_session: AsyncSession, area: Area) -> list[dict]:
    r = (
        await db_session.execute(
            text(f"""SELECT count(*) AS total, count(*) FILTER (WHERE last_inspection_id IS NOT NULL) AS inspected,
                            count(*) FILTER (WHERE is_smart) AS smart FROM boundary_marker
                     WHERE {of_area(area, "line_code")}"""),
            area.params,
        )
    ).one()
    return [
        _indicator(
            "markers_managed",
            "界桩纳入巡查管理率（有巡查记录）",
            "Markers under managed inspection (visited)",
            r.inspected,
            r.total,
            100.0,
            "markers",
        ),
        _indicator(
            "markers_smart",
            "智能界桩占比",
            "Smart markers (GNSS and tilt sensors)",
            r.smart,
            r.total,
            None,
            "markers",
        ),
    ]


async def _remediation(db_session: AsyncSession, area: Area, cached: Cached) -> list[dict]:
    targets = await cached(
        progress.TABLES, ("targets", area.code), lambda: progress.targets(db_session, area)
    )
    return [
        _indicator(
            t["key"], t["label"], t["label_en"], t["numerator"], t["denominator"], t["target"], "remediation"
        )
        for t in targets
    ]


# the official coverage shares: (official's key, indicator key, Chinese, English, target)
OFFICIAL = [
    (
        "funeral_home/banner",
        "coverage_funeral_home",
        "殡仪馆旗区覆盖率",
        "Banners and districts with a funeral home",
        100.0,
    ),
    (
        "public_welfare_burial/banner",
        "coverage_public_welfare_burial",
        "公益性安葬设施旗区覆盖率",
        "Banners and districts with a public-welfare burial facility",
        100.0,
    ),
    (
        "rural_cemetery/township",
        "coverage_rural_cemetery_township",
        "农村公益性墓地乡镇覆盖率",
        "Rural townships with a rural public-welfare cemetery",
        None,
    ),
]


async def _coverage(
    db_session: AsyncSession, settings: Settings, area: Area, radius_km: float, cached: Cached
) -> list[dict]:
    official = {
        o["facility_type"] + "/" + o["unit"]: o
        for o in await cached(
            coverage.TABLES, ("official", area.code), lambda: coverage.official(db_session, area=area)
        )
    }
    out = [
        _indicator(key, zh, en, official[part]["covered"], official[part]["total"], target, "coverage")
        for part, key, zh, en, target in OFFICIAL
    ]
    sites = await db_session.scalar(
        text(
            "SELECT count(*) FROM funeral_facility WHERE status = 'operating' AND facility_type = ANY(:types)"
            f" AND {area.where('county_code')}"
        ),
        {"types": list(PUBLIC_WELFARE_BURIAL), **area.params},
    )
    out.insert(
        2,  # after the public-welfare share it counts towards
        _count(
            "public_welfare_sites_built",
            "公益性安葬设施建成数",
            "Public-welfare burial sites operating",
            sites,
            # the plan's number is the city's: a banner's sites count towards it
            settings.public_welfare_sites_target if area.whole else None,
            "coverage",
        ),
    )
    dist = await cached(
        coverage.TABLES,
        ("distance", area.code, radius_km, None),
        lambda: coverage.distance(db_session, radius_km=radius_km, area=area),
    )
    out.append(
        _indicator(
            "coverage_distance",
            f"乡镇驻地和村 {radius_km:g} 公里服务覆盖率",
            f"Township seats and villages within {radius_km:g} km of an operating facility",
            dist["covered"],
            dist["places"],
            None,
            "coverage",
        )
        | {"radius_km": radius_km}
    )
    return out


async def _register(db_session: AsyncSession, settings: Settings, area: Area) -> list[dict]:
    """The register's yearly update: the latest edition read, and the share of its changes
    in the area reviewed (none before a first edition is read)."""
    row = (
        await db_session.execute(
            text(f"""SELECT e.label, count(c.id) AS total, count(c.id) FILTER (WHERE c.status <> 'open') AS reviewed
                     FROM register_edition e
                     LEFT JOIN register_change c ON c.edition_id = e.id AND {area.where("c.county_code")}
                     WHERE e.home_code = :home GROUP BY e.id
                     ORDER BY e.as_of DESC NULLS LAST, e.id DESC LIMIT 1"""),
            {"home": settings.home_unit_code, **area.params},
        )
    ).first()
    if row is None:
        return []
    return [
        _indicator(
            "register_update_reviewed",
            f"地名数据库年度更新（{row.label}）变更审核率",
            f"Place-name register yearly update ({row.label}): changes reviewed",
            row.reviewed,
            row.total,
            100.0,
            "register",
        )
        | ({"value": 100.0, "met": True} if row.total == 0 else {})
    ]


async def indicators(
    db_session: AsyncSession,
    settings: Settings,
    area: Area,
    radius_km: float | None = None,
    cached: Cached = _uncached,
) -> list[dict]:
    """The targets with their values in the area: its lines (those with a side in it), its
    markers, graves, facilities and places. The plan's rates hold for a banner as for the
    city; its counts are the city's, so a banner's count has no target."""
    as_of = datetime.now(UTC).isoformat(timespec="seconds")
    found = [
        *await _boundaries(db_session, area),
        *await _markers(db_session, area),
        # kept until their own tables change: a day of visits and name edits leaves them be
        *await _remediation(db_session, area, cached),
        *await _coverage(db_session, settings, area, radius_km or settings.coverage_radius_km, cached),
        *await _register(db_session, settings, area),
    ]
    return [i | {"as_of": as_of} for i in found]
