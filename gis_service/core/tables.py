"""Reading uploaded tables (CSV or XLSX) into rows of strings, by content not by name."""

from __future__ import annotations

import csv
import io
import zipfile

from gis_service.core.errors import BadRequest

MAX_TABLE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024  # a real 20 MB workbook unpacks to far less


def _decode(data: bytes) -> str:
    # Excel in China saves CSV as GBK (GB18030 is its superset); try UTF-8 first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadRequest(
        "The CSV file is neither UTF-8 nor GBK text.", "CSV 文件既不是 UTF-8 也不是 GBK 编码的文本。"
    )


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise BadRequest("The XLSX file cannot be read.", "无法读取该 XLSX 文件。") from None
    sheet = wb.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        if len(rows) > MAX_ROWS:
            raise BadRequest(f"The table has more than {MAX_ROWS} rows.", f"表格超过 {MAX_ROWS} 行。")
        rows.append(
            ["" if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in row]
        )
    wb.close()
    return rows


def read_table(data: bytes) -> list[dict[str, str]]:
    """Rows as dicts keyed by the header row (trimmed); blank rows are dropped."""
    if not data:
        raise BadRequest("The file is empty.", "文件为空。")
    if len(data) > MAX_TABLE_BYTES:
        raise BadRequest("The file is larger than 20 MB.", "文件超过 20 MB。")
    if data[:4] == b"PK\x03\x04":
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise BadRequest("The XLSX file is damaged.", "XLSX 文件已损坏。")
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_XLSX_UNPACKED_BYTES:
                raise BadRequest(
                    "The XLSX file unpacks to too much data (a decompression bomb?).",
                    "XLSX 文件解压后过大（疑似压缩炸弹）。",
                )
        raw = _xlsx_rows(data)
    else:
        if b"\x00" in data[:4096]:
            raise BadRequest(
                "The file is neither CSV text nor an XLSX workbook.",
                "文件既不是 CSV 文本也不是 XLSX 工作簿。",
            )
        raw = list(csv.reader(io.StringIO(_decode(data))))
    raw = [r for r in raw if any(c.strip() for c in r)]
    if len(raw) < 2:
        raise BadRequest(
            "The table needs a header row and at least one data row.", "表格需要表头行和至少一行数据。"
        )
    header = [h.strip() for h in raw[0]]
    return [{header[i]: (r[i].strip() if i < len(r) else "") for i in range(len(header))} for r in raw[1:]]


def write_csv(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 CSV with a BOM, so that Excel in China opens it correctly."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows(["" if v is None else v for v in r] for r in rows)
    return ("\ufeff" + out.getvalue()).encode()


def write_xlsx(
    header: list[str], rows: list[list], *, title: str, widths: dict[int, int] | None = None
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = title[:31]
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append(["" if v is None else v for v in r])
    for i, width in (widths or {}).items():
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
