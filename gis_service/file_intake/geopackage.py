"""A GeoPackage read as the SQLite database it is, from an image in memory.

The image is deserialised into an in-memory connection with untrusted schema objects
(`trusted_schema=OFF`: views and triggers may call no function with side effects), a step
budget (a view with a runaway recursive query is stopped) and no extensions. Geometry
blobs are the GeoPackage header and WKB, decoded by shapely."""

from __future__ import annotations

import sqlite3
import struct

import shapely
from shapely.errors import GEOSException

from gis_service.file_intake import crs as crs_names
from gis_service.file_intake.layer import VectorLayer, unreadable

SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_VM_STEPS = 200_000_000  # far beyond reading 50 MB of rows; stops a runaway view
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def is_geopackage(data: bytes) -> bool:
    return data[:16] == SQLITE_MAGIC


def _connect(data: bytes) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(data)
    except sqlite3.Error:
        conn.close()
        raise unreadable("GeoPackage", "the SQLite image is damaged") from None
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA query_only = ON")
    steps = 0

    def budget() -> int:
        nonlocal steps
        steps += 1
        return 1 if steps > MAX_VM_STEPS // 1000 else 0

    conn.set_progress_handler(budget, 1000)
    return conn


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _feature_table(conn: sqlite3.Connection) -> tuple[str, str, int]:
    try:
        rows = conn.execute(
            "SELECT g.table_name, g.column_name, g.srs_id FROM gpkg_geometry_columns g "
            "JOIN gpkg_contents c ON c.table_name = g.table_name "
            "WHERE c.data_type = 'features' ORDER BY g.table_name"
        ).fetchall()
    except sqlite3.Error:
        raise unreadable("GeoPackage", "it has no GeoPackage feature tables") from None
    if not rows:
        raise unreadable("GeoPackage", "it has no feature table")
    if len(rows) > 1:
        names = ", ".join(r[0] for r in rows[:10])
        raise unreadable("GeoPackage", f"it holds {len(rows)} feature tables ({names}); send one per file")
    return rows[0]


def _crs(conn: sqlite3.Connection, srs_id: int):
    row = conn.execute(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
        "WHERE srs_id = ?",
        (srs_id,),
    ).fetchone()
    if row is None or srs_id in (-1, 0):
        raise unreadable("GeoPackage", "its feature table does not say its coordinate system")
    organization, code, definition = row
    what = f"srs_id {srs_id}"
    if str(organization).upper() == "EPSG":
        return crs_names.checked_against_epsg(str(definition or ""), int(code), what)
    return crs_names.from_wkt(str(definition or ""), what)


def _geometry(blob, number: int):
    if blob is None:
        return None
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
        raise unreadable("GeoPackage", f"feature {number}'s geometry is not a GeoPackage geometry")
    flags = blob[3]
    envelope = _ENVELOPE_BYTES.get((flags >> 1) & 0b111)
    if envelope is None:
        raise unreadable("GeoPackage", f"feature {number}'s geometry header is damaged")
    if flags & 0b10000:  # the empty-geometry flag
        return None
    try:
        return shapely.from_wkb(blob[8 + envelope :])
    except (GEOSException, ValueError, struct.error):
        raise unreadable("GeoPackage", f"feature {number}'s geometry cannot be decoded") from None


def read(data: bytes) -> VectorLayer:
    conn = _connect(data)
    try:
        table, geometry_column, srs_id = _feature_table(conn)
        layer = VectorLayer(_crs(conn, srs_id))
        columns = conn.execute(f"PRAGMA table_info({_quoted(table)})").fetchall()
        # The integer primary key is the feature id, not an attribute (as GDAL reads it).
        names = [c[1] for c in columns if c[1] != geometry_column and not (c[5] and "INT" in c[2].upper())]
        select = ", ".join(_quoted(n) for n in [geometry_column, *names])
        for number, (blob, *values) in enumerate(
            conn.execute(f"SELECT {select} FROM {_quoted(table)}"), start=1
        ):
            layer.add(dict(zip(names, values, strict=True)), _geometry(blob, number))
        return layer
    except sqlite3.OperationalError as exc:
        detail = "reading it took too long" if "interrupted" in str(exc) else "its tables cannot be read"
        raise unreadable("GeoPackage", detail) from None
    except sqlite3.DatabaseError:
        raise unreadable("GeoPackage", "the SQLite image is damaged") from None
    finally:
        conn.close()
