"""Coordinate reference systems offered by the OGC API (Part 2).

CRS84 (lon, lat) is the default. EPSG:4490 is served in its authority axis order
(latitude, longitude), and the CGCS2000 Gauss-Krueger zones 36 and 37 (EPSG:4524 and
4525) in theirs: northing X first, then easting Y.
"""

from __future__ import annotations

from dataclasses import dataclass

from gis_service.core.errors import BadRequest

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@dataclass(frozen=True)
class Crs:
    uri: str
    srid: int
    flip: bool  # the authority axis order is not (x=lon/east, y=lat/north)
    decimals: int  # enough for ~1 cm

    @property
    def urn(self) -> str:
        return "urn:ogc:def:crs:OGC:1.3:CRS84" if self.uri == CRS84 else f"urn:ogc:def:crs:EPSG::{self.srid}"


SUPPORTED = [
    Crs(CRS84, 4490, False, 7),  # CGCS2000 and WGS84 agree far below our data's accuracy
    Crs("http://www.opengis.net/def/crs/EPSG/0/4490", 4490, True, 7),
    Crs("http://www.opengis.net/def/crs/EPSG/0/4524", 4524, True, 3),
    Crs("http://www.opengis.net/def/crs/EPSG/0/4525", 4525, True, 3),
]
_BY_NAME = {c.uri: c for c in SUPPORTED}
for _c in SUPPORTED[1:]:
    _BY_NAME[f"EPSG:{_c.srid}"] = _c
    _BY_NAME[_c.urn] = _c
_BY_NAME["CRS84"] = _BY_NAME["OGC:CRS84"] = _BY_NAME["urn:ogc:def:crs:OGC:1.3:CRS84"] = SUPPORTED[0]


def parse_crs(value: str | None, parameter: str = "crs") -> Crs:
    if value is None or value == "":
        return SUPPORTED[0]
    crs = _BY_NAME.get(value.strip().strip("[]"))
    if crs is None:
        offered = ", ".join(c.uri for c in SUPPORTED)
        raise BadRequest(
            f"{parameter} '{value}' is not offered; use one of {offered}.",
            f"不支持 {parameter}“{value}”；可选：{offered}。",
        )
    return crs


def crs_headers(crs: Crs) -> dict:
    """The CRS of an answer's coordinates, as OGC API Part 2 names it."""
    return {"Content-Crs": f"<{crs.uri}>"}
