"""Tables in and out: reading uploaded CSV or XLSX into rows of strings (by content, not
by name), and writing every CSV and XLSX the service hands out.

Every table the service writes goes through `cell()`: a text that a spreadsheet would
take for a formula (starting with =, +, -, @, a tab or a carriage return) is written with
a leading apostrophe, as the OWASP guidance on CSV injection says, and XLSX cells holding
text are typed as text; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

from gis_service.core.errors import BadRequest
from gis_service.core.text_input import clean

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


def _csv_rows(text: str) -> list[list[str]]:
    # Universal newlines, as a file opened in text mode reads them: a bare CR (old Mac
    # Excel) ends a row instead of failing the parser.
    try:
        return list(csv.reader(io.StringIO(text, newline=None)))
    except csv.Error as exc:
        raise BadRequest(
            f"The CSV file cannot be parsed ({exc}).", f"无法解析该 CSV 文件（{exc}）。"
        ) from None


def _xlsx_rows(data: bytes) -> list[list[str]]:
    # read_only workbooks parse lazily: the XML parser's errors (a DOCTYPE, an entity
    # expansion) surface while rows are read, so the whole read is guarded.
    try:
        return _read_xlsx(data)
    except BadRequest:
        raise
    except Exception:
        raise BadRequest("The XLSX file cannot be read.", "无法读取该 XLSX 文件。") from None


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False).worksheets[0]
    sheet = wb.worksheets[0]
    # A formula whose result the file does not carry would come in as an empty cell.
    for n, (values, cells) in enumerate(
        zip(sheet.iter_rows(values_only=True), formulas.iter_rows(), strict=False)
    ):
        for value, c in zip(values, cells, strict=False):
            if value is None and getattr(c, "data_type", None) == "f":
                raise BadRequest(
                    f"Row {n + 1}, column {c.column_letter}: a formula without a computed value; open and save the "
                    "file in Excel (or paste the values) and import it again.",
                    f"第 {n + 1} 行 {c.column_letter} 列是没有计算结果的公式；请用 Excel 打开并保存（或粘贴为数值）后重新导入。",
                )
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
        raw = _csv_rows(_decode(data))
    raw = [r for r in raw if any(c.strip() for c in r)]
    if len(raw) < 2:
        raise BadRequest(
            "The table needs a header row and at least one data row.", "表格需要表头行和至少一行数据。"
        )
    header = [clean(h.strip(), "header") for h in raw[0]]
    return [
        {h: clean(r[i].strip(), f"row {n}, {h}") if i < len(r) else "" for i, h in enumerate(header)}
        for n, r in enumerate(raw[1:], start=2)
    ]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_BOM = "\ufeff"  # so that Excel in China opens UTF-8 CSV correctly


def cell(value):
    """A value as a spreadsheet cell: None empty, numbers as they are, anything else as
    text that cannot run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(rows) -> str:
    """CSV text of these rows, every value through `cell()` (for streaming writers)."""
    out = io.StringIO()
    csv.writer(out).writerows([cell(v) for v in r] for r in rows)
    return out.getvalue()


def write_csv(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 CSV with a BOM."""
    return (CSV_BOM + csv_lines([header, *rows])).encode()


def append_xlsx_row(ws, values) -> None:
    """Append a row to a worksheet: text typed as text (never a formula), numbers as numbers."""
    ws.append([cell(v) for v in values])
    for c in ws[ws.max_row]:
        if isinstance(c.value, str):
            c.data_type = "s"


def write_xlsx(
    header: list[str],
    rows: list[list],
    *,
    title: str,
    widths: dict[int, int] | None = None,
    about: list[tuple[str, str]] | None = None,
) -> bytes:
    """One sheet with the header and rows; `about` (label, value) rows on a second sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = title[:31]
    append_xlsx_row(ws, header)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        append_xlsx_row(ws, r)
    for i, width in (widths or {}).items():
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.freeze_panes = "A2"
    if about:
        sheet = wb.create_sheet("说明 About")
        for row in about:
            append_xlsx_row(sheet, list(row))
        sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 28, 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
