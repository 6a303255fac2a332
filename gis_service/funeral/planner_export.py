"""The planners' view as files to hand on: a standalone HTML map (folium) that opens
with no network, and a printable report with the indicator tables.

folium writes <script>/<link> tags pointing at CDNs, which our users' offices cannot
reach, so the map's scripts and styles are inlined from the packages the service already
serves; the CDN tags it does not need (Bootstrap, jQuery, icon fonts) are dropped."""

from __future__ import annotations

import html
import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.core.settings import Settings
from gis_service.funeral import coverage, progress
from gis_service.funeral import vocabulary as v
from gis_service.indicators.service import indicators

_TAG = re.compile(
    r'<script src="(https?://[^"]+)"></script>|<link rel="stylesheet" href="(https?://[^"]+)"\s*/?>'
)
TYPE_COLORS = {
    "funeral_home": "#6a1b9a",
    "public_cemetery": "#2e7d32",
    "rural_cemetery": "#558b2f",
    "commercial_cemetery": "#f57f17",
    "ash_hall": "#0277bd",
    "eco_burial": "#00897b",
}


def _local_assets(settings: Settings) -> dict[str, Path]:
    import folium

    modules = settings.web_map_dir / "node_modules"
    return {
        "leaflet.js": modules / "leaflet/dist/leaflet.js",
        "leaflet.css": modules / "leaflet/dist/leaflet.css",
        "leaflet_heat.min.js": Path(folium.__file__).parent / "templates/leaflet_heat.min.js",
    }


def inline_assets(page: str, settings: Settings) -> str:
    """Replace CDN tags by the same libraries inlined; drop the ones the map does not use."""
    assets = _local_assets(settings)

    def swap(m: re.Match) -> str:
        url = m.group(1) or m.group(2)
        name = url.rsplit("/", 1)[-1]
        if name not in assets:
            return ""
        body = assets[name].read_text(encoding="utf-8")
        return f"<script>{body}</script>" if m.group(1) else f"<style>{body}</style>"

    return _TAG.sub(swap, page)


def _shade(value: float | None) -> str:
    if value is None:
        return "#9e9e9e"
    return "#2e7d32" if value >= 95 else "#9e9d24" if value >= 80 else "#ef6c00" if value >= 50 else "#c62828"


async def standalone_map(db_session: AsyncSession, settings: Settings, *, radius_km: float) -> str:
    import folium
    from folium.plugins import HeatMap

    dist = await coverage.distance(db_session, radius_km=radius_km)
    by_county = {c["county_code"]: c for c in dist["by_county"]}
    counties = (
        await db_session.execute(
            text("""SELECT code, name, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.002), 5) AS g
                    FROM admin_unit WHERE level = 'county' AND parent_code = :home AND valid_to IS NULL"""),
            {"home": settings.home_unit_code},
        )
    ).all()
    m = folium.Map(location=[39.4, 108.8], zoom_start=7, tiles=None, prefer_canvas=True)
    m.fit_bounds([[37.58, 106.70], [40.88, 111.48]])  # the home city
    banners = folium.FeatureGroup(name=f"旗区 {radius_km:g} 公里覆盖率").add_to(m)
    for c in counties:
        cov = by_county.get(c.code)
        value = cov["value"] if cov else None
        fill = _shade(value)
        folium.GeoJson(
            c.g,
            style_function=lambda _, col=fill: {
                "color": "#455a64",
                "weight": 1.5,
                "fillColor": col,
                "fillOpacity": 0.4,
            },
            tooltip=f"{c.name}：{value if value is not None else '—'}%",
        ).add_to(banners)
    for layer, name, color in (
        ("restricted_corridor_area", "“三沿”廊道", "#d84315"),
        ("restricted_zone", "“七区”区域", "#33691e"),
    ):
        group = folium.FeatureGroup(name=name).add_to(m)
        for r in await db_session.execute(
            text(f"SELECT name, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.0005), 5) AS g FROM {layer}")
        ):
            folium.GeoJson(
                r.g,
                style_function=lambda _, c=color: {"color": c, "weight": 1, "fillOpacity": 0.3},
                tooltip=r.name,
            ).add_to(group)
    facilities = folium.FeatureGroup(name="殡葬设施").add_to(m)
    rings = folium.FeatureGroup(name=f"服务半径 {radius_km:g} 公里").add_to(m)
    for f in await db_session.execute(
        text("SELECT name, facility_type, status, ST_X(geom) AS x, ST_Y(geom) AS y FROM funeral_facility")
    ):
        color = TYPE_COLORS[f.facility_type]
        label = f"{f.name}（{v.FACILITY_TYPES[f.facility_type][0]}，{v.FACILITY_STATUSES[f.status][0]}）"
        folium.CircleMarker(
            [f.y, f.x],
            radius=6,
            color="#263238",
            weight=1,
            fill=True,
            fill_color=color,
            fill_opacity=0.95 if f.status == "operating" else 0.35,
            tooltip=label,
        ).add_to(facilities)
        if f.status == "operating":
            folium.Circle(
                [f.y, f.x], radius=radius_km * 1000, color=color, weight=1, fill=False, dash_array="4 4"
            ).add_to(rings)
    heat = [
        [r.y, r.x, min(1.0, r.c / 5)]
        for r in await db_session.execute(
            text("""SELECT ST_Y(geom) AS y, ST_X(geom) AS x, grave_count AS c FROM grave
                    WHERE remediation_status <> 'remediated' LIMIT 200000""")
        )
    ]
    HeatMap(heat, name="未整治散坟（热力）", radius=12, blur=16).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.get_root().header.add_child(folium.Element("<title>鄂尔多斯市殡葬设施与散坟整治规划图</title>"))
    return inline_assets(m.get_root().render(), settings)


def _rows(items: list[dict], columns: list[tuple[str, str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for _, h in columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('—' if i.get(k) is None else str(i.get(k)))}</td>" for k, _ in columns)
        + "</tr>"
        for i in items
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


async def printable_report(db_session: AsyncSession, settings: Settings, *, radius_km: float) -> str:
    """A self-contained HTML page sized for A4, with the indicator tables."""
    found = await indicators(db_session, settings, radius_km=radius_km)
    banners = await progress.series(db_session, by="banner")
    kinds = await progress.series(db_session, by="restriction")
    official = await coverage.official(db_session, home_code=settings.home_unit_code)
    dist = await coverage.distance(db_session, radius_km=radius_km)
    for o in official:
        o["missing_names"] = "、".join(x["name"] for x in o["missing"]) or "—"
    as_of = found[0]["as_of"] if found else ""
    for i in found:  # each figure in its unit: a rate in percent, a count in sites
        suffix = "%" if i["unit"] == "percent" else " 处"
        for k in ("value", "target"):
            i[f"{k}_shown"] = None if i[k] is None else f"{i[k]}{suffix}"
    sections = [
        (
            "规划目标与当前值",
            _rows(
                found,
                [
                    ("label", "指标"),
                    ("value_shown", "当前值"),
                    ("target_shown", "目标"),
                    ("numerator", "分子"),
                    ("denominator", "分母"),
                ],
            ),
        ),
        (
            "各旗区散坟整治进度",
            _rows(
                banners["groups"],
                [
                    ("label", "旗区"),
                    ("surveyed", "已调查（座）"),
                    ("remediated", "已整治（座）"),
                    ("rate_pct", "整治率 %"),
                ],
            ),
        ),
        (
            "按限制区域类别的整治进度",
            _rows(
                kinds["groups"],
                [
                    ("label", "类别"),
                    ("surveyed", "已调查（座）"),
                    ("remediated", "已整治（座）"),
                    ("rate_pct", "整治率 %"),
                ],
            ),
        ),
        (
            "设施覆盖（行政单位）",
            _rows(
                official,
                [
                    ("label", "设施类型"),
                    ("covered", "已覆盖"),
                    ("total", "总数"),
                    ("value", "覆盖率 %"),
                    ("missing_names", "未覆盖"),
                ],
            ),
        ),
        (
            f"{radius_km:g} 公里服务半径未覆盖的地点（{len(dist['uncovered'])} 处）",
            _rows(
                dist["uncovered"][:300],
                [
                    ("name", "地点"),
                    ("level", "级别"),
                    ("county_code", "旗区代码"),
                    ("nearest_km", "最近设施（公里）"),
                ],
            ),
        ),
    ]
    body = "".join(f"<h2>{html.escape(t)}</h2>{table}" for t, table in sections)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>殡葬设施与散坟整治指标报告</title>
<style>@page {{ size: A4; margin: 15mm; }} body {{ font-family: sans-serif; font-size: 11pt; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 1em; page-break-inside: auto; }}
th, td {{ border: 1px solid #999; padding: 2px 5px; text-align: left; }} tr {{ page-break-inside: avoid; }}
h1 {{ font-size: 16pt; }} h2 {{ font-size: 13pt; margin-top: 1.2em; }}</style></head>
<body><h1>鄂尔多斯市殡葬设施与“三沿七区”散坟整治指标报告</h1><p>计算时间：{html.escape(as_of)}（由数据实时计算）</p>
{body}<script>window.addEventListener("load", () => window.print());</script></body></html>"""
