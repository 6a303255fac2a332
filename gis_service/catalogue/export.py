"""Streaming a catalogue layer out as GeoJSON, CSV, GeoPackage or zipped Shapefile.

Rows are read in keyset pages, so memory stays bounded however large the layer:
GeoJSON and CSV stream page by page; GeoPackage and Shapefile are appended to a
temporary file page by page with pyogrio, then sent and deleted.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import orjson

from gis_service.catalogue import service
from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.core import tables
from gis_service.core.cpu import run_cpu
from gis_service.core.query_params import BBox

PAGE = 5000
FORMATS = {
    "geojson": ("application/geo+json", "geojson"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
    "shp": ("application/zip", "zip"),
}


async def _pages(pool, layer: LayerDeclaration, bbox: BBox | None, filters: dict) -> AsyncIterator[str]:
    """The layer's features, a page at a time, each page comma-separated JSON text."""
    after = None
    async with pool.connection() as conn:
        while True:
            page = await service.items(conn, layer=layer, bbox=bbox, limit=PAGE, after=after, filters=filters)
            if page.returned:
                yield page.features_json
            if page.next_key is None:
                return
            after = page.next_key


async def geojson_stream(pool, layer, bbox, filters) -> AsyncIterator[bytes]:
    yield b'{"type":"FeatureCollection","name":"' + layer.id.encode() + b'","features":['
    first = True
    async for features in _pages(pool, layer, bbox, filters):
        yield (features if first else "," + features).encode()
        first = False
    yield b"]}"


async def csv_stream(pool, layer, bbox, filters) -> AsyncIterator[bytes]:
    from shapely.geometry import shape

    columns = ["id", *layer.properties] + (["wkt"] if layer.has_geometry else [])
    yield (tables.CSV_BOM + tables.csv_lines([columns])).encode()
    async for features in _pages(pool, layer, bbox, filters):
        rows = []
        for f in _parsed(features):
            row = [f["id"], *[f["properties"].get(p) for p in layer.properties]]
            if layer.has_geometry:
                row.append(shape(f["geometry"]).wkt if f["geometry"] else "")
            rows.append(row)
        yield tables.csv_lines(rows).encode()


def _parsed(features: str) -> list[dict]:
    return orjson.loads("[" + features + "]")


def _write_page(features: str, target: Path, layer_id: str, driver: str, append: bool, fmt: str) -> None:
    """One page of features appended to the file (in a worker thread)."""
    import geopandas as gpd
    import pyogrio

    docs = _parsed(features)
    frame = gpd.GeoDataFrame.from_features(docs, crs=4490)
    frame.insert(0, "fid_src", [f["id"] for f in docs])
    pyogrio.write_dataframe(
        frame,
        target,
        layer=layer_id,
        driver=driver,
        append=append,
        encoding="UTF-8" if fmt == "shp" else None,
    )


async def write_file(pool, layer, bbox, filters, fmt: str) -> Path:
    """Write a GeoPackage or zipped Shapefile to a temporary folder; returns the file."""
    import geopandas as gpd
    import pyogrio

    folder = Path(tempfile.mkdtemp(prefix="gis-export-"))
    target = folder / (f"{layer.id}.gpkg" if fmt == "gpkg" else f"{layer.id}.shp")
    driver = "GPKG" if fmt == "gpkg" else "ESRI Shapefile"
    written = False
    async for features in _pages(pool, layer, bbox, filters):
        await run_cpu(_write_page, features, target, layer.id, driver, written, fmt)
        written = True
    if not written:  # an empty layer still gets a valid, empty file
        empty = gpd.GeoDataFrame({"fid_src": []}, geometry=[], crs=4490)
        pyogrio.write_dataframe(empty, target, layer=layer.id, driver=driver)
    if fmt == "gpkg":
        return target
    archive = folder / f"{layer.id}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for part in sorted(folder.glob(f"{layer.id}.*")):
            if part.suffix != ".zip":
                z.write(part, part.name)
    return archive


def cleanup(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)
