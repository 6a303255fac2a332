"""GeoJSON read as JSON (RFC 7946, and the 2008 format's `crs` member that GIS desktop
tools still write for CGCS2000 files)."""

from __future__ import annotations

import orjson
import shapely.geometry
from shapely.errors import GEOSException

from gis_service.file_intake import crs as crs_names
from gis_service.file_intake.layer import VectorLayer, unreadable

GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


def _crs(doc: dict):
    member = doc.get("crs")
    if member is None:
        return crs_names.from_name("OGC:CRS84")  # RFC 7946: longitude, latitude on WGS 84
    name = (member.get("properties") or {}).get("name") if isinstance(member, dict) else None
    if not isinstance(name, str) or member.get("type") != "name":
        raise unreadable("GeoJSON", "its crs member is not a named coordinate system")
    return crs_names.from_name(name)


def _geometry(value, number: int):
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("type") not in GEOMETRY_TYPES:
        raise unreadable("GeoJSON", f"feature {number} has no valid geometry type")
    try:
        return shapely.geometry.shape(value)
    except (GEOSException, ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise unreadable(
            "GeoJSON", f"feature {number} has coordinates that do not form its geometry"
        ) from None


def read(data: bytes) -> VectorLayer:
    try:
        doc = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as exc:
        raise unreadable("GeoJSON", f"not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise unreadable("GeoJSON", "the document is not a JSON object")
    kind = doc.get("type")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise unreadable("GeoJSON", "the FeatureCollection has no features list")
    elif kind == "Feature":
        features = [doc]
    elif kind in GEOMETRY_TYPES:
        features = [{"type": "Feature", "properties": {}, "geometry": doc}]
    else:
        raise unreadable("GeoJSON", "its type is not FeatureCollection, Feature or a geometry")
    layer = VectorLayer(_crs(doc))
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise unreadable("GeoJSON", f"item {number} of features is not a Feature")
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise unreadable("GeoJSON", f"feature {number}'s properties are not an object")
        layer.add(dict(properties), _geometry(feature.get("geometry"), number))
    return layer
