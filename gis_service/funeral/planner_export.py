"""The planners' view as files to hand on: a standalone HTML map (folium) that opens
with no network, and a printable report with the indicator tables.

folium writes <script>/<link> tags pointing at CDNs, which our users' offices cannot
reach, so the map's scripts and styles are inlined from the packages the service already
serves; the CDN tags it does not need (Bootstrap, jQuery, icon fonts) are dropped."""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.home import HomeUnit, describe
from gis_service.auth.acting import Acting
from gis_service.auth.areas import Area
from gis_service.core.html_text import html_in_template_literal
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


async def _add_banners(m, db_session: AsyncSession, area: Area, words: dict, radius_km: float) -> None:
    """The area's banners, shaded by the share of their places within reach."""
    import folium

    dist = await coverage.distance(db_session, radius_km=radius_km, area=area)
    by_county = {c["county_code"]: c for c in dist["by_county"]}
    counties = await db_session.execute(
        text("""SELECT code, name, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.002), 5) AS g
                FROM admin_unit WHERE level = 'county' AND code LIKE :home_like AND valid_to IS NULL"""),
        {"home_like": HomeUnit(area.code).like},
    )
    banners = folium.FeatureGroup(name=words["banners_layer"].format(r=f"{radius_km:g}")).add_to(m)
    for c in counties:
        cov = by_county.get(c.code)
        value = cov["value"] if cov else None
        style = {"color": "#455a64", "weight": 1.5, "fillColor": _shade(value), "fillOpacity": 0.4}
        folium.GeoJson(
            c.g,
            style_function=lambda _, style=style: style,
            tooltip=html_in_template_literal(f"{c.name}：{value if value is not None else '—'}%"),
        ).add_to(banners)


async def _add_restrictions(m, db_session: AsyncSession, words: dict) -> bool:
    """The restricted corridors and zones; whether the corridors are demo data."""
    import folium

    demo = await db_session.scalar(
        text("SELECT count(*) > 0 AND bool_and(source = 'demo') FROM restricted_corridor")
    )
    corridors_name = words["corridors"] + (words["demo"] if demo else "")
    for layer, name, color in (
        ("restricted_corridor_area", corridors_name, "#d84315"),
        ("restricted_zone", words["zones"], "#33691e"),
    ):
        group = folium.FeatureGroup(name=name).add_to(m)
        for r in await db_session.execute(
            text(f"SELECT name, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.0005), 5) AS g FROM {layer}")
        ):
            folium.GeoJson(
                r.g,
                style_function=lambda _, c=color: {"color": c, "weight": 1, "fillOpacity": 0.3},
                tooltip=html_in_template_literal(r.name),
            ).add_to(group)
    return bool(demo)


async def _add_facilities(m, db_session: AsyncSession, words: dict, radius_km: float, pick: int) -> None:
    """The facilities by type and status, and the reach of each operating one."""
    import folium

    facilities = folium.FeatureGroup(name=words["facilities"]).add_to(m)
    rings = folium.FeatureGroup(name=words["rings"].format(r=f"{radius_km:g}")).add_to(m)
    for f in await db_session.execute(
        text("SELECT name, facility_type, status, ST_X(geom) AS x, ST_Y(geom) AS y FROM funeral_facility")
    ):
        color = TYPE_COLORS[f.facility_type]
        label = (
            f"{f.name}（{v.FACILITY_TYPES[f.facility_type][pick]}，{v.FACILITY_STATUSES[f.status][pick]}）"
        )
        folium.CircleMarker(
            [f.y, f.x],
            radius=6,
            color="#263238",
            weight=1,
            fill=True,
            fill_color=color,
            fill_opacity=0.95 if f.status == "operating" else 0.35,
            tooltip=html_in_template_literal(label),
        ).add_to(facilities)
        if f.status == "operating":
            folium.Circle(
                [f.y, f.x], radius=radius_km * 1000, color=color, weight=1, fill=False, dash_array="4 4"
            ).add_to(rings)


async def standalone_map(
    db_session: AsyncSession,
    settings: Settings,
    *,
    area: Area,
    by: Acting,
    radius_km: float,
    lang: str = "zh",
) -> str:
    """The planners' map of an area as one HTML file: banners by coverage, restrictions,
    facilities with their reach, and the graves still to remediate as a heat map."""
    import folium
    from folium.plugins import HeatMap

    words = await _words(db_session, area, lang)
    pick = 0 if lang == "zh" else 1
    m = folium.Map(location=[39.4, 108.8], zoom_start=7, tiles=None, prefer_canvas=True)
    m.fit_bounds((await describe(db_session, area.code))["bounds"])
    # Every text from the database goes through html_in_template_literal: folium writes
    # tooltips raw into JavaScript template literals (a facility named `${…}` would run).
    await _add_banners(m, db_session, area, words, radius_km)
    demo = await _add_restrictions(m, db_session, words)
    await _add_facilities(m, db_session, words, radius_km, pick)
    heat = [
        [r.y, r.x, min(1.0, r.c / 5)]
        for r in await db_session.execute(
            text(f"""SELECT ST_Y(geom) AS y, ST_X(geom) AS x, grave_count AS c FROM grave
                     WHERE remediation_status <> 'remediated' AND {area.where("county_code")} LIMIT 200000"""),
            area.params,
        )
    ]
    HeatMap(heat, name=words["heat"], radius=12, blur=16).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    root = m.get_root()
    root.header.add_child(folium.Element(f"<title>{html.escape(words['map_title'])}</title>"))
    prepared = words["prepared_by"].format(who=by.said(lang))
    root.html.add_child(
        folium.Element(_title_and_legend(words, radius_km, pick, demo=demo, prepared=prepared))
    )
    return inline_assets(root.render(), settings)


async def _words(db_session: AsyncSession, area: Area, lang: str) -> dict:
    """The texts in one language, the titles naming the area's unit."""
    home = await describe(db_session, area.code)
    unit = home["name"] if lang == "zh" else home["name_en"]
    return {k: v.replace("{unit}", unit) for k, v in TEXT[lang].items()}


def _title_and_legend(words: dict, radius_km: float, pick: int, *, demo: bool, prepared: str) -> str:
    """The exported map's title and legend, drawn over the map like the page's own."""
    swatch = '<i style="background:{c};{r}"></i>{t}'
    types = "<br>".join(
        swatch.format(c=TYPE_COLORS[code], r="border-radius:50%", t=html.escape(labels[pick]))
        for code, labels in v.FACILITY_TYPES.items()
    )
    shades = "<br>".join(
        swatch.format(c=_shade(value), r="", t=label)
        for value, label in ((95, "≥ 95%"), (80, "80–95%"), (50, "50–80%"), (0, "< 50%"), (None, "—"))
    )
    corridors = html.escape(words["corridors"] + (words["demo"] if demo else ""))
    return f"""<style>
.export-title {{ position: fixed; top: 10px; left: 56px; z-index: 1000; max-width: 40vw;
  background: rgba(255,255,255,.92); padding: 6px 14px; border-radius: 6px; font: 600 16px sans-serif;
  box-shadow: 0 1px 4px rgba(0,0,0,.3); }}
.export-legend {{ position: fixed; bottom: 24px; left: 10px; z-index: 1000; background: #fff; padding: 8px 10px;
  border-radius: 6px; font: 12px/1.5 sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 260px; }}
.export-legend i {{ display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: middle; }}
</style>
<div class="export-title">{html.escape(words["map_title"])}
<div style="font-weight:400;font-size:12px">{html.escape(prepared)}</div></div>
<div class="export-legend"><b>{html.escape(words["legend"])}</b><br>
<b>{html.escape(words["facilities"])}</b>{html.escape(words["not_operating"])}<br>{types}<br>
<b>{html.escape(words["shading"].format(r=f"{radius_km:g}"))}</b><br>{shades}<br>
{swatch.format(c="#d84315", r="", t=corridors)}<br>
{swatch.format(c="#33691e", r="", t=html.escape(words["zones"]))}</div>"""


# The report's and the exported map's words, in the planners' two languages.
TEXT = {
    "zh": {
        "title": "{unit}殡葬设施与“三沿七区”散坟整治指标报告",
        "map_title": "{unit}殡葬设施与散坟整治规划图",
        "as_of": "计算时间：{t}（北京时间，由数据实时计算）",
        "prepared_by": "编制：{who}",
        "targets": "规划目标与当前值",
        "indicator": "指标",
        "value": "当前值",
        "target": "目标",
        "numerator": "分子",
        "denominator": "分母",
        "by_banner": "各旗区散坟整治进度",
        "banner": "旗区",
        "surveyed": "已调查（座）",
        "remediated": "已整治（座）",
        "rate": "整治率（%）",
        "by_kind": "按限制区域类别的整治进度",
        "kind": "类别",
        "official": "设施覆盖（行政单位）",
        "facility_type": "设施类型",
        "covered": "已覆盖",
        "total": "总数",
        "coverage": "覆盖率（%）",
        "missing": "未覆盖",
        "uncovered": "{r} 公里服务半径未覆盖的地点（{n} 处）",
        "place": "地点",
        "level": "级别",
        "nearest": "最近设施（公里）",
        "township": "乡镇（苏木）驻地",
        "village": "村（嘎查）",
        "sites": " 处",
        "banners_layer": "旗区 {r} 公里覆盖率",
        "corridors": "“三沿”廊道",
        "zones": "“七区”区域",
        "facilities": "殡葬设施",
        "rings": "服务半径 {r} 公里",
        "heat": "未整治散坟（热力）",
        "legend": "图例",
        "shading": "旗区着色：{r} 公里内覆盖的村和乡镇占比",
        "demo": "（演示数据，非真实路线）",
        "not_operating": "（浅色：未运营）",
    },
    "en": {
        "title": "{unit} funeral facilities and grave remediation: indicator report",
        "map_title": "{unit} funeral facilities and grave remediation: planning map",
        "as_of": "Computed {t} (Beijing time, live from the data)",
        "prepared_by": "Prepared by {who}",
        "targets": "Plan targets and current values",
        "indicator": "Indicator",
        "value": "Value",
        "target": "Target",
        "numerator": "Numerator",
        "denominator": "Denominator",
        "by_banner": "Grave remediation by banner",
        "banner": "Banner",
        "surveyed": "Surveyed (graves)",
        "remediated": "Remediated (graves)",
        "rate": "Rate (%)",
        "by_kind": "Remediation by restricted-area class",
        "kind": "Class",
        "official": "Facility coverage (administrative units)",
        "facility_type": "Facility type",
        "covered": "Covered",
        "total": "Total",
        "coverage": "Coverage (%)",
        "missing": "Not covered",
        "uncovered": "Places outside the {r} km service radius ({n})",
        "place": "Place",
        "level": "Level",
        "nearest": "Nearest facility (km)",
        "township": "Township seat",
        "village": "Village",
        "sites": " sites",
        "banners_layer": "Banner coverage within {r} km",
        "corridors": "Restricted corridors",
        "zones": "Restricted zones",
        "facilities": "Funeral facilities",
        "rings": "Service radius {r} km",
        "heat": "Graves not yet remediated (heat)",
        "legend": "Legend",
        "shading": "Banner shading: share of villages and townships within {r} km",
        "demo": " (demo data, not real routes)",
        "not_operating": " (pale: not operating)",
    },
}
BEIJING = ZoneInfo("Asia/Shanghai")


def _local_time(iso: str, lang: str) -> str:
    """An ISO timestamp as people read it, in Beijing time."""
    if not iso:
        return ""
    at = datetime.fromisoformat(str(iso)).astimezone(BEIJING)
    return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}" if lang == "zh" else f"{at:%d %b %Y, %H:%M}"


def _rows(items: list[dict], columns: list[tuple[str, str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for _, h in columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('—' if i.get(k) is None else str(i.get(k)))}</td>" for k, _ in columns)
        + "</tr>"
        for i in items
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


async def _banner_names(db_session: AsyncSession, lang: str) -> dict[str, str]:
    rows = await db_session.execute(
        text(
            "SELECT code, CASE WHEN :zh THEN name ELSE coalesce(name_romanized, name) END FROM admin_unit"
            " WHERE level = 'county' AND valid_to IS NULL"
        ),
        {"zh": lang == "zh"},
    )
    return dict(rows.all())


async def _report_tables(
    db_session: AsyncSession, settings: Settings, area: Area, words: dict, radius_km: float, lang: str
):
    """(as of, [(heading, rows, [(field, column heading)])]): the report's tables."""
    w, label = words, "label" if lang == "zh" else "label_en"
    found = await indicators(db_session, settings, area, radius_km=radius_km)
    banners = await progress.series(db_session, by="banner", area=area)
    kinds = await progress.series(db_session, by="restriction", area=area)
    official = await coverage.official(db_session, area=area)
    dist = await coverage.distance(db_session, radius_km=radius_km, area=area)
    banner_names = await _banner_names(db_session, lang)
    for o in official:
        o["missing_names"] = "、".join(x["name"] for x in o["missing"]) or "—"
    uncovered = [
        {
            **u,
            "level_shown": w.get(u["level"], u["level"]),
            "banner": banner_names.get(u["county_code"], u["county_code"]),
        }
        for u in dist["uncovered"][:300]
    ]
    for i in found:  # each figure in its unit: a rate in percent, a count in sites
        suffix = "%" if i["unit"] == "percent" else w["sites"]
        for k in ("value", "target"):
            i[f"{k}_shown"] = None if i[k] is None else f"{i[k]}{suffix}"
    progress_columns = [("surveyed", w["surveyed"]), ("remediated", w["remediated"]), ("rate_pct", w["rate"])]
    tables = [
        (
            w["targets"],
            found,
            [
                (label, w["indicator"]),
                ("value_shown", w["value"]),
                ("target_shown", w["target"]),
                ("numerator", w["numerator"]),
                ("denominator", w["denominator"]),
            ],
        ),
        (w["by_banner"], banners["groups"], [(label, w["banner"]), *progress_columns]),
        (w["by_kind"], kinds["groups"], [(label, w["kind"]), *progress_columns]),
        (
            w["official"],
            official,
            [
                (label, w["facility_type"]),
                ("covered", w["covered"]),
                ("total", w["total"]),
                ("value", w["coverage"]),
                ("missing_names", w["missing"]),
            ],
        ),
        (
            w["uncovered"].format(r=f"{radius_km:g}", n=len(dist["uncovered"])),
            uncovered,
            [
                ("name", w["place"]),
                ("level_shown", w["level"]),
                ("banner", w["banner"]),
                ("nearest_km", w["nearest"]),
            ],
        ),
    ]
    return (found[0]["as_of"] if found else ""), tables


REPORT_CSS = """@page { size: A4; margin: 15mm; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif; font-size: 11pt;
  margin: 16px; color: #111; }
.table { overflow-x: auto; margin-bottom: 1em; }
table { border-collapse: collapse; width: 100%; page-break-inside: auto; }
th, td { border: 1px solid #999; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; white-space: nowrap; font-weight: 600; }
td:not(:first-child) { font-variant-numeric: tabular-nums; }
tr { page-break-inside: avoid; } h1 { font-size: 16pt; } h2 { font-size: 13pt; margin-top: 1.2em; }
@media (max-width: 600px) { body { margin: 8px; font-size: 14px; } h1 { font-size: 18px; }
  h2 { font-size: 15px; } th, td { padding: 4px 6px; } }
@media print { body { margin: 0; } .table { overflow: visible; } }"""


async def printable_report(
    db_session: AsyncSession,
    settings: Settings,
    *,
    area: Area,
    by: Acting,
    radius_km: float,
    lang: str = "zh",
) -> str:
    """A self-contained HTML page sized for A4 and readable on a phone, with the area's
    indicator tables in the chosen language."""
    w = await _words(db_session, area, lang)
    as_of, tables = await _report_tables(db_session, settings, area, w, radius_km, lang)
    body = "".join(
        f'<h2>{html.escape(heading)}</h2><div class="table">{_rows(rows, columns)}</div>'
        for heading, rows, columns in tables
    )
    return f"""<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(w["title"])}</title>
<style>{REPORT_CSS}</style></head>
<body><h1>{html.escape(w["title"])}</h1><p>{html.escape(w["as_of"].format(t=_local_time(as_of, lang)))}<br>
{html.escape(w["prepared_by"].format(who=by.said(lang)))}</p>
{body}<script>if (matchMedia("(min-width: 700px)").matches) window.addEventListener("load", () => window.print());</script>
</body></html>"""
