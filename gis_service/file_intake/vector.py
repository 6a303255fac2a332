"""Uploaded vector files (GeoJSON, GeoPackage, zipped Shapefile) as a GeoDataFrame in
CGCS2000: the format chosen from the bytes, never from the name, each read by its own
parser from memory; too many vertices refused before any work is done with them."""

from __future__ import annotations

import orjson
import shapely

from gis_service.core.errors import BadRequest
from gis_service.core.settings import get_settings
from gis_service.core.text_input import clean
from gis_service.file_intake import geojson, geopackage, shapefile_zip
from gis_service.file_intake.layer import VectorLayer

MAX_VECTOR_BYTES = 50 * 1024 * 1024
FORMATS = "GeoJSON, GeoPackage or zipped Shapefile"


def vector_format(data: bytes) -> str | None:
    """'geojson', 'geopackage' or 'shapefile' by the file's first bytes; None otherwise."""
    if geopackage.is_geopackage(data):
        return "geopackage"
    if data[:4] == shapefile_zip.ZIP_MAGIC:
        return None if shapefile_zip.is_workbook(data) else "shapefile"
    if data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"{":
        return "geojson"
    return None


def is_vector_file(data: bytes) -> bool:
    return vector_format(data) is not None


def _layer(data: bytes) -> VectorLayer:
    kind = vector_format(data)
    if kind == "geopackage":
        return geopackage.read(data)
    if kind == "shapefile":
        return shapefile_zip.read(data, max_unpacked=10 * MAX_VECTOR_BYTES)
    if kind == "geojson":
        return geojson.read(data)
    start = data.lstrip()[:1]
    what = "XML (a GDAL VRT, GML or KML)" if start == b"<" else "neither"
    raise BadRequest(
        f"The file is {what}: only {FORMATS} files are read.",
        "只读取 GeoJSON、GeoPackage 或压缩的 Shapefile 文件。",
    )


def _check_vertices(layer: VectorLayer) -> None:
    settings = get_settings()
    counts = [0 if g is None else int(shapely.get_num_coordinates(g)) for g in layer.geometries]
    worst = max(counts, default=0)
    if worst > settings.max_vertices_per_feature:
        raise BadRequest(
            f"Feature {counts.index(worst) + 1} has {worst:,} vertices; at most "
            f"{settings.max_vertices_per_feature:,} are accepted per feature (simplify it first).",
            f"第 {counts.index(worst) + 1} 个要素有 {worst:,} 个节点，每个要素最多 "
            f"{settings.max_vertices_per_feature:,} 个（请先简化）。",
        )
    if sum(counts) > settings.max_vertices_per_file:
        raise BadRequest(
            f"The file has {sum(counts):,} vertices; at most {settings.max_vertices_per_file:,} "
            "are accepted per file (split or simplify it).",
            f"文件共有 {sum(counts):,} 个节点，每个文件最多 {settings.max_vertices_per_file:,} 个（请拆分或简化）。",
        )


def _text(value, field: str):
    if isinstance(value, dict | list):
        value = orjson.dumps(value).decode()
    if isinstance(value, bytes):
        return None  # a BLOB attribute: nothing a person typed
    return clean(value, field) if isinstance(value, str) else value


def read_features(data: bytes, filename: str = ""):
    """A GeoDataFrame (attributes and geometry) in EPSG:4490 from the upload; a clear 400
    when it cannot be read."""
    import geopandas as gpd  # heavy: only loaded when a file arrives

    if not data:
        raise BadRequest("The file is empty.", "文件为空。")
    if len(data) > MAX_VECTOR_BYTES:
        raise BadRequest("The file is larger than 50 MB.", "文件超过 50 MB。")
    layer = _layer(data)
    if not any(g is not None for g in layer.geometries):
        raise BadRequest("The file has no geometry.", "文件中没有几何。")
    _check_vertices(layer)
    # text attributes enter like any other text: NFC, no invisible or control characters
    records = [
        {k: _text(v, f"feature {i + 1}, {k}") for k, v in record.items()}
        for i, record in enumerate(layer.records)
    ]
    frame = gpd.GeoDataFrame(records, geometry=gpd.GeoSeries(layer.geometries, crs=layer.crs))
    try:
        return frame.to_crs(4490)
    except Exception:  # pyproj finds no transformation from this CRS to CGCS2000
        raise BadRequest(
            f"The file's coordinates cannot be transformed from {layer.crs.name} to CGCS2000.",
            f"文件坐标无法从 {layer.crs.name} 转换到 CGCS2000。",
        ) from None


def read_geometries(data: bytes, filename: str = ""):
    """A GeoSeries in EPSG:4490 from the upload; a clear 400 when it cannot be read."""
    return read_features(data, filename).geometry.dropna()
