"""The joint inspection report as CSV, XLSX and a printable HTML page."""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

from gis_service.file_intake import tables
from gis_service.inspections.vocabulary import CONDITIONS

# inside the page: a saved or printed report keeps its layout, wherever the service is served
STYLE = (Path(__file__).parent / "report.css").read_text(encoding="utf-8")

COLUMNS = [
    ("marker_code", "界桩编号 Marker"),
    ("condition", "状况 Condition"),
    ("finding", "发现 Finding"),
    ("action_required", "需处理 Action"),
    ("recorded_by", "记录人 Recorded by"),
    ("recorded_at", "记录时间 Recorded at"),
]


def _cell(key: str, value) -> str:
    if value is None:
        return ""
    if key == "condition" and value in CONDITIONS:
        return f"{CONDITIONS[value].zh} {CONDITIONS[value].en}"
    if key == "action_required":
        return "是 yes" if value else "否 no"
    return str(value)


def _heading(report: dict) -> list[tuple[str, str]]:
    r, line = report["round"], report["line"] or {}
    return [
        ("界线 Line", f"{line.get('name', '')} ({r['line_code']})"),
        ("检查类型 Kind", f"{r['kind']}{' — ' + r['reason'] if r['reason'] else ''}"),
        ("计划日期 Planned", str(r["planned_on"])),
        ("完成日期 Completed", str(r["completed_on"] or "")),
        ("参与方 Sides", ", ".join(r["sides"] or [])),
        ("负责人 Lead", r["lead"] or ""),
        ("界桩数 Markers on line", str(report["markers_on_line"])),
        ("巡查轨迹 Walked track", _track_text(report.get("track"))),
    ]


def _track_text(track: dict | None) -> str:
    """Length and time span of the walked track, e.g. "12.345 km, 2026-11-30 08:02–11:40 (UTC)"."""
    if not track or not track["points"]:
        return "无 none"
    start, end = track["started_at"], track["ended_at"]
    fmt = "%Y-%m-%d %H:%M"
    span = f"{start:{fmt}}–{end:%H:%M}" if start.date() == end.date() else f"{start:{fmt}}–{end:{fmt}}"
    people = ", ".join(f"{r['inspector']} {r['length_km']} km" for r in track["by_inspector"])
    return f"{track['length_km']} km, {span} (UTC); {people}"


def _rows(report: dict) -> list[list]:
    """The report as table rows: the heading, a blank row, the findings with their header."""
    return [
        *([k, v] for k, v in _heading(report)),
        [],
        [label for _, label in COLUMNS],
        *([_cell(k, f[k]) for k, _ in COLUMNS] for f in report["findings"]),
    ]


def as_csv(report: dict) -> bytes:
    return (tables.CSV_BOM + tables.csv_lines(_rows(report))).encode()


def as_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "联合检查 Inspection"
    heading = len(_heading(report))
    for i, row in enumerate(_rows(report)):
        tables.append_xlsx_row(ws, row)
        if i < heading:
            ws.cell(ws.max_row, 1).font = Font(bold=True)
        elif i == heading + 1:
            for c in ws[ws.max_row]:
                c.font = Font(bold=True)
    for col, width in zip("ABCDEF", (22, 18, 50, 10, 16, 22), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def as_html(report: dict) -> str:
    line = report["line"] or {}
    head = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in _heading(report))
    rows = (
        "".join(
            "<tr>" + "".join(f"<td>{escape(_cell(k, f[k]))}</td>" for k, _ in COLUMNS) + "</tr>"
            for f in report["findings"]
        )
        or f'<tr><td colspan="{len(COLUMNS)}">无发现 No findings</td></tr>'
    )
    notes = escape(report["round"]["report_notes"] or "")
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>联合检查报告 {escape(line.get("name", ""))}</title>
<style>{STYLE}</style></head><body>
<h1>行政区域界线联合检查报告<br><small>Joint boundary inspection report</small></h1>
<table class="meta">{head}</table>
<h2>检查发现 Findings</h2>
<table class="findings"><thead><tr>{"".join(f"<th>{escape(label)}</th>" for _, label in COLUMNS)}</tr></thead>
<tbody>{rows}</tbody></table>
<h2>结论 Notes</h2><p class="notes">{notes}</p>
<div class="signatures"><div>甲方代表 Side A</div><div>乙方代表 Side B</div><div>日期 Date</div></div>
</body></html>"""
