"""Coordinate systems named by uploaded files, accepted only as WKT or an EPSG/OGC name.

PROJ's general `proj_create` also accepts "+init=file:id" strings, which read files: a
name from a file therefore goes through a pattern first, and WKT through the WKT parser
only. A file's CRS must be geographic or projected (a LOCAL_CS has no place on Earth),
and a definition that claims an EPSG code must be that code's definition."""

from __future__ import annotations

import re

from pyproj import CRS
from pyproj.exceptions import CRSError

from gis_service.core.errors import BadRequest

_NAME = re.compile(
    r"^(?:urn:ogc:def:crs:(?P<auth1>EPSG|OGC):[0-9.]*:(?P<code1>\w+)"
    r"|(?P<auth2>EPSG|OGC):(?P<code2>\w+)"
    r"|https?://www\.opengis\.net/def/crs/(?P<auth3>EPSG|OGC)/[0-9.]+/(?P<code3>\w+))$",
    re.IGNORECASE,
)


def _refuse(what: str, detail: str, detail_zh: str) -> BadRequest:
    return BadRequest(
        f"The file's coordinate system ({what}) cannot be used: {detail}.",
        f"文件的坐标系（{what}）无法使用：{detail_zh}。",
    )


def _usable(crs: CRS, what: str) -> CRS:
    if not (crs.is_geographic or crs.is_projected):
        raise _refuse(
            what,
            "it is neither geographic nor projected (a local system has no place on Earth)",
            "既不是地理坐标系也不是投影坐标系（局部坐标系无法定位到地球上）",
        )
    return crs


def from_name(name: str) -> CRS:
    """A CRS from an EPSG or OGC name (EPSG:4490, urn:ogc:def:crs:EPSG::4490, CRS84)."""
    match = _NAME.match(name.strip())
    if not match:  # not echoed: it may be a path
        raise _refuse("crs name", "only EPSG or OGC names are understood", "只接受 EPSG 或 OGC 名称")
    auth = next(v for k, v in match.groupdict().items() if k.startswith("auth") and v).upper()
    code = next(v for k, v in match.groupdict().items() if k.startswith("code") and v)
    try:
        crs = (
            CRS.from_epsg(int(code))
            if auth == "EPSG" and code.isdigit()
            else CRS.from_user_input(f"OGC:{code}")
        )
    except (CRSError, ValueError):
        raise _refuse(name, "unknown code", "未知代码") from None
    return _usable(crs, name[:80])


def _parsed_wkt(text: str, what: str) -> CRS:
    try:
        return CRS.from_wkt(text)
    except (CRSError, ValueError):
        raise _refuse(what, "the definition cannot be read as WKT", "定义无法按 WKT 读取") from None


def from_wkt(text: str, what: str = ".prj") -> CRS:
    """A CRS from WKT (OGC or ESRI flavour)."""
    return _usable(_parsed_wkt(text, what), what)


def checked_against_epsg(definition: str, code: int, what: str) -> CRS:
    """The CRS a file defines under an EPSG code, refused unless it is that code's."""
    try:
        registered = CRS.from_epsg(code)
    except CRSError:
        raise _refuse(what, f"EPSG:{code} is not a known code", f"EPSG:{code} 不是已知代码") from None
    if definition.strip().lower() not in ("", "undefined") and not _parsed_wkt(definition, what).equals(
        registered, ignore_axis_order=True
    ):
        raise _refuse(
            what,
            f"its definition is not EPSG:{code}'s although it claims that code",
            f"声称是 EPSG:{code}，但定义与之不符",
        )
    return _usable(registered, what)
