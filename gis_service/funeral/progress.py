"""Remediation progress: remediated ÷ surveyed (counted in graves, i.e. each surveyed
point weighs its number of graves), as a monthly time series by banner, township,
restriction class or grave kind, and the plan's targets with their current values."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth.areas import Area
from gis_service.funeral import vocabulary as v

# Each dimension: the key column of `g` and the rows it comes from.
# what progress reads (catalogue/answer_cache.py keeps answers until one of them changes)
TABLES = ["admin_unit", "corridor_class", "grave", "grave_restriction"]
DIMENSIONS = {
    "banner": "SELECT g.*, g.county_code AS key FROM grave g",
    "township": "SELECT g.*, g.township_code AS key FROM grave g",
    "kind": "SELECT g.*, g.kind AS key FROM grave g",
    "restriction": """
        SELECT g.*, COALESCE(r.area_class, 'not_restricted') AS key FROM grave g
        LEFT JOIN (SELECT DISTINCT grave_id, area_class FROM grave_restriction) r ON r.grave_id = g.id""",
}

_SERIES = """
WITH g AS (SELECT * FROM ({rows}) rows WHERE {area}),
ev AS (
    SELECT key, date_trunc('month', surveyed_on)::date AS m, sum(grave_count) AS s, 0::bigint AS r
    FROM g GROUP BY 1, 2
    UNION ALL
    SELECT key, date_trunc('month', remediated_on)::date, 0, sum(grave_count)
    FROM g WHERE remediation_status = 'remediated' GROUP BY 1, 2
), months AS (
    SELECT generate_series(min(m), date_trunc('month', CURRENT_DATE)::date, interval '1 month')::date AS m FROM ev
), grid AS (
    SELECT k.key, mo.m, COALESCE(sum(ev.s), 0) AS s, COALESCE(sum(ev.r), 0) AS r
    FROM (SELECT DISTINCT key FROM ev) k CROSS JOIN months mo
    LEFT JOIN ev ON ev.key IS NOT DISTINCT FROM k.key AND ev.m = mo.m
    GROUP BY 1, 2
)
SELECT key, m, sum(s) OVER w AS surveyed, sum(r) OVER w AS remediated
FROM grid WINDOW w AS (PARTITION BY key ORDER BY m) ORDER BY key NULLS LAST, m
"""

TARGETS = (
    # key, Chinese label, English label, target %, which graves
    (
        "remediation_road_rail",
        "铁路、公路沿线散坟整治率",
        "Graves along railways and highways remediated",
        80.0,
        "flags.road_or_rail",
    ),
    (
        "remediation_hardened_large",
        "硬化大墓整治率",
        "Hardened large tombs remediated",
        100.0,
        "g.kind = 'hardened_large'",
    ),
    (
        "remediation_living_person",
        "活人墓整治率",
        "Living-person tombs remediated",
        100.0,
        "g.kind = 'living_person'",
    ),
    (
        "remediation_restricted",
        "“三沿七区”散坟整治率",
        "Graves in the restricted corridors and zones remediated",
        None,
        "flags.grave_id IS NOT NULL",
    ),
)


def rate(remediated: int, surveyed: int) -> float | None:
    return round(100.0 * remediated / surveyed, 1) if surveyed else None


async def _labels(db_session: AsyncSession, by: str) -> dict[str, tuple[str, str]]:
    """Each group's label in Chinese and English (a unit's romanised name where it has one)."""
    if by in ("banner", "township"):
        level = "county" if by == "banner" else "township"
        rows = await db_session.execute(
            text("SELECT code, name, name_romanized FROM admin_unit WHERE level = :l AND valid_to IS NULL"),
            {"l": level},
        )
        return {r.code: (r.name, r.name_romanized or r.name) for r in rows}
    if by == "kind":
        return dict(v.GRAVE_KINDS)
    rows = await db_session.execute(text("SELECT corridor_class, label_zh, label_en FROM corridor_class"))
    return {
        **{r.corridor_class: (r.label_zh, r.label_en) for r in rows},
        **v.ZONE_TYPES,
        "not_restricted": ("不在限制区域", "Not in a restricted area"),
    }


def _label(labels: dict, key: str | None) -> tuple[str, str]:
    """(Chinese, English) name of a group; its code, or 未知/unknown, when it has none."""
    return labels.get(key) or (key or "未知", key or "unknown")


async def series(db_session: AsyncSession, *, by: str, area: Area) -> dict:
    """Monthly cumulative surveyed and remediated graves of the area per group, with the rate."""
    labels = await _labels(db_session, by)
    sql = _SERIES.format(rows=DIMENSIONS[by], area=area.where("rows.county_code"))
    rows = await db_session.execute(text(sql), area.params)
    groups: dict = {}
    for r in rows:
        group = groups.get(r.key)
        if group is None:  # named once per group, not once per month
            zh, en = _label(labels, r.key)
            group = groups[r.key] = {"key": r.key, "label": zh, "label_en": en, "series": []}
        group["series"].append(
            {
                "month": r.m.isoformat()[:7],
                "surveyed": int(r.surveyed),
                "remediated": int(r.remediated),
                "rate_pct": rate(int(r.remediated), int(r.surveyed)),
            }
        )
    for group in groups.values():
        last = group["series"][-1]
        group |= {
            "surveyed": last["surveyed"],
            "remediated": last["remediated"],
            "rate_pct": last["rate_pct"],
        }
    return {"by": by, "counted_in": "graves", "groups": list(groups.values())}


async def targets(db_session: AsyncSession, area: Area) -> list[dict]:
    """Each remediation target of the plan with its current value in the area (the plan's
    rates hold for every banner's share as for the city's)."""
    selects = ",\n".join(
        f"sum(g.grave_count) FILTER (WHERE {cond}) AS s{i},"
        f" sum(g.grave_count) FILTER (WHERE {cond} AND g.remediation_status = 'remediated') AS r{i}"
        for i, (*_, cond) in enumerate(TARGETS)
    )
    # One pass over the graves, with each restricted grave's flags from one pass over
    # the restriction rows (a join, not a subquery per grave).
    row = (
        await db_session.execute(
            text(f"""
            SELECT {selects} FROM grave g
            LEFT JOIN (SELECT r.grave_id, bool_or(r.area_kind = 'corridor' AND k.road_or_rail) AS road_or_rail
                       FROM grave_restriction r LEFT JOIN corridor_class k ON k.corridor_class = r.area_class
                       GROUP BY r.grave_id) flags ON flags.grave_id = g.id
            WHERE {area.where("g.county_code")}"""),
            area.params,
        )
    ).one()
    out = []
    for i, (key, zh, en, target, _) in enumerate(TARGETS):
        surveyed, remediated = int(getattr(row, f"s{i}") or 0), int(getattr(row, f"r{i}") or 0)
        value = rate(remediated, surveyed)
        out.append(
            {
                "key": key,
                "label": zh,
                "label_en": en,
                "value": value,
                "target": target,
                "met": None if target is None or value is None else value >= target,
                "numerator": remediated,
                "denominator": surveyed,
            }
        )
    return out
