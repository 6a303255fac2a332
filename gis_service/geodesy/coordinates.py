"""Reading a point from a table row: lon/lat, or Gauss-Krueger X (northing) / Y (easting)
in a 3-degree CGCS2000 zone with the zone number in front of Y, in a 带号/zone column, or
not given (then every 3-degree zone of China is a candidate, and the caller chooses: a
marker the zone that puts it on its line)."""

from __future__ import annotations

import math
from functools import lru_cache

from pyproj import Transformer

from gis_service.geodesy.gauss_kruger import epsg_for_zone

ZONES_TO_TRY = tuple(range(25, 46))  # CGCS2000 3-degree zones 25 (75E) to 45 (135E)
# The names point_candidates reads, with the headers survey tables use for them.
COORDINATE_HEADERS = {
    "lon": ["lon", "longitude", "经度"],
    "lat": ["lat", "latitude", "纬度"],
    "x": ["x", "X", "纵坐标", "X坐标"],
    "y": ["y", "Y", "横坐标", "Y坐标"],
    "zone": ["zone", "带号"],
}


def number(value: str | None, what: str, errors: list[str]) -> float | None:
    if value in (None, ""):
        return None
    try:
        out = float(value.replace(",", ""))
    except ValueError:
        errors.append(f"{what} '{value}' is not a number")
        return None
    if not math.isfinite(out):
        errors.append(f"{what} '{value}' is not a finite number")
        return None
    return out


@lru_cache(maxsize=64)
def _from_zone(epsg: int) -> Transformer:
    """Built once per zone: a transformer costs milliseconds, a row microseconds."""
    return Transformer.from_crs(epsg, 4490, always_xy=True)


def point_candidates(r: dict[str, str], errors: list[str]) -> list[tuple[float, float, str]]:
    """Possible lon/lat positions of a row: one for lon/lat or prefixed GK, several when
    the zone must be inferred."""
    lon, lat = number(r.get("lon"), "lon", errors), number(r.get("lat"), "lat", errors)
    if lon is not None and lat is not None:
        if not (73 <= lon <= 136 and 3 <= lat <= 54):
            errors.append("lon/lat lie outside China (is the order lon, lat?)")
            return []
        return [(lon, lat, "lonlat")]
    x, y = number(r.get("x"), "X", errors), number(r.get("y"), "Y", errors)
    if x is None or y is None:
        if not errors:
            errors.append("no coordinates: give 经度/纬度 (lon/lat) or X/Y")
        return []
    if x > 1e7 or x < 1e6:  # X and Y swapped: northing is ~4.2e6 here
        x, y = y, x
    if y >= 1e7:
        zone = int(y // 1e6)
        try:
            epsg = epsg_for_zone(zone)
        except ValueError as exc:
            errors.append(str(exc))
            return []
        lon, lat = _from_zone(epsg).transform(y, x)
        return [(lon, lat, f"EPSG:{epsg}")]
    zones = list(ZONES_TO_TRY)
    if r.get("zone"):
        given = r["zone"].strip()
        if not (given.isascii() and given.isdigit() and 25 <= int(given) <= 45):
            errors.append(f"zone '{given}' is not a 3-degree zone of China (25..45)")
            return []
        zones = [int(given)]
    out = []
    for zone in zones:
        epsg = epsg_for_zone(zone, with_prefix=False)
        lon, lat = _from_zone(epsg).transform(y, x)
        out.append((lon, lat, f"EPSG:{epsg}"))
    return out
