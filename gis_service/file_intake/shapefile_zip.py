"""A zipped Shapefile read from its members in memory (pyshp, pure Python): the .shp and
.shx for geometry, the .dbf for attributes in the encoding its .cpg (or its language
driver byte) names, the .prj as WKT. Nothing else in the zip is opened."""

from __future__ import annotations

import codecs
import io
import zipfile

import shapefile  # pyshp
import shapely.geometry

from gis_service.core.errors import BadRequest
from gis_service.file_intake import crs as crs_names
from gis_service.file_intake.layer import VectorLayer, unreadable

ZIP_MAGIC = b"PK\x03\x04"
MEMBERS = ("shp", "shx", "dbf", "prj", "cpg")
# dBASE language driver ids that Chinese software writes (GDAL reads the same table).
LANGUAGE_DRIVERS = {0x4D: "gb18030", 0x7A: "gb18030", 0x57: "latin-1", 0x00: None}


def is_workbook(data: bytes) -> bool:
    """An XLSX (or other Office Open XML file) is a zip too; it declares its content types."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "[Content_Types].xml" in z.namelist()
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        return False


def _safe_names(z: zipfile.ZipFile, max_unpacked: int) -> list[str]:
    names = [n for n in z.namelist() if not n.startswith("__MACOSX") and not n.endswith("/")]
    if any(n.startswith(("/", "\\")) or ".." in n.replace("\\", "/").split("/") for n in names):
        raise BadRequest(
            "The zip holds a file with an unsafe path (absolute or with '..').",
            "压缩包中含有不安全的路径（绝对路径或含 ..）。",
        )
    if sum(z.getinfo(n).file_size for n in names) > max_unpacked:
        raise BadRequest("The zip unpacks to too much data.", "压缩包解压后过大。")
    return names


def _members(data: bytes, max_unpacked: int) -> dict[str, bytes]:
    """The one Shapefile's members by extension, each read with a size cap (a zip's
    declared sizes may lie)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = _safe_names(z, max_unpacked)
            shps = [n for n in names if n.lower().endswith(".shp")]
            if not shps:
                raise BadRequest("The zip holds no .shp file.", "压缩包中没有 .shp 文件。")
            if len(shps) > 1:
                raise unreadable("a zipped Shapefile", f"it holds {len(shps)} .shp files; send one per zip")
            stem = shps[0][:-4].lower()
            found: dict[str, bytes] = {}
            for name in names:
                base, _, ext = name.rpartition(".")
                if base.lower() == stem and ext.lower() in MEMBERS:
                    with z.open(name) as member:
                        content = member.read(max_unpacked + 1)
                    if len(content) > max_unpacked:
                        raise BadRequest("The zip unpacks to too much data.", "压缩包解压后过大。")
                    found[ext.lower()] = content
            return found
    except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError, OSError):
        raise BadRequest("The zip file is damaged.", "压缩文件已损坏。") from None


def _encoding(members: dict[str, bytes]) -> str:
    declared = members.get("cpg", b"").decode("ascii", "ignore").strip().lower()
    if declared:
        if declared in ("936", "cp936", "gbk", "gb2312", "gb18030"):
            return "gb18030"
        try:
            return codecs.lookup(declared.replace("ansi ", "cp")).name
        except LookupError:
            raise unreadable(
                "a zipped Shapefile", f"its .cpg names an unknown encoding ({declared[:40]})"
            ) from None
    dbf = members.get("dbf", b"")
    return (LANGUAGE_DRIVERS.get(dbf[29]) if len(dbf) > 29 else None) or "utf-8"


def read(data: bytes, max_unpacked: int) -> VectorLayer:
    members = _members(data, max_unpacked)
    if "prj" not in members:
        raise BadRequest(
            "The file does not say its coordinate system (.prj or crs missing).",
            "文件未注明坐标系（缺少 .prj 或 crs）。",
        )
    layer = VectorLayer(crs_names.from_wkt(members["prj"].decode("utf-8", "replace")))
    encoding = _encoding(members)
    streams = {ext: io.BytesIO(members[ext]) for ext in ("shp", "shx", "dbf") if ext in members}
    number = 0  # the feature being read, for the message if it is damaged
    try:
        reader = shapefile.Reader(**streams, encoding=encoding)
        for item in reader.iterShapeRecords():
            number += 1
            shape = item.shape
            geometry = None
            if shape.shapeType != shapefile.NULL:
                geometry = shapely.geometry.shape(shape.__geo_interface__)
            layer.add(item.record.as_dict() if "dbf" in members else {}, geometry)
    except UnicodeDecodeError:
        raise unreadable(
            "a zipped Shapefile", f"feature {number + 1}'s attributes are not {encoding} text (add a .cpg)"
        ) from None
    except Exception:  # pyshp raises struct.error, ValueError and others on damaged members
        raise unreadable(
            "a zipped Shapefile", f"its .shp, .shx or .dbf is damaged (feature {number + 1})"
        ) from None
    return layer
