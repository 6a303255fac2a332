"""The year's report of an edition: per banner, the names added, renamed, cancelled and
re-coded by accepted changes, and the reviews still open; as a printable page and a
workbook, in Chinese or English."""

from __future__ import annotations

import html

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth.acting import Acting
from gis_service.file_intake.tables import write_xlsx
from gis_service.register_update import service

# each column: (key, Chinese, English), counted by SQL over the edition's changes
COLUMNS = [
    ("added", "新增", "Added"),
    ("renamed", "更名", "Renamed"),
    ("committee", "仅委员会名称更新", "Committee name only"),
    ("cancelled", "销名", "Cancelled"),
    ("recoded", "代码或隶属变更", "Re-coded or moved"),
    ("rejected", "未采纳", "Rejected"),
    ("open", "待审核", "Open reviews"),
]
_COUNTS = """
SELECT c.county_code,
       coalesce((SELECT a.name FROM admin_unit a WHERE a.code = c.county_code ORDER BY a.valid_to DESC NULLS FIRST
                 LIMIT 1), c.county_code) AS county_name,
       coalesce((SELECT coalesce(a.name_romanized, a.name) FROM admin_unit a WHERE a.code = c.county_code
                 ORDER BY a.valid_to DESC NULLS FIRST LIMIT 1), c.county_code) AS county_name_en,
       count(*) FILTER (WHERE status = 'accepted' AND kind = 'new') AS added,
       count(*) FILTER (WHERE status = 'accepted' AND kind IN ('renamed', 'transliteration') AND standard_changes)
           AS renamed,
       count(*) FILTER (WHERE status = 'accepted' AND kind IN ('renamed', 'transliteration')
                        AND NOT standard_changes) AS committee,
       count(*) FILTER (WHERE status = 'accepted' AND kind = 'gone') AS cancelled,
       count(*) FILTER (WHERE status = 'accepted' AND kind IN ('recoded', 'moved')) AS recoded,
       count(*) FILTER (WHERE status = 'rejected') AS rejected,
       count(*) FILTER (WHERE status = 'open') AS open
FROM register_change c WHERE c.edition_id = :e AND c.county_code LIKE :like
GROUP BY c.county_code ORDER BY c.county_code"""

WORDS = {
    "zh": {
        "title": "地名数据库年度更新报告：{label}",
        "as_of": "版本时点：{d}；已审核 {r}/{n}（{p}%）",
        "banner": "旗区",
        "total": "合计",
        "by": "编制：{who}",
    },
    "en": {
        "title": "Place-name register yearly update: {label}",
        "as_of": "Edition as of {d}; reviewed {r} of {n} ({p}%)",
        "banner": "Banner or district",
        "total": "Total",
        "by": "Prepared by {who}",
    },
}


async def year(db_session: AsyncSession, edition_id: int, like: str) -> dict:
    """The edition's summary and its figures per banner (within `like`, a code pattern)."""
    summary = await service.summary(db_session, edition_id)
    rows = [
        dict(r._mapping) for r in await db_session.execute(text(_COUNTS), {"e": edition_id, "like": like})
    ]
    total = {k: sum(r[k] for r in rows) for k, _, _ in COLUMNS}
    return {"edition": summary, "banners": rows, "total": total}


def _table(figures: dict, lang: str) -> tuple[list[str], list[list]]:
    pick = 1 if lang == "zh" else 2
    w = WORDS[lang]
    header = [w["banner"], *(c[pick] for c in COLUMNS)]
    name = "county_name" if lang == "zh" else "county_name_en"
    rows = [[r[name], *(r[c[0]] for c in COLUMNS)] for r in figures["banners"]]
    rows.append([w["total"], *(figures["total"][c[0]] for c in COLUMNS)])
    return header, rows


def _heading(figures: dict, lang: str, by: Acting) -> tuple[str, str, str]:
    e, w = figures["edition"], WORDS[lang]
    title = w["title"].format(label=e["label"])
    line = w["as_of"].format(d=e["as_of"] or "—", r=e["reviewed"], n=e["changes"], p=e["reviewed_pct"])
    return title, line, w["by"].format(who=by.said(lang))


def as_html(figures: dict, lang: str, by: Acting) -> str:
    header, rows = _table(figures, lang)
    title, line, prepared = (html.escape(t) for t in _heading(figures, lang, by))
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"""<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>@page {{ size: A4; margin: 15mm; }} body {{ font-family: "Noto Sans CJK SC", sans-serif; margin: 16px; }}
.table {{ overflow-x: auto; }} table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: 4px 8px; text-align: left; }} th {{ background: #f0f0f0; }}
td:not(:first-child) {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr:last-child td {{ font-weight: 600; }} h1 {{ font-size: 16pt; }}
@media (max-width: 600px) {{ body {{ margin: 8px; font-size: 14px; }} h1 {{ font-size: 18px; }} }}</style></head>
<body><h1>{title}</h1><p>{line}<br>{prepared}</p>
<div class="table"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></body></html>"""


def as_xlsx(figures: dict, lang: str, by: Acting) -> bytes:
    header, rows = _table(figures, lang)
    title, line, prepared = _heading(figures, lang, by)
    return write_xlsx(
        header,
        rows,
        title="年度更新" if lang == "zh" else "Yearly update",
        widths={0: 20},
        about=[("", title), ("", line), ("", prepared)],
    )
