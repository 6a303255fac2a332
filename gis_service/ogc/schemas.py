"""JSON Schemas of a collection, built from the database's own column definitions.

Two documents: the queryables (what a CQL2 filter may name, OGC API - Features Part 3)
and the feature schema linked as `describedby`, a GeoJSON Feature whose `properties`
carry each field's type, date formats, read-only and required marks. Clients such as
GDAL type a layer from the latter, so an empty collection is typed too.
"""

from __future__ import annotations

from gis_service.catalogue import service as layers
from gis_service.catalogue.declarations import LayerDeclaration

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
MEDIA_TYPE = "application/schema+json"


def property_schema(name: str, column: layers.Column | None) -> dict:
    """One property: JSON type, `format` for dates and times, `maxLength` for bounded text."""
    sql_type = column.sql_type if column else "text"
    schema: dict = {"title": name, "type": layers.JSON_TYPES.get(sql_type, "string")}
    if sql_type == "date":
        schema["format"] = "date"
    elif sql_type.startswith("timestamp"):
        schema["format"] = "date-time"
    elif sql_type == "ARRAY":
        schema["items"] = {"type": "string"}
    if column and column.max_length:
        schema["maxLength"] = column.max_length
    return schema


def geometry_schema(layer: LayerDeclaration) -> dict:
    """The primary geometry with its exact type (Part 3's `geometry-multipolygon`, …)."""
    return {
        "title": layer.geometry_column,
        "x-ogc-role": "primary-geometry",
        "format": f"geometry-{layer.geometry_type.lower()}",
    }


async def queryables(pool, layer: LayerDeclaration, url: str) -> dict:
    columns = await layers.table_columns(pool, layer=layer, table=layer.source)
    props = {name: property_schema(name, columns.get(name)) for name in (layer.id_column, *layer.properties)}
    if layer.has_geometry and layer.geometry_column:
        props["geometry"] = geometry_schema(layer)
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": url,
        "type": "object",
        "title": layer.title.zh,
        "properties": props,
        "additionalProperties": False,
        # GDAL (3.6 to 3.12 at least) reads the 2020 draft's list of ids, not the JSON
        # Schema's properties; without it GDAL filters on the client and reads every row.
        "queryables": [{"id": name} for name in props if name != "geometry"],
    }


async def required_properties(pool, layer: LayerDeclaration) -> list[str]:
    """Editable properties a create or replace must carry: NOT NULL without a default."""
    if not layer.edit_table:
        return []
    columns = await layers.table_columns(pool, layer=layer, table=layer.edit_table)
    return [
        p
        for p in layer.editable_properties
        if p in columns and not columns[p].nullable and not columns[p].has_default
    ]


async def feature_schema(pool, layer: LayerDeclaration, url: str) -> dict:
    """A GeoJSON Feature of this collection as JSON Schema (the `describedby` target)."""
    columns = await layers.table_columns(pool, layer=layer, table=layer.source)
    editable = set(layer.editable_properties) if layer.edit_table else set()
    props = {}
    for name in layer.properties:
        props[name] = property_schema(name, columns.get(name))
        if layer.edit_table and name not in editable:
            props[name]["readOnly"] = True
    if layer.has_geometry and layer.geometry_column:
        geometry = {
            **geometry_schema(layer),
            "type": "object",
            "required": ["type", "coordinates"],
            "properties": {
                "type": {"type": "string", "enum": [layer.geometry_type]},
                "coordinates": {"type": "array"},
            },
        }
    else:
        geometry = {"type": "null"}
    id_type = (
        layers.JSON_TYPES.get(columns[layer.id_column].sql_type, "string")
        if layer.id_column in columns
        else "string"
    )
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": url,
        "title": layer.title.zh,
        "description": layer.title.en,
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": id_type, "readOnly": True},
            "geometry": geometry,
            "properties": {
                "type": "object",
                "required": await required_properties(pool, layer),
                "properties": props,
            },
        },
    }
