"""China's record in PyPI `pyworldatlas-mapdata-standard` 0.9.4 (CC0-1.0): the Natural
Earth 1:10m river and lake centrelines, with their romanised names, and the NOAA ETOPO
2022 elevation sampled on a 5-arc-minute grid. The package is an SQLite file holding one
zlib-compressed JSON record per country; the grid is a hex string of little-endian int16
metres, rows from the south, -32768 outside the country. (0.9.5 is the retired
placeholder, so the version is pinned.)"""

from __future__ import annotations

import functools
import json
import sqlite3
import zlib
from dataclasses import dataclass

import numpy as np
from shapely.geometry import LineString, box

from gis_service.reference_data.packages import installed_folder

PACKAGE = "pyworldatlas-mapdata-standard"
RIVER_SOURCE = "Natural Earth 1:10m rivers and lake centrelines (public domain), via PyPI pyworldatlas-mapdata-standard 0.9.4"
RELIEF_SOURCE = "NOAA NCEI ETOPO 2022 at 5′, via PyPI pyworldatlas-mapdata-standard 0.9.4 (CC0)"
NO_DATA = -32768


class AtlasDataMissing(RuntimeError):
    pass


@functools.cache
def china() -> dict:
    """China's record, read once per process."""
    path = (
        installed_folder("pyworldatlas_mapdata_standard", PACKAGE, AtlasDataMissing) / "data" / "maps.sqlite3"
    )
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        (payload,) = con.execute("SELECT payload FROM country_map WHERE alpha2 = 'CN'").fetchone()
    return json.loads(zlib.decompress(payload))


def river_lines(extent: tuple[float, float, float, float]) -> list[tuple[str, LineString]]:
    """(romanised name, line clipped to `extent`) of the centrelines that reach into it."""
    frame = box(*extent)
    found = []
    for river in china()["rivers"]:
        if len(river["points"]) < 2:
            continue
        line = LineString(river["points"])
        if line.intersects(frame):
            found.append((river["name"], line.intersection(frame)))
    return found


@dataclass(frozen=True)
class Grid:
    """Elevation in metres (NaN outside the country) on cells of `step` degrees whose
    south-west corner is (west, south); row 0 is the southernmost."""

    metres: np.ndarray
    west: float
    south: float
    step: float


def elevation(extent: tuple[float, float, float, float]) -> Grid:
    """The part of the grid covering `extent`."""
    record = china()
    step = float(record["latitudeStep"])
    rows, cols = record["rows"], record["columns"]
    full = np.frombuffer(bytes.fromhex(record["elevation"]), dtype="<i2").reshape(rows, cols)
    west, south = float(record["west"]), float(record["south"])
    x0, y0, x1, y1 = extent
    c0, c1 = max(0, int((x0 - west) / step)), min(cols, int(np.ceil((x1 - west) / step)))
    r0, r1 = max(0, int((y0 - south) / step)), min(rows, int(np.ceil((y1 - south) / step)))
    part = full[r0:r1, c0:c1].astype(float)
    part[part == NO_DATA] = np.nan
    return Grid(part, west + c0 * step, south + r0 * step, step)
