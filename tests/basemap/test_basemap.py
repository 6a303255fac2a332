"""The base map: the reference base map drawn from the database, and a bureau's own
package in MBTiles or PMTiles (raster here), each with ETags, 304 and 204."""

import gzip
import io
import sqlite3

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from gis_service.main import create_app
from gis_service.offline.tiles import lonlat_to_tile

# z10 tile over Dongsheng (109.99°E, 39.8°N)
Z, X, Y = 10, 824, 388


def test_reference_tilejson_tiles_and_labels(client, auth):
    h = auth("viewer")
    info = client.get("/basemap/tilejson.json", headers=h).json()
    assert info["source"] == "reference" and info["format"] == "pbf" and info["maxzoom"] == 14
    assert {layer["id"] for layer in info["vector_layers"]} == {"admin", "relief", "water", "place"}
    w, s, e, n = info["bounds"]
    assert w < 108 and e > 111 and s < 38 and n > 40.5  # Ordos and its neighbours
    r = client.get(f"/basemap/tiles/{Z}/{X}/{Y}", headers=h)
    assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    tile = mapbox_vector_tile.decode(r.content)
    names = {f["properties"]["name"] for f in tile["admin"]["features"]}
    assert "东胜区" in names and "内蒙古自治区" in names
    again = client.get(f"/basemap/tiles/{Z}/{X}/{Y}", headers={**h, "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/basemap/tiles/16/52700/24800", headers=h).status_code == 204  # beyond z14
    assert client.get("/basemap/tiles/3/9/1", headers=h).status_code == 400
    assert client.get(f"/basemap/tiles/{Z}/{X}/{Y}").status_code == 401
    labels = client.get("/basemap/labels.geojson", headers=h).json()
    assert labels["type"] == "FeatureCollection"
    places = [f for f in labels["features"] if f["properties"]["level"] != "river"]
    assert places and all(f["properties"]["located_by"] in ("register", "geonames") for f in places)
    # township seats are written from z8 with the rivers, villages from z11
    assert {f["properties"]["minzoom"] for f in places if f["properties"]["level"] == "township"} == {8}
    assert {f["properties"]["minzoom"] for f in places if f["properties"]["level"] != "township"} <= {11}


def _png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(out, format="PNG")
    return out.getvalue()


def _mbtiles(path):
    con = sqlite3.connect(path)
    con.executescript("""CREATE TABLE metadata (name text, value text);
        CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);""")
    con.executemany(
        "INSERT INTO metadata VALUES (?, ?)",
        [
            ("name", "imagery"),
            ("format", "png"),
            ("minzoom", "0"),
            ("maxzoom", "10"),
            ("bounds", "106.7,37.5,111.5,40.9"),
            ("attribution", "test"),
        ],
    )
    con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (Z, X, (1 << Z) - 1 - Y, _png((200, 10, 10))))
    con.commit()
    con.close()


def _pmtiles(path):
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    with open(path, "wb") as f:
        w = Writer(f)
        w.write_tile(zxy_to_tileid(Z, X, Y), _png((10, 200, 10)))
        w.finalize(
            {
                "tile_type": TileType.PNG,
                "tile_compression": Compression.NONE,
                "min_lon_e7": 1067000000,
                "min_lat_e7": 375000000,
                "max_lon_e7": 1115000000,
                "max_lat_e7": 409000000,
                "center_zoom": 8,
                "center_lon_e7": 1090000000,
                "center_lat_e7": 393000000,
            },
            {"name": "imagery-pm", "attribution": "test"},
        )


@pytest.mark.parametrize(
    "kind, make, colour", [("mbtiles", _mbtiles, (200, 10, 10)), ("pmtiles", _pmtiles, (10, 200, 10))]
)
def test_a_bureau_package_is_served(settings, prepared_db, tokens, tmp_path, kind, make, colour):
    path = tmp_path / f"imagery.{kind}"
    make(path)
    app = create_app(settings.model_copy(update={"basemap_file": path}))
    with TestClient(app) as c:
        h = {"Authorization": f"Bearer {tokens['inspector']}"}
        info = c.get("/basemap/tilejson.json", headers=h).json()
        assert info["source"] == "file" and info["format"] == "png" and "labels" not in info
        r = c.get(f"/basemap/tiles/{Z}/{X}/{Y}", headers=h)
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(r.content)).getpixel((5, 5)) == colour
        assert (
            c.get(
                f"/basemap/tiles/{Z}/{X}/{Y}", headers={**h, "If-None-Match": r.headers["etag"]}
            ).status_code
            == 304
        )
        assert c.get(f"/basemap/tiles/{Z}/{X + 1}/{Y}", headers=h).status_code == 204
        # an offline area lists the package's tiles with their ETags
        m = c.post(
            "/api/v1/offline-areas/manifest",
            headers=h,
            json={"kind": "bbox", "bbox": [109.9, 39.7, 110.1, 39.9], "max_zoom": 12},
        ).json()
        base = [(u, e) for u, e, layer in m["tiles"] if layer == "basemap"]
        assert base == [(f"http://testserver/basemap/tiles/{Z}/{X}/{Y}", r.headers["etag"])]


def test_a_missing_package_stops_the_start_with_its_name(settings, tmp_path):
    from gis_service.basemap.packages import PackageError

    with pytest.raises(PackageError, match="nothing.mbtiles"):
        create_app(settings.model_copy(update={"basemap_file": tmp_path / "nothing.mbtiles"}))
    bad = tmp_path / "bad.mbtiles"
    bad.write_bytes(gzip.compress(b"not sqlite"))
    with pytest.raises(PackageError):
        create_app(settings.model_copy(update={"basemap_file": bad}))


# The Yellow River: the river lines that run within this distance of Ordos' own outline
# (the city is bounded by the river on its west, north and east).
ALONG_THE_OUTLINE_M = 3000
YELLOW_RIVER = f"""
SELECT w.id, ST_Length(ST_Intersection(w.geom, z.band)::geography) AS along, ST_PointOnSurface(ST_Intersection(w.geom, z.band)) AS p
FROM reference_water w,
     (SELECT ST_SetSRID(ST_Buffer(ST_Boundary(geom)::geography, {ALONG_THE_OUTLINE_M})::geometry, 4490) AS band
      FROM admin_unit WHERE code = '150600' AND valid_to IS NULL) z
WHERE w.kind = 'river' AND w.geom && z.band
"""


def test_the_base_map_draws_the_yellow_river_and_the_lakes(client, auth, db):
    """Rivers and lakes come from GSHHG / World Data Bank II; the river lines along Ordos'
    outline add up to hundreds of kilometres and are named 黄河 after Natural Earth's
    centreline; the tiles over them carry the named river at z8, z12 and z14, with the
    hillshade at z8, and the labels write its name along its course."""
    rivers, lakes = db.execute(
        "SELECT count(*) FILTER (WHERE kind = 'river'), count(*) FILTER (WHERE kind = 'lake') FROM reference_water"
    ).fetchone()
    assert rivers > 20 and lakes >= 1
    (along,) = db.execute(f"SELECT sum(along) FROM ({YELLOW_RIVER}) r").fetchone()
    assert along > 300_000, along  # metres of river along the outline
    (named_along,) = db.execute(
        f"SELECT sum(along) FROM ({YELLOW_RIVER}) r JOIN reference_water w USING (id) WHERE w.name = '黄河'"
    ).fetchone()
    assert named_along > 0.8 * along, (named_along, along)
    lon, lat = db.execute(
        f"SELECT ST_X(p), ST_Y(p) FROM ({YELLOW_RIVER}) r ORDER BY along DESC LIMIT 1"
    ).fetchone()
    h = auth("viewer")
    for z in (8, 12, 14):  # z14 is the deepest: the map enlarges it beyond
        x, y = lonlat_to_tile(lon, lat, z)
        r = client.get(f"/basemap/tiles/{z}/{x}/{y}", headers=h)
        assert r.status_code == 200, (z, r.status_code)
        tile = mapbox_vector_tile.decode(r.content)
        water = tile.get("water", {}).get("features", [])
        assert any(f["properties"] == {"kind": "river", "name": "黄河"} for f in water), (z, water[:3])
        assert ("relief" in tile) == (z <= 10), z
    info = client.get("/basemap/tilejson.json", headers=h).json()
    assert (
        "GSHHG" in info["attribution"]
        and "Natural Earth" in info["attribution"]
        and "ETOPO" in info["attribution"]
    )
    labels = client.get("/basemap/labels.geojson", headers=h).json()["features"]
    yellow = [
        f
        for f in labels
        if f["properties"] == {"name": "黄河", "level": "river", "located_by": None, "minzoom": 8}
    ]
    assert len(yellow) >= 5  # one every half degree along its course around Ordos


def test_the_hillshade_shows_the_mountains_not_the_plain(db):
    """ETOPO 2022 relief: the Helan/Zhuozi ranges west of the Yellow River are shaded, the
    flat Hetao plain on the river's north bank is not."""
    counts = db.execute(
        "SELECT shade, count(*) FROM reference_relief GROUP BY shade ORDER BY shade"
    ).fetchall()
    assert [s for s, _ in counts] == [-2, -1, 1], counts

    def shaded(lon0, lat0, lon1, lat1) -> float:
        return db.execute(
            "SELECT coalesce(sum(ST_Area(ST_Intersection(geom, e))), 0) / ST_Area(e) FROM reference_relief,"
            " ST_MakeEnvelope(%s, %s, %s, %s, 4490) e WHERE geom && e GROUP BY e",
            (lon0, lat0, lon1, lat1),
        ).fetchone() or (0.0,)

    (mountains,) = shaded(106.6, 39.3, 107.0, 39.9)  # Zhuozi Shan, east of Wuhai
    (plain,) = shaded(107.4, 40.5, 108.0, 40.8)  # the Hetao irrigation plain
    assert mountains > 0.3 and plain < 0.1, (mountains, plain)
