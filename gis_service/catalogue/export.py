"""Streaming a catalogue layer out as GeoJSON, CSV, GeoPackage or zipped Shapefile.

Rows are read in keyset pages, so memory stays bounded however large the layer:
GeoJSON and CSV stream page by page; GeoPackage and Shapefile are appended to a
temporary file page by page with pyogrio, as Arrow tables typed by the database's
columns (dates as dates, numbers as numbers), then sent and deleted.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import orjson

from gis_service.auth.acting import Acting
from gis_service.catalogue import service
from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.core.cpu import run_cpu
from gis_service.core.errors import Conflict
from gis_service.core.geojson_pages import collection_parts
from gis_service.file_intake import tables
from gis_service.query.bbox import Bbox

PAGE = 5000
FORMATS = {
    "geojson": ("application/geo+json", "geojson"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
    "shp": ("application/zip", "zip"),
}


async def _pages(pool, layer: LayerDeclaration, area: Bbox | None, filters: dict) -> AsyncIterator[str]:
    """The layer's features, a page at a time, each page comma-separated JSON text."""
    after = None
    async with pool.connection() as conn:
        while True:
            page = await service.items(conn, layer=layer, area=area, limit=PAGE, after=after, filters=filters)
            if page.returned:
                yield page.features_json
            if page.next_key is None:
                return
            after = page.next_key


async def geojson_stream(pool, layer, area, filters, by: Acting | None = None) -> AsyncIterator[bytes]:
    members = f'"name":{orjson.dumps(layer.id).decode()},'
    if by is not None:
        members += f'"exported_by":{orjson.dumps(by.as_dict() | {"exported_at": _now()}).decode()},'
    head, tail = collection_parts(members=members)
    yield head.encode()
    first = True
    async for features in _pages(pool, layer, area, filters):
        yield (features if first else "," + features).encode()
        first = False
    yield tail.encode()


async def csv_stream(pool, layer, area, filters) -> AsyncIterator[bytes]:
    from shapely.geometry import shape

    columns = ["id", *layer.properties] + (["wkt"] if layer.has_geometry else [])
    yield (tables.CSV_BOM + tables.csv_lines([columns])).encode()
    async for features in _pages(pool, layer, area, filters):
        rows = []
        for f in _parsed(features):
            row = [f["id"], *[f["properties"].get(p) for p in layer.properties]]
            if layer.has_geometry:
                row.append(shape(f["geometry"]).wkt if f["geometry"] else "")
            rows.append(row)
        yield tables.csv_lines(rows).encode()


def _parsed(features: str) -> list[dict]:
    return orjson.loads("[" + features + "]")


# GeoPackage 1.2: the version every GDAL still in use reads without a warning (GDAL 3.6
# warns that it "may only partially support" the 1.4 that newer GDAL writes by default).
GPKG_OPTIONS = {"VERSION": "1.2"}
_ARROW_TYPES = {
    "integer": "int32",
    "smallint": "int32",
    "bigint": "int64",
    "numeric": "float64",
    "double precision": "float64",
    "real": "float64",
    "boolean": "bool_",
}


def _arrow_type(sql_type: str):
    import pyarrow as pa

    if sql_type == "date":
        return pa.date32()
    if sql_type.startswith("timestamp"):
        return pa.timestamp("ms", tz="UTC")
    name = _ARROW_TYPES.get(sql_type)
    return getattr(pa, name)() if name else pa.string()


def _cell(value, sql_type: str):
    """A property as GeoJSON gave it, as the Python value of its column's type."""
    if value is None:
        return None
    if sql_type == "date":
        return date.fromisoformat(value)
    if sql_type.startswith("timestamp"):
        return datetime.fromisoformat(value)
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return orjson.dumps(value).decode()
    return value


def _geometries(layer: LayerDeclaration, docs: list[dict]) -> list[bytes]:
    """Each geometry as WKB of exactly the declared type (a single part promoted to Multi);
    any other type is a 409, before the response starts."""
    import shapely
    from shapely.geometry import shape

    declared = layer.geometry_type
    out = []
    for doc in docs:
        geom = shape(doc["geometry"]) if doc["geometry"] else None
        if geom is not None and geom.geom_type != declared:
            if declared == f"Multi{geom.geom_type}":
                geom = getattr(shapely, declared.lower() + "s")([geom])
            else:
                raise Conflict(
                    f"Layer '{layer.id}' holds a {geom.geom_type} (feature {doc['id']}) where it "
                    f"declares {declared}; a Shapefile or GeoPackage holds one type. Export it as "
                    "GeoJSON or CSV.",
                    f"图层“{layer.id}”中要素 {doc['id']} 为 {geom.geom_type}，与声明的 {declared} 不符；"
                    "Shapefile 和 GeoPackage 只能容纳一种几何类型，请导出为 GeoJSON 或 CSV。",
                )
        out.append(shapely.to_wkb(geom) if geom is not None else None)
    return out


def _table(layer: LayerDeclaration, types: dict[str, str], docs: list[dict]):
    """One page as an Arrow table typed by the database's columns: dates stay dates and
    numbers numbers in the file."""
    import pyarrow as pa

    id_type = types.get(layer.id_column, "text")
    columns = {"fid_src": pa.array([_cell(d["id"], id_type) for d in docs], _arrow_type(id_type))}
    for name in layer.properties:
        sql_type = types.get(name, "text")
        values = [_cell(d["properties"].get(name), sql_type) for d in docs]
        columns[name] = pa.array(values, _arrow_type(sql_type))
    if layer.has_geometry:
        columns["geometry"] = pa.array(_geometries(layer, docs), pa.binary())
    return pa.table(columns)


def shapefile_names(names: list[str]) -> dict[str, str]:
    """A Shapefile field name is at most 10 characters: each long name cut to 10, or to 8
    and a number where two would meet (remediation_status, remediation_method →
    remediatio, remediat_1). The archive carries the table of full names."""
    out: dict[str, str] = {}
    for name in names:
        short = name[:10]
        n = 1
        while short in out.values():
            short = f"{name[:8]}_{n}"
            n += 1
        out[name] = short
    return out


def _about(by: Acting | None) -> dict[str, str] | None:
    """Who exported the file, as GeoPackage layer metadata and a Shapefile's .about.txt."""
    if by is None:
        return None
    return {
        "EXPORTED_BY": by.username,
        "BUREAU": f"{by.bureau} / {by.bureau_en}",
        "UNIT_CODE": by.unit_code,
        "EXPORTED_AT": _now(),
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_table(
    table, target: Path, layer: LayerDeclaration, fmt: str, append: bool, about: dict | None = None
) -> None:
    """One page appended to the file (in a worker thread)."""
    import pyogrio

    if fmt == "shp":
        short = shapefile_names([n for n in table.column_names if n != "geometry"])
        table = table.rename_columns([short.get(n, n) for n in table.column_names])

    pyogrio.write_arrow(
        table,
        target,
        layer=layer.id,
        driver="GPKG" if fmt == "gpkg" else "ESRI Shapefile",
        # a layer without geometry is an attribute table (a lone .dbf in the Shapefile zip)
        geometry_name="geometry" if layer.has_geometry else None,
        geometry_type=layer.geometry_type if layer.has_geometry else None,
        crs="EPSG:4490" if layer.has_geometry else None,
        append=append,
        encoding="UTF-8" if fmt == "shp" else None,
        dataset_options=GPKG_OPTIONS if fmt == "gpkg" and not append else None,
        layer_metadata=about if fmt == "gpkg" and not append else None,
    )


def _write_page(features: str, target: Path, layer, types, fmt: str, append: bool, about) -> None:
    _write_table(_table(layer, types, _parsed(features)), target, layer, fmt, append, about)


async def write_file(pool, layer, area, filters, fmt: str, by: Acting | None = None) -> Path:
    """Write a GeoPackage or zipped Shapefile to a temporary folder; returns the file.
    An empty layer gives an empty file with the layer's fields and geometry type."""
    folder = Path(tempfile.mkdtemp(prefix="gis-export-"))
    try:
        target = folder / (f"{layer.id}.gpkg" if fmt == "gpkg" else f"{layer.id}.shp")
        types = await service.sql_types(pool, layer=layer)
        written, about = False, _about(by)
        async for features in _pages(pool, layer, area, filters):
            await run_cpu(_write_page, features, target, layer, types, fmt, written, about)
            written = True
        if not written:
            await run_cpu(_write_table, _table(layer, types, []), target, layer, fmt, False, about)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if fmt == "gpkg":
        return target
    names = shapefile_names(["fid_src", *layer.properties])
    (folder / f"{layer.id}.fields.csv").write_text(
        tables.CSV_BOM + tables.csv_lines([["field", "name"], *[[v, k] for k, v in names.items()]]),
        encoding="utf-8",
    )
    if about:
        (folder / f"{layer.id}.about.txt").write_text(
            "".join(f"{k}: {v}\n" for k, v in about.items()), encoding="utf-8"
        )
    archive = folder / f"{layer.id}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for part in sorted(folder.glob(f"{layer.id}.*")):
            if part.suffix != ".zip":
                z.write(part, part.name)
    return archive


def cleanup(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)
