"""Generic reads over any catalogue layer: GeoJSON items and Mapbox vector tiles.

Postgres builds the JSON and the tiles; Python only stitches pages together.
Identifiers come from validated declarations and are quoted; values are bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.catalogue.tile_grids import WEB_MERCATOR, Grid
from gis_service.core.db import STORAGE_SRID
from gis_service.core.errors import BadRequest
from gis_service.core.pg_pool import psycopg_placeholders
from gis_service.query.bbox import Bbox

GEOJSON_DECIMALS = 7  # ~1 cm
MVT_EXTENT = 4096


def q(name: str) -> str:
    """Quote an identifier (already validated as a plain lower-case name)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class OutputCrs:
    """How geometry is written: target SRID, whether axes are swapped to the authority
    order (lat/lon, northing/easting), and decimals."""

    srid: int = STORAGE_SRID
    flip: bool = False
    decimals: int = GEOJSON_DECIMALS


def _geometry_sql(column: str, out: OutputCrs) -> str:
    geom = f"t.{q(column)}"
    if out.srid != STORAGE_SRID:
        geom = f"ST_Transform({geom}, {int(out.srid)})"
    if out.flip:
        geom = f"ST_FlipCoordinates({geom})"
    # options 0: no per-geometry "crs" member (RFC 7946; the collection names the CRS)
    return f"coalesce(ST_AsGeoJSON({geom}, {int(out.decimals)}, 0), 'null')"


def _feature_sql(layer: LayerDeclaration, skip_geometry: bool, out: OutputCrs = OutputCrs()) -> str:
    """A feature's GeoJSON text. Written by joining texts rather than by json_build_object
    over the geometry's GeoJSON cast to json, which parsed every geometry again: a page of
    100 points costs the database 16% less."""
    names = [*layer.properties, *[c for c in layer.label_point or () if c not in layer.properties]]
    props = ", ".join(f"'{p}', t.{q(p)}" for p in names)
    geometry = (
        _geometry_sql(layer.geometry_column, out)
        if layer.has_geometry and not skip_geometry and layer.geometry_column
        else "'null'"
    )
    return (
        f"""'{{"type": "Feature", "id": ' || coalesce(to_json(t.{q(layer.id_column)})::text, 'null')"""
        f"""|| ', "geometry": ' || {geometry} || ', "properties": ' || json_build_object({props})::text || '}}'"""
    )


def units_condition(layer: LayerDeclaration) -> str | None:
    """SQL keeping the rows a caller limited to a unit reads (LayerDeclaration.read_by),
    or None. The prefix is digits only (the field's pattern), so it is written as a literal."""
    if layer.read_within is None or not layer.unit_columns:
        return None
    within = layer.read_within
    return "(" + " OR ".join(f"units_within(t.{q(c)}, '{within}')" for c in layer.unit_columns) + ")"


@dataclass(frozen=True)
class ItemsPage:
    features_json: str  # the page's features, comma-separated, as PostgreSQL wrote them
    returned: int
    next_key: str | None
    number_matched: int | None = None
    etag: str = ""  # W/"key" of the page as kept (catalogue/reads.py)

    @property
    def size(self) -> int:
        """About what the page holds in memory, for the page cache's bound."""
        return len(self.features_json) + 200


COUNT_CAP = 100_000  # above this, counting costs more than it tells a client


def refuse_bbox_without_geometry(layer: LayerDeclaration, area: Bbox | None) -> None:
    """A bbox cannot filter a layer without geometry: a clear 400, not every row."""
    if area is not None and not layer.has_geometry:
        raise BadRequest(
            f"Layer '{layer.id}' has no geometry, so bbox cannot filter it; filter by its properties.",
            f"图层“{layer.id}”没有几何，不能按 bbox 筛选，请按属性筛选。",
        )


def items_statement(
    *,
    layer: LayerDeclaration,
    area: Bbox | None,
    limit: int,
    after: str | None,
    filters: dict[str, str],
    skip_geometry: bool = False,
    out: OutputCrs = OutputCrs(),
    count: bool = False,
    condition: tuple[str, dict] | None = None,
) -> tuple[str, dict]:
    """The statement of one keyset page of features, ordered by the layer's id column (with
    `:name` placeholders), and its values: PostgreSQL writes the features, the next key and,
    with `count`, numberMatched. `area` is the bbox in its own CRS."""
    where, params = [], {"limit": limit + 1, "page": limit}
    refuse_bbox_without_geometry(layer, area)
    if area is not None:
        if area.lonlat_outline is None:
            env = f"ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, {STORAGE_SRID})"
            params.update(zip(("minx", "miny", "maxx", "maxy"), area.box, strict=True))
        else:
            # a projected box comes already in lon/lat (PROJ, as the database's transform):
            # with ST_Transform in the statement PostgreSQL planned it again for every box,
            # three times the cost of running it
            env = f"ST_GeomFromText(:outline, {STORAGE_SRID})"
            params["outline"] = area.lonlat_outline
        where.append(
            f"t.{q(layer.geometry_column)} && {env} AND ST_Intersects(t.{q(layer.geometry_column)}, {env})"
        )
    if (units := units_condition(layer)) is not None:
        where.append(units)
    if condition is not None:  # e.g. a CQL2 filter, already turned into SQL with bound values
        where.append(condition[0])
        params.update(condition[1])
    for i, (column, value) in enumerate(sorted(filters.items())):
        where.append(f"t.{q(column)}::text = :f{i}")
        params[f"f{i}"] = value
    all_pages = " AND ".join(where)
    if after is not None:
        where.append(f"t.{q(layer.id_column)}::text > :after")
        params["after"] = after
    filter_sql = " WHERE " + " AND ".join(where) if where else ""
    matched = "NULL::bigint"
    if count:
        count_where = f" WHERE {all_pages}" if all_pages else ""
        matched = (
            f"(SELECT count(*) FROM (SELECT 1 FROM {q(layer.source)} t{count_where} LIMIT {COUNT_CAP + 1}) s)"
        )
        if after is None:  # a first page that is also the last counts itself: no second scan
            matched = f"CASE WHEN count(*) > :page THEN {matched} ELSE count(*) END"
    sql = f"""
        WITH page AS (
            SELECT {_feature_sql(layer, skip_geometry, out)} AS feature,
                   t.{q(layer.id_column)}::text AS key
            FROM {q(layer.source)} t{filter_sql}
            ORDER BY t.{q(layer.id_column)}::text LIMIT :limit),
        numbered AS (SELECT feature, key, row_number() OVER (ORDER BY key) AS n FROM page)
        SELECT coalesce(string_agg(feature, ',' ORDER BY n) FILTER (WHERE n <= :page), ''),
               count(*) FILTER (WHERE n <= :page),
               max(key) FILTER (WHERE n = :page),
               count(*) > :page,
               {matched}
        FROM numbered"""
    return sql, params


async def items(conn, **query) -> ItemsPage:
    """One page of features (items_statement's arguments) in one statement on a plain
    connection (prepared after its second use, so it is planned once); numberMatched only
    while it stays under COUNT_CAP."""
    sql, params = items_statement(**query)
    cur = await conn.execute(psycopg_placeholders(sql), params)
    features, returned, last_key, more, n = await cur.fetchone()
    return ItemsPage(
        features, returned, last_key if more else None, n if n is None or n <= COUNT_CAP else None
    )


async def item(
    db_session: AsyncSession, *, layer: LayerDeclaration, feature_id: str, out: OutputCrs = OutputCrs()
) -> str | None:
    units = units_condition(layer)
    sql = (
        f"SELECT {_feature_sql(layer, False, out)} FROM {q(layer.source)} t"
        f" WHERE t.{q(layer.id_column)}::text = :fid{f' AND {units}' if units else ''} LIMIT 1"
    )
    return await db_session.scalar(text(sql), {"fid": feature_id})


# Extents by layer (and the unit it is read within), with the data version they were
# computed at. ST_Extent reads the whole table (seconds on a million rows), so it runs
# again only after a write to one of the layer's tables (or in another database); each
# worker process keeps its own copy.
_EXTENTS: dict[tuple[str, str | None], tuple[str, Extent]] = {}


def rfc3339(value: date | datetime) -> str:
    """A date as the start of its day, a time in UTC: how OGC API writes instants."""
    if not isinstance(value, datetime):
        return f"{value.isoformat()}T00:00:00Z"
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Extent:
    bbox: list[float] | None  # lon/lat, or None without geometry
    interval: list[str | None] | None  # first and last value of the temporal property


async def extent(db_session: AsyncSession, *, layer: LayerDeclaration) -> Extent:
    """The layer's bounding box in lon/lat and, when it has a temporal property, its time span."""
    if not layer.geometry_column and not layer.temporal_property:
        return Extent(None, None)
    version = await db_session.scalar(
        text(
            "SELECT string_agg(table_name || ':' || version, ',' ORDER BY table_name) FROM data_versions(:t)"
        ),
        {"t": layer.depends_on or [layer.source]},
    )
    key = f"{db_session.bind.url}|{layer.fingerprint}|{version}"
    cached = _EXTENTS.get((layer.id, layer.read_within))
    if cached and cached[0] == key:
        return cached[1]
    box = f"ST_Extent(t.{q(layer.geometry_column)})" if layer.geometry_column else "NULL::box2d"
    col = f"t.{q(layer.temporal_property)}" if layer.temporal_property else "NULL::date"
    units = f" WHERE {u}" if (u := units_condition(layer)) else ""
    row = (
        await db_session.execute(
            text(
                f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), t0, t1 FROM"
                f" (SELECT {box} AS e, min({col}) AS t0, max({col}) AS t1 FROM {q(layer.source)} t{units}) s"
            )
        )
    ).one()
    bbox = None if row[0] is None else [round(v, 6) for v in row[:4]]
    interval = [rfc3339(row[4]), rfc3339(row[5])] if row[4] is not None else None
    found = Extent(bbox, interval)
    _EXTENTS[layer.id, layer.read_within] = (key, found)
    return found


# Below it a tile is drawn from whole polygons (generalised where that is kept, clipped
# to the tile before the transform); from it on, from the stored pieces the tile touches.
# At z9 an Ordos county drawn from its z9 generalisation cost 2.4 ms a tile, from its
# pieces 8.5 ms: joining the clipped pieces again is the dear part.
PIECES_FROM_ZOOM = 10


def query_envelope(margin: float | str, srid: int) -> str:
    """SQL for the box a tile's rows are looked up in: the tile with its margin, cut to the
    world first. A margin past the antimeridian would otherwise wrap on transformation
    (z1 tile 1/1/0 became lon -176..-4, and the tiles over China at z1-z2 came out empty)."""
    return (
        f"ST_Transform(ST_Intersection(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => {margin}),"
        f" ST_TileEnvelope(0, 0, 0)), {srid})"
    )


def pieces_in_tile(pieces: str, key: str, outer_key: str, envelope: str) -> str:
    """SQL for a polygon drawn from its pieces (table `pieces`, keyed by `key` equal to
    `outer_key`) that touch `envelope`, clipped to it and joined again: no seams, and the
    cost follows the tile, not the whole polygon."""
    return f"""(SELECT ST_Union(ST_Intersection(p.geom, {envelope})) FROM {q(pieces)} p
               WHERE p.{q(key)} = {outer_key} AND p.geom && {envelope})"""


def generalised_for_zoom(table: str, key: str, outer_key: str, zoom: str = "%(zoom)s") -> str:
    """SQL for a polygon as generalised for the tile's zoom (table `table`, keyed by `key`
    equal to `outer_key`, one row per zoom below PIECES_FROM_ZOOM); NULL if not kept."""
    return f"""(SELECT g.geom FROM {q(table)} g
               WHERE g.{q(key)} = {outer_key} AND g.zoom = {zoom})"""


def _tile_bounds_sql(grid: Grid, margin: float) -> tuple[str, str, bool]:
    """SQL for a tile's envelope, the box its rows are looked up in, and whether geometry
    must be transformed (only for Web Mercator: the geographic grid is the stored CRS)."""
    if grid.srid == 3857:
        return "ST_TileEnvelope(%(z)s, %(x)s, %(y)s)", query_envelope(margin, STORAGE_SRID), True
    env = "ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, 4490)"
    grown = "ST_Expand(" + env + ", %(pad)s)"
    return env, f"ST_Intersection({grown}, ST_MakeEnvelope(-180, -90, 180, 90, 4490))", False


async def tile(conn, *, layer: LayerDeclaration, z: int, x: int, y: int, grid: Grid = WEB_MERCATOR) -> bytes:
    """A Mapbox vector tile of one layer: tile matrix z, column x, row y of `grid`.

    The query envelope is grown by the tile buffer so that shapes crossing the tile
    edge are drawn without seams; tiles below the layer's min zoom are empty so a
    zoomed-out map cannot make the database read a whole large layer.
    """
    zoom = z + grid.zoom_offset
    if zoom < layer.min_zoom or zoom > layer.max_zoom or not layer.geometry_column:
        return b""
    geom = f"t.{q(layer.geometry_column)}"
    columns = [layer.id_column, *[p for p in layer.properties if p != layer.id_column]]
    props = ", ".join(f"t.{q(c)}" for c in columns)
    margin = layer.tile_buffer / MVT_EXTENT
    envelope, lookup, transform = _tile_bounds_sql(grid, margin)
    drawn = geom
    if layer.tile_pieces:
        pieces = pieces_in_tile(layer.tile_pieces, layer.id_column, f"t.{q(layer.id_column)}", "bounds.qenv")
        # Zoomed out, whole polygons are drawn: generalised with their neighbours for this
        # zoom where that is kept, else snapped to a grid finer than the tile's own (a
        # quarter of a tile unit) before the costly transform; the same vertex always snaps
        # to the same point, so neighbours keep their shared edges either way.
        whole = f"ST_SnapToGrid({geom}, %(cell)s)"
        if layer.tile_generalised:
            key = f"t.{q(layer.id_column)}"
            whole = f"COALESCE({generalised_for_zoom(layer.tile_generalised, layer.id_column, key)}, {whole})"
        # only the part in the tile and its margin is transformed; ST_AsMVTGeom clips again
        # and makes the result valid, so the box clip's possible slivers never reach a client
        whole = f"ST_ClipByBox2D({whole}, bounds.qenv)"
        drawn = f"CASE WHEN %(zoom)s < {PIECES_FROM_ZOOM} THEN {whole} ELSE {pieces} END"
    elif "Point" not in layer.geometry_type:
        # Lines and areas of any size cost the transform of their vertices in this tile's
        # resolution only: snapped to a quarter tile unit first (a long surveyed line at a
        # low zoom keeps a few hundred of its vertices, invisibly).
        drawn = f"ST_SnapToGrid({geom}, %(cell)s)"
    if transform:
        drawn = f"t.{q(layer.mercator_column)}" if layer.mercator_column else f"ST_Transform({drawn}, 3857)"
    units = f" AND {u}" if (u := units_condition(layer)) else ""
    sql = f"""
        WITH bounds AS (
            SELECT {envelope} AS env, {lookup} AS qenv
        ), rows AS (
            SELECT ST_AsMVTGeom({drawn}, bounds.env, {MVT_EXTENT},
                                {layer.tile_buffer}, true) AS mvt_geom, {props}
            FROM {q(layer.source)} t, bounds
            WHERE {geom} && bounds.qenv{units}
            LIMIT {layer.tile_feature_limit}
        )
        SELECT ST_AsMVT(rows.*, %(layer_name)s, {MVT_EXTENT}, 'mvt_geom') FROM rows
        WHERE rows.mvt_geom IS NOT NULL
    """
    x0, y0, x1, y1 = grid.bounds(z, y, x)
    params = {"z": z, "x": x, "y": y, "zoom": zoom, "layer_name": layer.id}
    params |= {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "pad": (x1 - x0) * margin}
    # degrees per tile unit, across (Web Mercator tiles are 360 / 2^z degrees wide)
    params["cell"] = (360 / 2**zoom if transform else x1 - x0) / MVT_EXTENT / 4
    cur = await conn.execute(sql, params)
    row = await cur.fetchone()
    return bytes(row[0] or b"") if row else b""


JSON_TYPES = {
    "integer": "integer",
    "bigint": "integer",
    "smallint": "integer",
    "numeric": "number",
    "double precision": "number",
    "real": "number",
    "boolean": "boolean",
    "date": "string",
    "timestamp with time zone": "string",
    "ARRAY": "array",
}


@dataclass(frozen=True)
class Column:
    """What the database says about one column: its type, whether it may be empty, and
    whether it fills itself when left out."""

    sql_type: str
    nullable: bool = True
    has_default: bool = False
    max_length: int | None = None


_COLUMNS: dict[tuple[str, str], tuple[str, dict[str, Column]]] = {}


async def table_columns(pool, *, layer: LayerDeclaration, table: str) -> dict[str, Column]:
    """The columns of `table` (the layer's source or its edit table), cached per declaration."""
    key = (layer.id, table)
    cached = _COLUMNS.get(key)
    if cached and cached[0] == layer.fingerprint:
        return cached[1]
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT column_name, data_type, is_nullable = 'YES', column_default IS NOT NULL"
            "       OR is_identity = 'YES', character_maximum_length"
            " FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s",
            (table,),
        )
        found = {name: Column(*rest) for name, *rest in await cur.fetchall()}
    _COLUMNS[key] = (layer.fingerprint, found)
    return found


async def sql_types(pool, *, layer: LayerDeclaration) -> dict[str, str]:
    """The database type of each of the layer's columns."""
    columns = await table_columns(pool, layer=layer, table=layer.source)
    return {name: c.sql_type for name, c in columns.items()}
