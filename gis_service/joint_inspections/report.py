"""The joint inspection report as CSV, XLSX and a printable HTML page."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from gis_service.file_intake import tables
from gis_service.inspections.vocabulary import CONDITIONS

# inside the page: a saved or printed report keeps its layout, wherever the service is served
STYLE = (Path(__file__).parent / "report.css").read_text(encoding="utf-8")

COLUMNS = [
    ("side", "所属方 Side"),
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
    if isinstance(value, datetime):
        return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return str(value)


def _side_names(report: dict) -> dict[str, str]:
    return {p["side"]: f"{p['unit_name'] or ''} ({p['side']})" for p in report.get("parties", [])}


def _signature_text(party: dict) -> str:
    """e.g. "张三 (dalad_inspector), 2026-12-06 09:30 UTC: 界桩完好" or "未签 not signed"."""
    g = party["signature"]
    if g is None:
        return "未签 not signed"
    said = f": {g['statement']}" if g["statement"] else ""
    return f"{g['signer_name']} ({g['signed_by']}), {g['signed_at']:%Y-%m-%d %H:%M} UTC{said}"


def _signature_rows(report: dict) -> list[list]:
    return [
        [f"签字 Signed for {_side_names(report)[p['side']]}", _signature_text(p)]
        for p in report.get("parties", [])
    ]


def _heading(report: dict) -> list[tuple[str, str]]:
    r, line = report["round"], report["line"] or {}
    return [
        ("界线 Line", f"{line.get('name', '')} ({r['line_code']})"),
        ("检查类型 Kind", f"{r['kind']}{' — ' + r['reason'] if r['reason'] else ''}"),
        ("计划日期 Planned", str(r["planned_on"])),
        ("完成日期 Completed", str(r["completed_on"] or "")),
        ("参与方 Sides", "; ".join(_side_names(report).values()) or ", ".join(r["sides"] or [])),
        ("负责人 Lead", r["lead"] or ""),
        ("界桩数 Markers on line", str(report["markers_on_line"])),
        ("巡查轨迹 Walked track", _track_text(report.get("track"))),
        *([("导出 Exported by", f"{by.zh} / {by.en}")] if (by := report.get("exported_by")) else []),
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


def _finding_cells(report: dict, finding: dict) -> list[str]:
    names = _side_names(report)
    return [
        names.get(finding[k], "组织方 organiser") if k == "side" and finding[k] else _cell(k, finding[k])
        for k, _ in COLUMNS
    ]


def _rows(report: dict) -> list[list]:
    """The report as table rows: the heading, a blank row, the findings with their header,
    a blank row and each side's signature."""
    return [
        *([k, v] for k, v in _heading(report)),
        [],
        [label for _, label in COLUMNS],
        *(_finding_cells(report, f) for f in report["findings"]),
        [],
        *_signature_rows(report),
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
    for col, width in zip("ABCDEFG", (22, 18, 18, 50, 10, 16, 22), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def as_html(report: dict) -> str:
    line = report["line"] or {}
    head = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in _heading(report))
    rows = (
        "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in _finding_cells(report, f)) + "</tr>"
            for f in report["findings"]
        )
        or f'<tr><td colspan="{len(COLUMNS)}">无发现 No findings</td></tr>'
    )
    notes = escape(report["round"]["report_notes"] or "")
    names = _side_names(report)
    signed = "".join(
        f'<div class="signature" data-side="{escape(p["side"])}"><strong>{escape(names[p["side"]])}</strong><br>'
        f"{escape(_signature_text(p))}</div>"
        for p in report.get("parties", [])
    )
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>联合检查报告 {escape(line.get("name", ""))}</title>
<style>{STYLE}</style></head><body>
<h1>行政区域界线联合检查报告<br><small>Joint boundary inspection report</small></h1>
<table class="meta">{head}</table>
<h2>检查发现 Findings</h2>
<table class="findings"><thead><tr>{"".join(f"<th>{escape(label)}</th>" for _, label in COLUMNS)}</tr></thead>
<tbody>{rows}</tbody></table>
<h2>结论 Notes</h2><p class="notes">{notes}</p>
<h2>双方签字 Signatures of the sides</h2>
<div class="signatures">{signed}</div>
</body></html>"""
