"""Reading a tile package file: MBTiles (SQLite, TMS rows) or PMTiles (one archive).

A package is opened once per process and read with positional reads, so serving a tile
is a file lookup, not a database query. The ETag of a tile is the hash of its bytes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = {  # package tile format -> (media type, is vector)
    "pbf": ("application/vnd.mapbox-vector-tile", True),
    "mvt": ("application/vnd.mapbox-vector-tile", True),
    "png": ("image/png", False),
    "jpg": ("image/jpeg", False),
    "jpeg": ("image/jpeg", False),
    "webp": ("image/webp", False),
}


class PackageError(RuntimeError):
    """The base map file cannot be used (missing, unreadable, unknown format)."""


@dataclass
class Tile:
    data: bytes
    etag: str
    gzipped: bool = False


@dataclass
class PackageInfo:
    name: str
    format: str
    minzoom: int
    maxzoom: int
    bounds: list[float]
    attribution: str = ""
    vector_layers: list[dict] = field(default_factory=list)

    @property
    def media_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def is_vector(self) -> bool:
        return FORMATS[self.format][1]


def _etag(data: bytes) -> str:
    return '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'


class MBTiles:
    """An MBTiles 1.3 file. Rows are in TMS order (south up), flipped here to XYZ."""

    def __init__(self, path: Path) -> None:
        try:
            self._con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            meta = dict(self._con.execute("SELECT name, value FROM metadata").fetchall())
        except sqlite3.Error as exc:
            raise PackageError(f"{path} is not a readable MBTiles file: {exc}") from None
        self._lock = threading.Lock()
        fmt = meta.get("format", "png").lower()
        if fmt not in FORMATS:
            raise PackageError(f"{path}: tile format {fmt!r} is not one of {', '.join(FORMATS)}")
        zooms = self._con.execute("SELECT min(zoom_level), max(zoom_level) FROM tiles").fetchone()
        bounds = [float(v) for v in meta.get("bounds", "-180,-85.0511,180,85.0511").split(",")]
        extra = json.loads(meta.get("json", "{}") or "{}")
        self.info = PackageInfo(
            name=meta.get("name", path.stem),
            format=fmt,
            minzoom=int(meta.get("minzoom", zooms[0] or 0)),
            maxzoom=int(meta.get("maxzoom", zooms[1] or 0)),
            bounds=bounds,
            attribution=meta.get("attribution", ""),
            vector_layers=extra.get("vector_layers", []),
        )

    def tile(self, z: int, x: int, y: int) -> Tile | None:
        with self._lock:
            row = self._con.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, (1 << z) - 1 - y),
            ).fetchone()
        if row is None:
            return None
        data = bytes(row[0])
        return Tile(data, _etag(data), gzipped=data[:2] == b"\x1f\x8b")

    def sizes(self, tiles: list[tuple[int, int, int]]) -> int:
        """The stored bytes of these tiles (for the download estimate)."""
        total = 0
        with self._lock:
            for z, x, y in tiles:
                row = self._con.execute(
                    "SELECT length(tile_data) FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                    (z, x, (1 << z) - 1 - y),
                ).fetchone()
                total += row[0] if row else 0
        return total


class PMTiles:
    """A PMTiles v3 archive, read through the `pmtiles` package."""

    TYPES = {1: "pbf", 2: "png", 3: "jpg", 4: "webp"}

    def __init__(self, path: Path) -> None:
        from pmtiles.reader import MmapSource, Reader

        try:
            self._file = open(path, "rb")  # noqa: SIM115  (kept open for the process's life)
            self._reader = Reader(MmapSource(self._file))
            header = self._reader.header()
            meta = self._reader.metadata()
        except Exception as exc:  # the package raises plain exceptions on bad files
            raise PackageError(f"{path} is not a readable PMTiles file: {exc}") from None
        fmt = self.TYPES.get(
            int(header["tile_type"].value if hasattr(header["tile_type"], "value") else header["tile_type"])
        )
        if fmt is None:
            raise PackageError(f"{path}: unknown PMTiles tile type")
        self._gzip = int(getattr(header["tile_compression"], "value", header["tile_compression"])) == 2
        self._lock = threading.Lock()
        self.info = PackageInfo(
            name=meta.get("name", path.stem),
            format=fmt,
            minzoom=header["min_zoom"],
            maxzoom=header["max_zoom"],
            bounds=[
                header["min_lon_e7"] / 1e7,
                header["min_lat_e7"] / 1e7,
                header["max_lon_e7"] / 1e7,
                header["max_lat_e7"] / 1e7,
            ],
            attribution=meta.get("attribution", ""),
            vector_layers=meta.get("vector_layers", []),
        )

    def tile(self, z: int, x: int, y: int) -> Tile | None:
        with self._lock:
            data = self._reader.get(z, x, y)
        if not data:
            return None
        return Tile(data, _etag(data), gzipped=self._gzip)

    def sizes(self, tiles: list[tuple[int, int, int]]) -> int:
        return sum(len(t.data) for z, x, y in tiles if (t := self.tile(z, x, y)))


def open_package(path: Path) -> MBTiles | PMTiles:
    if not path.is_file():
        raise PackageError(f"The base map file {path} does not exist (BASEMAP_FILE).")
    if path.suffix.lower() == ".pmtiles":
        return PMTiles(path)
    return MBTiles(path)
