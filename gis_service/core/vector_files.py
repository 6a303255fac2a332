"""Reading uploaded vector files (GeoJSON, GeoPackage, zipped Shapefile) with pyogrio."""

from __future__ import annotations

import io
import warnings
import zipfile

from gis_service.core.errors import BadRequest
from gis_service.core.text_input import clean

MAX_VECTOR_BYTES = 50 * 1024 * 1024


def read_geometries(data: bytes, filename: str):
    """A GeoSeries in EPSG:4490 from the upload; a clear 400 when it cannot be read."""
    return read_features(data, filename).geometry.dropna()


def read_features(data: bytes, filename: str):
    """A GeoDataFrame (attributes and geometry) in EPSG:4490 from the upload; a clear 400
    when it cannot be read."""
    import geopandas as gpd  # heavy: only loaded when a file arrives
    import pyogrio

    if not data:
        raise BadRequest("The file is empty.", "文件为空。")
    if len(data) > MAX_VECTOR_BYTES:
        raise BadRequest("The file is larger than 50 MB.", "文件超过 50 MB。")
    is_zip = data[:4] == b"PK\x03\x04"
    if is_zip:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = [n for n in z.namelist() if not n.startswith("__MACOSX")]
                if any(n.startswith(("/", "\\")) or ".." in n.replace("\\", "/").split("/") for n in names):
                    raise BadRequest(
                        "The zip holds a file with an unsafe path (absolute or with '..').",
                        "压缩包中含有不安全的路径（绝对路径或含 ..）。",
                    )
                if sum(z.getinfo(n).file_size for n in names) > 10 * MAX_VECTOR_BYTES:
                    raise BadRequest("The zip unpacks to too much data.", "压缩包解压后过大。")
                if not any(n.lower().endswith(".shp") for n in names):
                    raise BadRequest("The zip holds no .shp file.", "压缩包中没有 .shp 文件。")
        except zipfile.BadZipFile:
            raise BadRequest("The zip file is damaged.", "压缩文件已损坏。") from None
    try:
        with warnings.catch_warnings():  # GDAL notes the in-memory name lacks .gpkg: harmless
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = pyogrio.read_dataframe(io.BytesIO(data))
    except Exception as exc:
        raise BadRequest(
            f"The file cannot be read as GeoJSON, GeoPackage or zipped Shapefile ({exc}).",
            "无法按 GeoJSON、GeoPackage 或压缩的 Shapefile 读取该文件。",
        ) from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        raise BadRequest("The file has no geometry.", "文件中没有几何。")
    if frame.crs is None:
        raise BadRequest(
            "The file does not say its coordinate system (.prj or crs missing).",
            "文件未注明坐标系（缺少 .prj 或 crs）。",
        )
    # text attributes enter like any other text: NFC, no invisible or control characters
    for column in frame.columns:
        if column != frame.geometry.name and frame[column].dtype == object:
            frame[column] = [
                clean(v, f"feature {i + 1}, {column}") if isinstance(v, str) else v
                for i, v in enumerate(frame[column])
            ]
    return frame.to_crs(4490)
