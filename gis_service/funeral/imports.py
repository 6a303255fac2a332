"""File imports for the funeral domain: facilities, graves, corridors, restricted zones
and burial zones, from CSV/XLSX (points as lon/lat or Gauss–Krüger X/Y, lines and
polygons as a WKT column) or from GeoPackage, GeoJSON or zipped Shapefile.

Every row is checked against its kind's spec and the answer is row by row; either every
row imports or none does. Rows go to the database in one INSERT per file (a survey may
hold tens of thousands of graves), and the new graves or areas are classified at once.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import shapely
from shapely.geometry.base import BaseGeometry

from gis_service.core.errors import BadRequest
from gis_service.file_intake.tables import read_table
from gis_service.file_intake.vector import is_vector_file, read_features
from gis_service.funeral import vocabulary as v
from gis_service.geodesy.coordinates import COORDINATE_HEADERS, number, point_candidates

CODE_HEADERS = ["code", "编号", "编码"]
NAME_HEADERS = ["name", "名称"]


@dataclass
class Row:
    number: int
    raw: dict[str, str]
    geometry: BaseGeometry | None = None
    errors: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)

    def get(self, headers: list[str]) -> str | None:
        for h in headers:
            value = self.raw.get(h)
            if value not in (None, ""):
                return str(value).strip()
        return None


@dataclass(frozen=True)
class Column:
    key: str
    headers: list[str]
    required: bool = False
    parse: Callable[[str, Row], object] | None = None  # returns the value or appends an error


@dataclass(frozen=True)
class Spec:
    entity: str  # table name
    geometry: str  # Point, MultiLineString or MultiPolygon
    columns: list[Column]


def _choice(vocabulary: dict, what: str):
    def parse(value: str, row: Row):
        code = v.parse_choice(value, vocabulary)
        if code is None:
            row.errors.append(v.choice_error(what, value, vocabulary))
        return code

    return parse


def _integer(what: str, low: int, high: int):
    def parse(value: str, row: Row):
        n = number(value, what, row.errors)
        if n is not None and not (math.isfinite(n) and n == int(n) and low <= n <= high):
            row.errors.append(f"{what} must be a whole number from {low} to {high}")
            return None
        return int(n) if n is not None else None

    return parse


def _date(what: str):
    def parse(value: str, row: Row):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            row.errors.append(f"{what} '{value}' is not a date (YYYY-MM-DD)")
            return None
        if day > date.today():
            row.errors.append(f"{what} {day} is in the future")
        return day.isoformat()

    return parse


def _code(value: str, row: Row):
    if not (1 <= len(value) <= 40) or not all(c.isascii() and (c.isalnum() or c in "-_") for c in value):
        row.errors.append("code must be 1-40 letters, digits, '-' or '_'")
    return value


def _unit_code(value: str, row: Row):
    if not (value.isdigit() and len(value) == 9):
        row.errors.append(f"township code '{value}' must have 9 digits")
    return value


CODE = Column("code", CODE_HEADERS, True, _code)
NAME = Column("name", NAME_HEADERS, True)
SPECS = {  # by the import URL's kind
    "facilities": Spec(
        "funeral_facility",
        "Point",
        [
            CODE,
            NAME,
            Column(
                "facility_type",
                ["type", "facility_type", "类型", "设施类型"],
                True,
                _choice(v.FACILITY_TYPES, "type"),
            ),
            Column("status", ["status", "状态"], True, _choice(v.FACILITY_STATUSES, "status")),
            Column("capacity", ["capacity", "容量", "设计容量"], False, _integer("capacity", 0, 10_000_000)),
            Column("used", ["used", "已使用", "使用量"], False, _integer("used", 0, 10_000_000)),
            Column("township_code", ["township_code", "乡镇代码"], False, _unit_code),
        ],
    ),
    "graves": Spec(
        "grave",
        "Point",
        [
            CODE,
            Column("kind", ["kind", "类型", "坟墓类型"], True, _choice(v.GRAVE_KINDS, "kind")),
            Column(
                "grave_count",
                ["grave_count", "count", "数量", "坟墓数量"],
                False,
                _integer("grave_count", 1, 10_000),
            ),
            Column("surveyed_on", ["surveyed_on", "调查日期"], True, _date("surveyed_on")),
            Column("township_code", ["township_code", "乡镇代码"], False, _unit_code),
            Column(
                "remediation_status",
                ["remediation_status", "整治状态"],
                False,
                _choice(v.REMEDIATION_STATUSES, "remediation_status"),
            ),
            Column(
                "remediation_method",
                ["remediation_method", "整治方式"],
                False,
                _choice(v.REMEDIATION_METHODS, "remediation_method"),
            ),
            Column("remediated_on", ["remediated_on", "整治日期"], False, _date("remediated_on")),
        ],
    ),
    "corridors": Spec(
        "restricted_corridor",
        "MultiLineString",
        [CODE, NAME, Column("corridor_class", ["class", "corridor_class", "类别"], True)],
    ),
    "zones": Spec(
        "restricted_zone",
        "MultiPolygon",
        [CODE, NAME, Column("zone_type", ["type", "zone_type", "类型"], True, _choice(v.ZONE_TYPES, "type"))],
    ),
    "burial-zones": Spec(
        "burial_zone",
        "MultiPolygon",
        [
            CODE,
            NAME,
            Column("zone_kind", ["kind", "zone_kind", "类型"], True, _choice(v.BURIAL_ZONE_KINDS, "kind")),
        ],
    ),
}


def read_rows(data: bytes, filename: str) -> list[Row]:
    """Rows of a table (numbered as in a spreadsheet, header = row 1) or features of a
    vector file (numbered from 1), told apart by the bytes, never by the name."""
    if is_vector_file(data):
        frame = read_features(data, filename)
        rows = []
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            geom = rec.pop(frame.geometry.name, None)
            raw = {k: "" if val is None or val != val else str(val) for k, val in rec.items()}
            rows.append(Row(i, raw, geom))
        return rows
    return [Row(i + 2, raw) for i, raw in enumerate(read_table(data))]


def _geometry(row: Row, kind: str) -> BaseGeometry | None:
    geom = row.geometry
    if geom is None:
        if kind == "Point":
            cands = point_candidates(row.raw | _aliases(row), row.errors)
            if len(cands) > 1:
                row.errors.append("X/Y without a zone: give the zone number in front of Y or a 带号 column")
                return None
            return shapely.Point(cands[0][:2]) if cands else None
        text_value = row.get(["wkt", "WKT", "geometry", "几何"])
        if not text_value:
            row.errors.append("no geometry: give a WKT column (or import a GeoPackage)")
            return None
        try:
            geom = shapely.from_wkt(text_value)
        except shapely.errors.GEOSException:
            row.errors.append("the WKT cannot be read")
            return None
    if geom is None or geom.is_empty:
        row.errors.append("the geometry is empty")
        return None
    if geom.has_z:
        geom = shapely.force_2d(geom)
    wanted = {
        "Point": ("Point",),
        "MultiLineString": ("LineString", "MultiLineString"),
        "MultiPolygon": ("Polygon", "MultiPolygon"),
    }[kind]
    if geom.geom_type not in wanted:
        row.errors.append(f"the geometry is a {geom.geom_type}; expected {' or '.join(wanted)}")
        return None
    if not geom.is_valid:
        row.errors.append(f"the geometry is invalid ({shapely.is_valid_reason(geom)})")
        return None
    minx, miny, maxx, maxy = geom.bounds
    if not (minx >= 73 and maxx <= 136 and miny >= 3 and maxy <= 54):
        row.errors.append("the geometry lies outside China (is the order lon, lat?)")
        return None
    return geom


def _aliases(row: Row) -> dict[str, str]:
    """The coordinate columns under the names point_candidates reads."""
    return {k: val for k, headers in COORDINATE_HEADERS.items() if (val := row.get(headers)) is not None}


def check_rows(rows: list[Row], spec: Spec) -> None:
    """Fill each row's values or errors (duplicates within the file included)."""
    seen: set[str] = set()
    for row in rows:
        for col in spec.columns:
            value = row.get(col.headers)
            if value is None:
                if col.required:
                    row.errors.append(f"{col.key} is missing (column {' / '.join(col.headers[:3])})")
                row.values[col.key] = None
                continue
            row.values[col.key] = col.parse(value, row) if col.parse else value
        code = row.values.get("code")
        if code in seen:
            row.errors.append("duplicate code within the file")
        seen.add(code)
        geom = _geometry(row, spec.geometry)
        if geom is not None:
            row.values["wkt"] = geom.wkt
    if spec.entity == "grave":
        for row in rows:
            _check_remediation(row)


def _check_remediation(row: Row) -> None:
    vals = row.values
    status = vals.get("remediation_status") or "not_started"
    vals["remediation_status"] = status
    done = status == "remediated"
    if done and not (vals.get("remediation_method") and vals.get("remediated_on")):
        row.errors.append("a remediated grave needs remediation_method and remediated_on")
    if not done and (vals.get("remediation_method") or vals.get("remediated_on")):
        row.errors.append("remediation_method and remediated_on are only for remediated graves")
    if (
        done
        and vals.get("surveyed_on")
        and vals.get("remediated_on")
        and vals["remediated_on"] < vals["surveyed_on"]
    ):
        row.errors.append("remediated_on is before surveyed_on")
    if vals.get("grave_count") is None:
        vals["grave_count"] = 1


def report(rows: list[Row]) -> list[dict]:
    return [
        {"row": r.number, "code": r.values.get("code") or "", "errors": r.errors} for r in rows if r.errors
    ]


def payload(rows: list[Row]) -> str:
    return json.dumps([r.values for r in rows], ensure_ascii=False)


def require_rows(rows: list[Row]) -> None:
    if not rows:
        raise BadRequest("The file has no rows.", "文件中没有数据行。")
