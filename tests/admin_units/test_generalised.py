"""Unit polygons generalised per zoom: every level simplified together, so neighbours keep
their shared edges (no gap, no overlap) at every zoom, and zoomed-out tiles draw them."""

import asyncio
import math

import mapbox_vector_tile
import psycopg
import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import text

from gis_service.admin_units.generalise import LEVELS, ZOOMS, ensure_generalised, holes
from gis_service.catalogue.service import PIECES_FROM_ZOOM
from gis_service.core.db import standalone_session


def _level(db, level: str, zoom: int | None) -> dict[str, shapely.Geometry]:
    """The current polygons of `level`: as stored (zoom None) or as generalised for `zoom`."""
    if zoom is None:
        sql = "SELECT code, ST_AsBinary(geom) FROM admin_unit WHERE level = %s AND valid_to IS NULL AND geom IS NOT NULL"
        rows = db.execute(sql, (level,)).fetchall()
    else:
        sql = """SELECT g.code, ST_AsBinary(g.geom) FROM admin_unit_generalised g
                 JOIN admin_unit u ON u.code = g.code AND u.valid_to IS NULL
                 WHERE u.level = %s AND g.zoom = %s"""
        rows = db.execute(sql, (level, zoom)).fetchall()
    return {code: shapely.from_wkb(bytes(wkb)) for code, wkb in rows}


def test_every_zoom_drawn_from_whole_polygons_is_generalised():
    assert list(ZOOMS) == list(range(PIECES_FROM_ZOOM))


@pytest.mark.parametrize("level", LEVELS)
def test_every_unit_is_generalised_at_every_zoom(db, level):
    source = _level(db, level, None)
    assert source
    for zoom in ZOOMS:
        assert _level(db, level, zoom).keys() == source.keys(), zoom


@pytest.mark.parametrize("level", LEVELS)
def test_neighbours_keep_their_shared_edges_at_every_zoom(db, level):
    source = _level(db, level, None)
    codes = sorted(source)
    holes_before = holes([source[c] for c in codes])
    vertices = [sum(shapely.get_num_coordinates(g) for g in source.values())]
    for zoom in sorted(ZOOMS, reverse=True):
        simplified = _level(db, level, zoom)
        polygons = [simplified[c] for c in codes]
        # edge-matched and not overlapping: each shared edge is one line in both units
        assert shapely.coverage_is_valid(polygons), (level, zoom)
        # no gap opened: the union has no hole the source has not
        assert holes(polygons) <= holes_before, (level, zoom)
        assert all(p.is_valid and not p.is_empty for p in polygons), (level, zoom)
        vertices.append(sum(shapely.get_num_coordinates(p) for p in polygons))
    # each zoom out keeps fewer vertices, and the smallest zooms far fewer than the source
    assert vertices == sorted(vertices, reverse=True)
    assert vertices[-1] * 10 < vertices[0], vertices


def _tile(z: int, lon: float, lat: float) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


@pytest.mark.parametrize("z", [z for z in ZOOMS if z >= 3])
def test_zoomed_out_county_tiles_draw_the_generalised_outlines_without_gaps(client, auth, db, z):
    """Every tile over Ordos at zoom z, put side by side in one grid of tile units."""
    x0, y0, x1, y1 = db.execute(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e"
        " FROM admin_unit WHERE code LIKE '1506%%' AND level = 'county' AND valid_to IS NULL) s"
    ).fetchone()
    (tx0, ty0), (tx1, ty1) = _tile(z, x0, y1), _tile(z, x1, y0)
    generalised = _level(db, "county", z)
    pieces: dict[str, list] = {}
    for tx in range(tx0, tx1 + 1):
        for ty in range(ty0, ty1 + 1):
            r = client.get(f"/api/v1/layers/county_boundary/tiles/{z}/{tx}/{ty}", headers=auth("inspector"))
            assert r.status_code == 200
            tile = mapbox_vector_tile.decode(r.content, default_options={"y_coord_down": True})
            for f in tile.get("county_boundary", {}).get("features", []):  # none: outside all
                drawn = shape(f["geometry"])
                # drawn from the generalised outline: no more vertices than it has here
                assert (
                    shapely.get_num_coordinates(drawn)
                    <= shapely.get_num_coordinates(generalised[f["properties"]["code"]]) + 8
                )
                moved = shapely.transform(drawn, lambda c, tx=tx, ty=ty: c + [tx * 4096, ty * 4096])
                pieces.setdefault(f["properties"]["code"], []).append(moved.buffer(0))
    ordos = [shapely.union_all(p) for code, p in pieces.items() if code.startswith("1506")]
    assert len(ordos) == 9
    # in tile units the nine banners still close up: one area, without holes
    union = shapely.union_all(ordos)
    assert union.geom_type == "Polygon" and not union.interiors, (z, union.geom_type)


def test_a_changed_polygon_is_forgotten_then_generalised_again(settings, prepared_db):
    async def run():
        async with standalone_session(settings.as_owner()) as session:
            count = "SELECT count(*) FROM admin_unit_generalised WHERE code = '150602'"
            assert await session.scalar(text(count)) == len(ZOOMS)
            await session.execute(
                text("UPDATE admin_unit SET geom = geom WHERE code = '150602' AND valid_to IS NULL")
            )
            assert await session.scalar(text(count)) == 0  # drawn from its own polygon meanwhile
            done = await ensure_generalised(session)
            assert set(done) == {"county"} and done["county"]["clean_coverage"]
            assert await session.scalar(text(count)) == len(ZOOMS)
            await session.rollback()

    asyncio.run(run())
    with psycopg.connect(prepared_db) as con:
        kept = con.execute("SELECT count(*) FROM admin_unit_generalised WHERE code = '150602'").fetchone()
        assert kept[0] == len(ZOOMS)


def test_a_database_generalised_before_its_deepest_zoom_was_kept_gets_it_at_setup(settings, prepared_db):
    async def run():
        async with standalone_session(settings.as_owner()) as session:
            deepest = max(ZOOMS)
            at_deepest = "SELECT count(*) FROM admin_unit_generalised WHERE zoom = :z"
            kept = await session.scalar(text(at_deepest), {"z": deepest})
            await session.execute(text("DELETE FROM admin_unit_generalised WHERE zoom = :z"), {"z": deepest})
            done = await ensure_generalised(session)
            assert set(done) == set(LEVELS)
            assert await session.scalar(text(at_deepest), {"z": deepest}) == kept > 0
            await session.rollback()

    asyncio.run(run())
