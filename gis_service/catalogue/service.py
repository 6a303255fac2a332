"""Generic reads over any catalogue layer: GeoJSON items and Mapbox vector tiles.

Postgres builds the JSON and the tiles; Python only stitches pages together.
Identifiers come from validated declarations and are quoted; values are bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.core.db import STORAGE_SRID
from gis_service.core.query_params import BBox

GEOJSON_DECIMALS = 7  # ~1 cm
MVT_EXTENT = 4096


def q(name: str) -> str:
    """Quote an identifier (already validated as a plain lower-case name)."""
    return '"' + name.replace('"', '""') + '"'


def _feature_sql(layer: LayerDeclaration, skip_geometry: bool) -> str:
    names = [*layer.properties, *[c for c in layer.label_point or () if c not in layer.properties]]
    props = ", ".join(f"'{p}', t.{q(p)}" for p in names)
    geometry = (
        f"ST_AsGeoJSON(t.{q(layer.geometry_column)}, {GEOJSON_DECIMALS})::json"
        if layer.has_geometry and not skip_geometry and layer.geometry_column
        else "NULL::json"
    )
    return (
        f"json_build_object('type', 'Feature', 'id', t.{q(layer.id_column)}, "
        f"'geometry', {geometry}, 'properties', json_build_object({props}))::text"
    )


@dataclass
class ItemsPage:
    features_json: list[str]
    next_key: str | None


async def items(
    db_session: AsyncSession,
    *,
    layer: LayerDeclaration,
    bbox: BBox | None,
    limit: int,
    after: str | None,
    filters: dict[str, str],
    skip_geometry: bool = False,
) -> ItemsPage:
    """One keyset page of features, ordered by the layer's id column."""
    where, params = [], {"limit": limit + 1}
    if bbox is not None and layer.has_geometry:
        where.append(
            f"t.{q(layer.geometry_column)} && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, {STORAGE_SRID})"
            f" AND ST_Intersects(t.{q(layer.geometry_column)},"
            f" ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, {STORAGE_SRID}))"
        )
        params.update(zip(("minx", "miny", "maxx", "maxy"), bbox, strict=True))
    for i, (column, value) in enumerate(sorted(filters.items())):
        where.append(f"t.{q(column)}::text = :f{i}")
        params[f"f{i}"] = value
    if after is not None:
        where.append(f"t.{q(layer.id_column)}::text > :after")
        params["after"] = after
    sql = (
        f"SELECT {_feature_sql(layer, skip_geometry)} AS feature, t.{q(layer.id_column)}::text AS key"
        f" FROM {q(layer.source)} t"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY t.{q(layer.id_column)}::text LIMIT :limit"
    )
    rows = (await db_session.execute(text(sql), params)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    return ItemsPage([r.feature for r in rows], rows[-1].key if has_more and rows else None)


async def item(db_session: AsyncSession, *, layer: LayerDeclaration, feature_id: str) -> str | None:
    sql = (
        f"SELECT {_feature_sql(layer, False)} FROM {q(layer.source)} t"
        f" WHERE t.{q(layer.id_column)}::text = :fid LIMIT 1"
    )
    return await db_session.scalar(text(sql), {"fid": feature_id})


async def tile(db_session: AsyncSession, *, layer: LayerDeclaration, z: int, x: int, y: int) -> bytes:
    """A Mapbox vector tile (WebMercatorQuad) of one layer.

    The query envelope is grown by the tile buffer so that shapes crossing the tile
    edge are drawn without seams; tiles below the layer's min zoom are empty so a
    zoomed-out map cannot make the database read a whole large layer.
    """
    if z < layer.min_zoom or z > layer.max_zoom or not layer.geometry_column:
        return b""
    geom = f"t.{q(layer.geometry_column)}"
    columns = [layer.id_column, *[p for p in layer.properties if p != layer.id_column]]
    props = ", ".join(f"t.{q(c)}" for c in columns)
    margin = layer.tile_buffer / MVT_EXTENT
    sql = f"""
        WITH bounds AS (
            SELECT ST_TileEnvelope(:z, :x, :y) AS env,
                   ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => {margin}), {STORAGE_SRID}) AS qenv
        ), rows AS (
            SELECT ST_AsMVTGeom(ST_Transform({geom}, 3857), bounds.env, {MVT_EXTENT},
                                {layer.tile_buffer}, true) AS mvt_geom, {props}
            FROM {q(layer.source)} t, bounds
            WHERE {geom} && bounds.qenv
            LIMIT {layer.tile_feature_limit}
        )
        SELECT ST_AsMVT(rows.*, :layer_name, {MVT_EXTENT}, 'mvt_geom') FROM rows
        WHERE rows.mvt_geom IS NOT NULL
    """
    data = await db_session.scalar(text(sql), {"z": z, "x": x, "y": y, "layer_name": layer.id})
    return bytes(data or b"")
