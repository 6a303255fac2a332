"""Gauss-Krueger 3-degree zones on CGCS2000 (EPSG:4513-4533 with zone prefix).

China spans zones 25 to 45 (central meridians 75E to 135E); Ordos, for example, lies in
zones 36 and 37 (108E and 111E). EPSG codes with the zone number in the false easting run
4513 (zone 25) .. 4533 (zone 45); 4534.. are the same zones without prefix.
"""

from __future__ import annotations

from functools import lru_cache

from pyproj import Transformer


def zone_for_lon(lon: float) -> int:
    """The 3-degree zone whose central meridian (3 * zone) is nearest to lon."""
    return int(round(lon / 3.0))


def epsg_for_zone(zone: int, with_prefix: bool = True) -> int:
    if not 25 <= zone <= 45:
        raise ValueError(f"3-degree zone {zone} is outside China (25..45)")
    return (4513 if with_prefix else 4534) + zone - 25


@lru_cache(maxsize=32)
def _to_zone(epsg: int) -> Transformer:
    return Transformer.from_crs(4490, epsg, always_xy=True)


def lonlat_to_gk(lon: float, lat: float, zone: int | None = None) -> dict:
    """CGCS2000 lon/lat -> zone, northing X and easting Y (surveying convention).

    Chinese survey tables call the northing X and the easting Y; Y carries the
    zone number in front (e.g. 37 512 345.678).
    """
    zone = zone or zone_for_lon(lon)
    easting, northing = _to_zone(epsg_for_zone(zone)).transform(lon, lat)
    return {"zone": zone, "epsg": epsg_for_zone(zone), "x": northing, "y": easting}
