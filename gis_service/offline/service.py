"""The manifest of an offline area: what lies in it and what a phone must download to
work there without signal, each entry with an ETag so that a refresh moves only what
changed, and an estimate of the download's size before it starts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth.models import AppUser
from gis_service.basemap import reference
from gis_service.basemap.packages import MBTiles, PMTiles
from gis_service.catalogue import service as catalogue_service
from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.catalogue.tile_cache import key_for, layer_versions, table_versions
from gis_service.core.errors import BadRequest, NotFound
from gis_service.core.pg_pool import psycopg_placeholders
from gis_service.offline import records
from gis_service.offline.schemas import AreaSpec
from gis_service.offline.tiles import TileId, covering, estimated_tiles

LINE_BUFFER_M = 1000  # a line's area: what an inspector walking it sees on either side
THUMB_BYTES = 20_000  # a 320-px JPEG thumbnail, roughly
SAMPLE_TILES_PER_ZOOM = 3  # tiles rendered per layer and zoom to estimate its size
SAMPLE_RECORDS = 10  # records built per kind to estimate their size
# What a browser stores beside each tile: its key, ETag and type in IndexedDB (Chromium,
# measured: 50-100 bytes a tile). IndexedDB compresses what it holds: records take about
# this share of their JSON size (both measured by scripts/bench_offline, which reports
# the size told against the storage used; tiles compress less, and are counted whole).
STORED_ENTRY_BYTES = 50
STORED_RECORD_SHARE = 0.25
MANIFEST_STATEMENT_TIMEOUT = "20s"  # no query of a manifest holds a connection longer

AREA_SQL = {
    "line": f"""SELECT ST_SetSRID(ST_Buffer(geom::geography, {LINE_BUFFER_M})::geometry, 4490) FROM boundary_line
                WHERE code = :code AND valid_to IS NULL""",
    "banner": """SELECT geom FROM admin_unit WHERE code = :code AND level IN ('county', 'city') AND valid_to IS NULL""",
    "bbox": "SELECT ST_MakeEnvelope(:w, :s, :e, :n, 4490)",
}
NAME_SQL = {
    "line": "SELECT name FROM boundary_line WHERE code = :code AND valid_to IS NULL",
    "banner": "SELECT name FROM admin_unit WHERE code = :code AND level IN ('county', 'city') AND valid_to IS NULL",
}


@dataclass
class Area:
    spec: AreaSpec
    name: str
    bbox: tuple[float, float, float, float]
    # size and outline in EPSG:3857 units, which is what counting tiles needs
    area_m2: float = 0.0
    perimeter_m: float = 0.0

    @property
    def params(self) -> dict:
        if self.spec.kind == "bbox":
            w, s, e, n = self.spec.bbox
            return {"w": w, "s": s, "e": e, "n": n}
        return {"code": self.spec.code}

    @property
    def sql(self) -> str:
        return AREA_SQL[self.spec.kind]


async def resolve(db_session: AsyncSession, spec: AreaSpec) -> Area:
    """The area's name, bounding box, size and outline; 404 for an unknown line or banner."""
    area = Area(spec, "", (0, 0, 0, 0))
    row = (
        await db_session.execute(
            text(
                "SELECT ST_XMin(g), ST_YMin(g), ST_XMax(g), ST_YMax(g),"
                " ST_Area(ST_Transform(g, 3857)), ST_Perimeter(ST_Transform(g, 3857))"
                f" FROM ({area.sql}) a(g)"
            ),
            area.params,
        )
    ).first()
    if row is None or row[0] is None:
        what = {"line": ("boundary line", "界线"), "banner": ("banner or district", "旗区")}[spec.kind]
        raise NotFound(f"No {what[0]} '{spec.code}'.", f"{what[1]}“{spec.code}”不存在。")
    area.bbox = tuple(float(v) for v in row[:4])
    area.area_m2, area.perimeter_m = float(row[4]), float(row[5])
    if spec.kind == "bbox":
        w, s, e, n = spec.bbox
        area.name = f"{w:.3f},{s:.3f} – {e:.3f},{n:.3f}"
    else:
        area.name = await db_session.scalar(text(NAME_SQL[spec.kind]), area.params)
    return area


class AreaTooLarge(BadRequest):
    code = "area_too_large"

    def __init__(self, estimate: int, max_tiles: int, zoom: int, fits: int | None, kind: str) -> None:
        lower = f"max_zoom {fits}" if fits is not None and fits >= 8 else "a smaller area"
        smaller = " or one boundary line instead of a banner" if kind == "banner" else ""
        super().__init__(
            f"The area needs about {estimate:,} tiles to zoom {zoom}; at most {max_tiles:,} are prepared "
            f"at once. Choose {lower}{smaller}.",
            f"该区域到第 {zoom} 级约需 {estimate:,} 个切片，一次最多准备 {max_tiles:,} 个。"
            f"请选择{'最大级别 ' + str(fits) if fits is not None and fits >= 8 else '较小的范围'}"
            f"{'，或改为下载一条界线' if kind == 'banner' else ''}。",
        )
        self.estimate, self.max_tiles, self.fits = estimate, max_tiles, fits

    def body(self) -> dict:
        return super().body() | {
            "estimated_tiles": self.estimate,
            "max_tiles": self.max_tiles,
            "suggested_max_zoom": self.fits,
        }


def _refuse_if_too_large(area: Area, zoom: int, max_tiles: int) -> None:
    """Count cheaply first: the area's size and outline say how many tiles it needs."""
    counts = estimated_tiles(area.area_m2, area.perimeter_m, area.bbox, zoom)
    if sum(counts) <= max_tiles:
        return
    fits = max((z for z in range(len(counts)) if sum(counts[: z + 1]) <= max_tiles), default=None)
    raise AreaTooLarge(sum(counts), max_tiles, zoom, fits, area.spec.kind)


async def _layer_tiles(conn, layer: LayerDeclaration, tiles: list[TileId]) -> list[TileId]:
    """The tiles of `tiles` in which the layer has something to draw."""
    if not tiles:
        return []
    cur = await conn.execute(
        f"""SELECT c.z, c.x, c.y FROM unnest(%(z)s::int[], %(x)s::int[], %(y)s::int[]) AS c(z, x, y)
            WHERE EXISTS (SELECT 1 FROM {catalogue_service.q(layer.source)} t
                          WHERE t.{catalogue_service.q(layer.geometry_column)}
                                && ST_Transform(ST_TileEnvelope(c.z, c.x, c.y), 4490))""",
        {"z": [t[0] for t in tiles], "x": [t[1] for t in tiles], "y": [t[2] for t in tiles]},
    )
    return [tuple(r) for r in await cur.fetchall()]


def _spread(items: list, n: int) -> list:
    """At most `n` of the items, spread evenly over them (a sample across the area)."""
    return items[:: max(1, len(items) // n)][:n]


async def _sampled_bytes(tiles: list[TileId], render) -> int:
    """The tiles in bytes: at each zoom, the mean of a few rendered (`render(z, x, y)`),
    spread across the area, times that zoom's count (tile sizes differ by zoom)."""
    by_zoom: dict[int, list[TileId]] = {}
    for t in tiles:
        by_zoom.setdefault(t[0], []).append(t)
    total = 0.0
    for zoom_tiles in by_zoom.values():
        ordered = sorted(zoom_tiles)
        sample = _spread(ordered, SAMPLE_TILES_PER_ZOOM)
        sizes = [len(await render(*t)) for t in sample]
        total += sum(sizes) / len(sizes) * len(zoom_tiles)
    return round(total)


async def _record_bytes(db_session: AsyncSession, keys: list[str]) -> int:
    """The area's records in bytes, with their photo thumbnails: per kind, the mean of a
    few built as the phone gets them, times how many there are (a grave's record is far
    smaller than a marker's, and most records have no photo)."""
    total = 0.0
    for kind, codes in keys_by_kind(keys).items():
        if not codes:
            continue
        sample = _spread(codes, SAMPLE_RECORDS)
        built = await records.build(
            db_session, {**{k: [] for k in ("marker", "sign", "grave")}, kind: sample}
        )
        sizes = [len(orjson.dumps(v)) + len(v.get("thumbs") or []) * THUMB_BYTES for v in built.values()]
        total += (sum(sizes) / len(sizes) if sizes else 0) * len(codes)
    return round(total)


def tile_url(base: str, layer_id: str, z: int, x: int, y: int) -> str:
    return f"{base}/api/v1/layers/{layer_id}/tiles/{z}/{x}/{y}"


async def _layer_entries(conn, layers: list[LayerDeclaration], cover, deepest: int, base: str):
    """([url, etag, layer] of each layer's tiles over the area, their bytes estimated)."""
    entries: list[list] = []
    estimated = 0
    for layer in layers:
        wanted = [
            t
            for z in range(layer.min_zoom, min(layer.native_max_zoom, deepest) + 1)
            for t in cover.get(z, [])
        ]
        found = await _layer_tiles(conn, layer, wanted)
        versions = await layer_versions(conn, layer)
        entries += [
            [tile_url(base, layer.id, *t), f'"{key_for(layer, versions, *t)}"', layer.id] for t in found
        ]
        estimated += await _sampled_bytes(
            found, lambda z, x, y, layer=layer: catalogue_service.tile(conn, layer=layer, z=z, x=x, y=y)
        )
    return entries, estimated


async def _basemap_entries(conn, basemap: MBTiles | PMTiles | None, cover, basemap_max: int, base: str):
    """The base map's tiles over the area (a package's where it holds one, else the
    reference base map's), their bytes estimated."""
    base_tiles = [t for z in range(0, basemap_max + 1) for t in cover.get(z, [])]
    if basemap is None:
        versions = await table_versions(conn, reference.TABLES)
        etags = [f'"{reference.tile_key(versions, *t)}"' for t in base_tiles]
        estimated = await _sampled_bytes(base_tiles, lambda z, x, y: reference.tile(conn, z, x, y))
    else:
        etags = [(tile.etag if (tile := basemap.tile(*t)) else None) for t in base_tiles]
        estimated = basemap.sizes(base_tiles)
    entries = [
        [f"{base}/basemap/tiles/{z}/{x}/{y}", etag, "basemap"]
        for (z, x, y), etag in zip(base_tiles, etags, strict=True)
        if etag is not None
    ]
    return entries, estimated


async def manifest(
    db_session: AsyncSession,
    pool,
    *,
    spec: AreaSpec,
    layers: list[LayerDeclaration],
    basemap: MBTiles | PMTiles | None,
    may_read_graves: bool,
    user: AppUser,
    max_tiles: int,
    base: str,
    within: str | None = None,
) -> dict:
    """Everything the area needs offline, with ETags and the expected download size; tiles
    are listed at their public address (`base`, from PUBLIC_URL). An area that would need
    more than `max_tiles` tiles is refused before any is listed."""
    area = await resolve(db_session, spec)
    area_sql, params = psycopg_placeholders(area.sql), area.params
    deepest = spec.zoom
    basemap_max = min(deepest, basemap.info.maxzoom if basemap else reference.MAX_ZOOM)
    vector_max = min(deepest, max((lay.native_max_zoom for lay in layers), default=0))
    _refuse_if_too_large(area, max(basemap_max, vector_max), max_tiles)
    async with pool.connection() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL statement_timeout = '{MANIFEST_STATEMENT_TIMEOUT}'")
        cover = await covering(conn, area_sql, params, area.bbox, max(basemap_max, vector_max))
        entries, tile_bytes = await _layer_entries(conn, layers, cover, deepest, base)
        base_entries, base_bytes = await _basemap_entries(conn, basemap, cover, basemap_max, base)
    entries += base_entries
    tile_bytes += base_bytes
    etags = await records.area_etags(
        db_session,
        kind=spec.kind,
        area_sql=area.sql,
        params=area.params,
        graves=may_read_graves,
        within=within,
    )
    by_kind: dict[str, int] = {}
    for key in etags:
        by_kind[key.split(":", 1)[0]] = by_kind.get(key.split(":", 1)[0], 0) + 1
    record_bytes = await _record_bytes(db_session, sorted(etags))
    stored_overhead = len(entries) * STORED_ENTRY_BYTES
    estimated = tile_bytes + round(record_bytes * STORED_RECORD_SHARE) + stored_overhead
    version = hashlib.blake2b(
        repr((sorted(etags.items()), [e[1] for e in entries])).encode(), digest_size=12
    ).hexdigest()
    return {
        "area": {
            "kind": spec.kind,
            "code": spec.code,
            "bbox": list(area.bbox),
            "name": area.name,
            "max_zoom": deepest,
        },
        "etag": f'"{version}"',
        "tiles": entries,
        "records": sorted([k, v] for k, v in etags.items()),
        "counts": {"tiles": len(entries), "records": by_kind},
        "estimated_bytes": estimated,
        # the parts of it: the tiles and records themselves, and what the browser adds
        "estimate": {
            "tile_bytes": tile_bytes,
            "record_bytes": record_bytes,
            "stored_overhead_bytes": stored_overhead,
        },
        "for_user": user.username,
    }


def keys_by_kind(keys: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"marker": [], "sign": [], "grave": []}
    for key in keys:
        kind, code = key.split(":", 1)
        out[kind].append(code)
    return out


async def fetch_records(
    db_session: AsyncSession, *, keys: list[str], may_read_graves: bool, within: str | None = None
) -> dict:
    """The named records with their ETags; keys that no longer exist (or, `within` a unit,
    lie outside it) are listed as gone."""
    wanted = keys_by_kind(keys)
    if not may_read_graves:
        wanted["grave"] = []
    etags = await records.etags_of(db_session, wanted, within)
    built = await records.build(db_session, keys_by_kind(list(etags)))
    return {
        "records": [{"key": k, "etag": etags[k], "data": v} for k, v in built.items()],
        "gone": [k for k in keys if k not in built],
    }
