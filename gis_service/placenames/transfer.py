"""The national place-name database table: export as CSV and XLSX with the census
fields, and import from CSV or XLSX (all rows or none, errors reported row by row).
Headers may be the Chinese census labels or the English field keys."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth.acting import Acting
from gis_service.auth.models import AppUser
from gis_service.core.cpu import run_cpu
from gis_service.core.errors import InvalidRows
from gis_service.file_intake.column_limits import text_limits, too_long
from gis_service.file_intake.geojson_input import CHINA_BOUNDS
from gis_service.file_intake.tables import read_table, write_csv, write_xlsx
from gis_service.placenames import service
from gis_service.placenames.findings import child_level
from gis_service.placenames.name_guard import NameRefused
from gis_service.placenames.name_text import mongolian_problem, name_problem
from gis_service.placenames.vocabulary import STATUSES

# (field key, census label) in the order of the national database table.
COLUMNS = [
    ("id", "登记编号"),
    ("name", "标准名称"),
    ("specific_part", "专名"),
    ("generic_part", "通名"),
    ("romanization", "罗马字母拼写"),
    ("mongolian_script", "少数民族语书写"),
    ("origin_language", "语种"),
    ("category_code", "地名类别代码"),
    ("category_name", "地名类别"),
    ("level", "层级"),
    ("admin_code", "所在行政区划代码"),
    ("admin_name", "所在行政区划"),
    ("lon", "经度"),
    ("lat", "纬度"),
    ("location_description", "地理位置描述"),
    ("meaning", "地名含义"),
    ("origin", "地名来历"),
    ("history", "地名沿革"),
    ("former_names", "曾用名"),
    ("status", "地名状态"),
    ("approval_body", "批准机关"),
    ("approval_document", "批准文号"),
    ("approval_date", "批准时间"),
    ("source", "资料来源"),
    ("version", "版本"),
]
LABEL_TO_KEY = {label: key for key, label in COLUMNS} | {key: key for key, _ in COLUMNS}
LEVELS = {"province", "city", "county", "township", "village", "other"}


async def _rows(db_session: AsyncSession, *, admin_code: str | None) -> list[list]:
    rows = await db_session.execute(
        text(f"""SELECT {
            ", ".join(
                "p." + k
                for k, _ in COLUMNS
                if k not in ("category_name", "admin_name", "lon", "lat", "former_names")
            )
        },
                    array_to_string(p.former_names, '；') AS former_names,
                    c.name_zh AS category_name, a.name AS admin_name,
                    round(ST_X(ST_PointOnSurface(p.geom))::numeric, 7) AS lon,
                    round(ST_Y(ST_PointOnSurface(p.geom))::numeric, 7) AS lat
                 FROM place_name p
                 LEFT JOIN place_name_category c ON c.code = p.category_code
                 LEFT JOIN admin_unit a ON a.code = p.admin_code AND a.valid_to IS NULL
                 WHERE CAST(:admin AS text) IS NULL OR p.admin_code LIKE :admin || '%' OR p.unit_code = :admin
                 ORDER BY p.admin_code, p.level, p.name, p.id"""),
        {"admin": admin_code},
    )
    return [[r._mapping[k] for k, _ in COLUMNS] for r in rows]


async def export(db_session: AsyncSession, *, fmt: str, admin_code: str | None, by: Acting) -> bytes:
    """The table; a workbook names who exported it on a second sheet (a CSV stays the plain
    table an import reads back)."""
    rows = await _rows(db_session, admin_code=admin_code)
    header = [label for _, label in COLUMNS]
    if fmt == "csv":
        return write_csv(header, rows)
    about = [
        ("导出人 Exported by", f"{by.zh} / {by.en}"),
        ("导出时间 Exported at (UTC)", datetime.now(UTC).isoformat(timespec="seconds")),
        ("范围 Units", admin_code or "全部 all"),
    ]
    return write_xlsx(
        header, rows, title="地名 Place names", widths={1: 18, 4: 24, 14: 30, 23: 40}, about=about
    )


def _parse_row(raw: dict[str, str]) -> tuple[dict, list[str]]:
    row = {LABEL_TO_KEY[k]: v for k, v in raw.items() if k in LABEL_TO_KEY and v != ""}
    errors: list[str] = []
    values: dict = {}
    for key in (
        "name",
        "specific_part",
        "generic_part",
        "romanization",
        "mongolian_script",
        "category_code",
        "location_description",
        "meaning",
        "origin",
        "history",
        "approval_body",
        "approval_document",
        "source",
    ):
        if key in row:
            values[key] = row[key]
    if not values.get("name"):
        errors.append("标准名称 (name) is required")
    elif problem := name_problem(values["name"]):
        errors.append(f"标准名称 (name): {problem[0]}")
    if values.get("mongolian_script") and (problem := mongolian_problem(values["mongolian_script"])):
        errors.append(f"蒙古文 (mongolian_script): {problem[0]}")
    if "id" in row:
        if not row["id"].isdigit():
            errors.append(f"登记编号 (id) '{row['id']}' is not a number")
        else:
            values["id"] = int(row["id"])
    admin = row.get("admin_code", "")
    if not admin.isdigit() or len(admin) not in (6, 9, 12):
        errors.append(f"所在行政区划代码 (admin_code) '{admin}' must be a 6-, 9- or 12-digit code")
    else:
        values["admin_code"] = admin
    level = row.get("level") or (child_level(admin) if admin.isdigit() else None)
    if level not in LEVELS:
        errors.append(f"层级 (level) '{level}' is not one of {', '.join(sorted(LEVELS))}")
    values["level"] = level
    status = row.get("status", "pending")
    if status not in STATUSES:
        errors.append(f"地名状态 (status) '{status}' is not one of {', '.join(sorted(STATUSES))}")
    values["status"] = status
    if row.get("origin_language"):
        if row["origin_language"] not in ("zh", "mn", "other", "unknown"):
            errors.append("语种 (origin_language) must be zh, mn, other or unknown")
        values["origin_language"] = row["origin_language"]
    if row.get("former_names"):
        values["former_names"] = [
            n.strip() for n in row["former_names"].replace(";", "；").split("；") if n.strip()
        ]
    if row.get("approval_date"):
        try:
            values["approval_date"] = date.fromisoformat(row["approval_date"][:10])
        except ValueError:
            errors.append(f"批准时间 (approval_date) '{row['approval_date']}' is not a date (YYYY-MM-DD)")
    lon, lat = row.get("lon"), row.get("lat")
    if lon or lat:
        try:
            x, y = float(lon or ""), float(lat or "")
            x0, y0, x1, y1 = CHINA_BOUNDS
            if not (math.isfinite(x) and math.isfinite(y) and x0 <= x <= x1 and y0 <= y <= y1):
                raise ValueError
            values["geometry"] = {"type": "Point", "coordinates": [x, y]}
        except ValueError:
            errors.append(f"经度/纬度 (lon/lat) '{lon}, {lat}' must be CGCS2000 degrees inside China")
    return values, errors


async def import_table(db_session: AsyncSession, data: bytes, *, actor: AppUser) -> dict:
    table = await run_cpu(read_table, data)
    parsed = await run_cpu(lambda: [_parse_row(r) for r in table])
    problems = [{"row": i + 2, "errors": errs} for i, (_, errs) in enumerate(parsed) if errs]
    categories = set(await db_session.scalars(text("SELECT code FROM place_name_category")))
    units = set(await db_session.scalars(text("SELECT code FROM admin_unit WHERE valid_to IS NULL")))
    existing = set(await db_session.scalars(text("SELECT id FROM place_name")))
    limits = await text_limits(db_session, "place_name")
    seen: dict[tuple, int] = {}
    for i, (values, errs) in enumerate(parsed):
        row_errors = too_long(values, limits)
        if values.get("category_code") and values["category_code"] not in categories:
            row_errors.append(f"地名类别代码 (category_code) '{values['category_code']}' is unknown")
        if values.get("admin_code") and values["admin_code"] not in units:
            row_errors.append(f"所在行政区划代码 (admin_code) '{values['admin_code']}' is not a current unit")
        if values.get("id") and values["id"] not in existing:
            row_errors.append(f"登记编号 (id) {values['id']} is not in the register")
        key = (values.get("name"), values.get("admin_code"), values.get("level"))
        if key in seen:
            row_errors.append(f"same name, unit and level as row {seen[key]}")
        seen.setdefault(key, i + 2)
        if row_errors:
            if errs:
                next(p for p in problems if p["row"] == i + 2)["errors"] += row_errors
            else:
                problems.append({"row": i + 2, "errors": row_errors})
    if problems:
        raise InvalidRows(sorted(problems, key=lambda p: p["row"]))
    created = updated = 0
    refused: list[dict] = []
    for row_number, (values, _) in enumerate(parsed, start=2):
        place_id = values.pop("id", None)
        try:
            created_here = await _write_row(db_session, place_id, values, actor)
        except NameRefused as err:
            refused.append({"row": row_number, "errors": [f.message for f in err.errors]})
            continue
        created += created_here
        updated += not created_here
    if refused:
        # nothing is written: the caller's transaction is rolled back with this error
        raise InvalidRows(refused)
    return {"created": created, "updated": updated}


async def _write_row(db_session: AsyncSession, place_id: int | None, values: dict, actor: AppUser) -> bool:
    """Create or update one row's record; True when it was created."""
    if place_id is None:
        await service.create(
            db_session,
            values={"source": "imported table", **values},
            actor=actor,
            reason="imported from a table",
        )
        return True
    await service.update(
        db_session,
        place_id,
        changes=values,
        actor=actor,
        reason="updated from an imported table",
        if_match=None,
    )
    return False
