"""OGC API - Tiles: tile matrix sets (Web Mercator and the CGCS2000 geographic quad),
each collection's tilesets, dataset tiles of every readable layer, and tiles addressed
as the standard says: {tileMatrix}/{tileRow}/{tileCol}, row before column."""

import math

import mapbox_vector_tile
import pytest

from gis_service.catalogue.tile_grids import CGCS2000_QUAD, WEB_MERCATOR

EXTENT = 4096


def _web_mercator_tile(lon, lat, z):
    n = 2**z
    col = int((lon + 180) / 360 * n)
    row = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return row, col


def _geographic_tile(lon, lat, m):
    span = 180 / 2**m
    return int((90 - lat) / span), int((lon + 180) / span)


def _to_grid(grid, lon, lat):
    if grid is CGCS2000_QUAD:
        return lon, lat
    from pyproj import Transformer

    return Transformer.from_crs(4490, 3857, always_xy=True).transform(lon, lat)


def test_conformance_and_links_declare_tiles(client, auth):
    conf = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core" in conf
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt" in conf
    rels = {x["rel"] for x in client.get("/ogc").json()["links"]}
    assert "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes" in rels
    col = client.get("/ogc/collections/boundary_marker", headers=auth("viewer")).json()
    assert any(x["rel"].endswith("/tilesets-vector") for x in col["links"])


def test_tile_matrix_sets(client):
    listed = client.get("/ogc/tileMatrixSets").json()["tileMatrixSets"]
    assert [x["id"] for x in listed] == ["WebMercatorQuad", "CGCS2000Quad"]
    wm = client.get("/ogc/tileMatrixSets/WebMercatorQuad").json()
    assert wm["crs"].endswith("/EPSG/0/3857") and wm["tileMatrices"][0]["matrixWidth"] == 1
    assert wm["tileMatrices"][0]["scaleDenominator"] == pytest.approx(559082264.0287178)
    geo = client.get("/ogc/tileMatrixSets/CGCS2000Quad").json()
    assert geo["crs"].endswith("/EPSG/0/4490") and geo["orderedAxes"] == ["Lat", "Lon"]
    m0 = geo["tileMatrices"][0]
    assert (m0["matrixWidth"], m0["matrixHeight"], m0["pointOfOrigin"]) == (2, 1, [90, -180])
    assert client.get("/ogc/tileMatrixSets/WorldCRS84Quad").status_code == 404


def test_a_collections_tilesets(client, auth):
    h = auth("viewer")
    sets = client.get("/ogc/collections/boundary_marker/tiles", headers=h).json()["tilesets"]
    assert {s["crs"] for s in sets} == {WEB_MERCATOR.crs, CGCS2000_QUAD.crs}
    meta = client.get("/ogc/collections/boundary_marker/tiles/WebMercatorQuad", headers=h).json()
    item = next(x for x in meta["links"] if x["rel"] == "item")
    assert item["href"].endswith("/boundary_marker/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}")
    assert meta["layers"][0]["id"] == "boundary_marker" and meta["layers"][0]["geometryDimension"] == 0
    assert client.get("/ogc/collections/township_unit/tiles", headers=h).status_code == 404
    assert client.get("/ogc/collections/grave/tiles", headers=h).status_code in (403, 404)


@pytest.mark.parametrize("grid", [WEB_MERCATOR, CGCS2000_QUAD], ids=lambda g: g.id)
@pytest.mark.parametrize(
    ("layer", "table", "role"),
    # graves are drawn from their stored Web Mercator position (mercator_column)
    [("boundary_marker", "boundary_marker", "viewer"), ("grave", "grave", "planner")],
)
def test_a_known_tile_holds_the_features_inside_its_bounds(client, auth, db, grid, layer, table, role):
    """Fetched by {tileMatrix}/{tileRow}/{tileCol}: every point drawn in the tile lies in
    that tile's bounds (within the drawing buffer), at the place the database has it."""
    lon, lat = db.execute(f"SELECT ST_X(geom), ST_Y(geom) FROM {table} ORDER BY code LIMIT 1").fetchone()
    m = 12 if grid is WEB_MERCATOR else 11
    row, col = (_web_mercator_tile if grid is WEB_MERCATOR else _geographic_tile)(lon, lat, m)
    r = client.get(f"/ogc/collections/{layer}/tiles/{grid.id}/{m}/{row}/{col}", headers=auth(role))
    assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    features = mapbox_vector_tile.decode(r.content, default_options={"y_coord_down": True})[layer]["features"]
    x0, y0, x1, y1 = grid.bounds(m, row, col)
    where = dict(
        db.execute(
            f"SELECT code, ARRAY[ST_X(geom), ST_Y(geom)] FROM {table} WHERE code = ANY(%s)",
            ([f["properties"]["code"] for f in features],),
        ).fetchall()
    )
    assert len(where) == len(features) >= 1
    buffer = 64 / EXTENT * (x1 - x0)
    for f in features:
        x, y = _to_grid(grid, *where[f["properties"]["code"]])
        assert x0 - buffer <= x <= x1 + buffer and y0 - buffer <= y <= y1 + buffer
        px, py = f["geometry"]["coordinates"]
        assert px == pytest.approx((x - x0) / (x1 - x0) * EXTENT, abs=1.5)
        assert py == pytest.approx((y1 - y) / (y1 - y0) * EXTENT, abs=1.5)


def test_row_comes_before_column(client, auth):
    """The OGC template and the map's XYZ route name the same tile in opposite orders."""
    h = auth("viewer")
    ogc = client.get("/ogc/collections/county_boundary/tiles/WebMercatorQuad/6/24/51", headers=h)
    xyz = client.get("/api/v1/layers/county_boundary/tiles/6/51/24", headers=h)
    assert ogc.content == xyz.content and len(ogc.content) > 0
    swapped = client.get("/ogc/collections/county_boundary/tiles/WebMercatorQuad/6/51/24", headers=h)
    assert swapped.status_code == 200 and swapped.content != ogc.content


def test_a_dataset_tile_holds_every_layer_the_caller_may_read(client, auth):
    row, col = _geographic_tile(109.8, 39.6, 9)
    url = f"/ogc/tiles/CGCS2000Quad/9/{row}/{col}"
    planner = mapbox_vector_tile.decode(client.get(url, headers=auth("planner")).content)
    viewer = mapbox_vector_tile.decode(client.get(url, headers=auth("viewer")).content)
    assert {"county_boundary", "boundary_marker"} <= set(viewer) and len(viewer) >= 3
    assert "grave" in planner and "grave" not in viewer  # graves are the planners' layer
    sets = client.get("/ogc/tiles", headers=auth("viewer")).json()["tilesets"]
    assert len(sets) == 2
    meta = client.get("/ogc/tiles/WebMercatorQuad", headers=auth("viewer")).json()
    assert "grave" not in {x["id"] for x in meta["layers"]}
    assert client.get(url).status_code == 401
    assert client.get("/ogc/tiles/CGCS2000Quad/9/512/0", headers=auth("viewer")).status_code == 400
