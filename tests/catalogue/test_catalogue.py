"""Endpoints generated from the layer catalogue: list, items, feature, tiles."""

import shutil
import time
from urllib.parse import urlsplit

import mapbox_vector_tile
import pytest

from gis_service.catalogue.declarations import Catalogue, LayerDeclaration, load_declarations
from gis_service.core.settings import PROJECT_ROOT, Settings
from gis_service.main import create_app
from tests.catalogue.layer_ids import LAYER_IDS, layers_for

ITEMS = "/api/v1/layers/{}/items"


def test_layer_list_comes_from_the_catalogue(client, auth):
    r = client.get("/api/v1/layers", headers=auth("viewer"))
    ids = [layer["id"] for layer in r.json()["layers"]]
    assert ids == layers_for("viewer")
    planner = client.get("/api/v1/layers", headers=auth("planner")).json()["layers"]
    assert [layer["id"] for layer in planner] == layers_for("planner") == LAYER_IDS
    county = r.json()["layers"][2]
    assert county["geometry_type"] == "MultiPolygon" and county["style"]["color"]
    assert county["links"]["tiles"].endswith("/api/v1/layers/county_boundary/tiles/{z}/{x}/{y}")
    assert "source" not in county and county["editable"] is False


def test_reads_need_a_signed_in_user(client):
    assert client.get("/api/v1/layers").status_code == 401
    assert client.get(ITEMS.format("county_boundary")).status_code == 401
    assert client.get("/api/v1/layers/county_boundary/tiles/0/0/0").status_code == 401


def test_paging_through_next_links_returns_every_row_once(client, auth, db):
    url, seen = ITEMS.format("county_boundary") + "?limit=7", []
    while url:
        body = client.get(url, headers=auth("viewer")).json()
        seen += [f["id"] for f in body["features"]]
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
        url = (lambda u: f"{u.path}?{u.query}")(urlsplit(nxt[0])) if nxt else None
    assert len(seen) == len(set(seen)) == db.execute("SELECT count(*) FROM county_boundary").fetchone()[0]


def test_bbox_and_property_filters(client, auth):
    # A small box around Kangbashi's new town.
    r = client.get(
        ITEMS.format("county_boundary"), params={"bbox": "109.84,39.63,109.855,39.64"}, headers=auth("viewer")
    )
    assert [f["id"] for f in r.json()["features"]] == ["150603"]
    r = client.get(
        ITEMS.format("county_boundary"),
        params={"parent_code": "150600", "skip_geometry": "true"},
        headers=auth("viewer"),
    )
    features = r.json()["features"]
    assert len(features) == 9 and all(f["geometry"] is None for f in features)
    assert all({"label_lon", "label_lat"} <= set(f["properties"]) for f in features)


def test_feature_by_id(client, auth):
    r = client.get(ITEMS.format("city_boundary") + "/150600", headers=auth("planner"))
    assert r.status_code == 200 and r.json()["properties"]["name"] == "鄂尔多斯市"
    assert r.headers["content-type"].startswith("application/geo+json")
    assert client.get(ITEMS.format("city_boundary") + "/000000", headers=auth("planner")).status_code == 404


def test_township_layer_is_a_list_without_geometry(client, auth):
    r = client.get(ITEMS.format("township_unit"), params={"limit": 1000}, headers=auth("viewer"))
    features = r.json()["features"]
    assert len(features) == 88 and all(f["geometry"] is None for f in features)
    assert client.get("/api/v1/layers/township_unit/tiles/0/0/0", headers=auth("viewer")).status_code == 404


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"bbox": "1,2,3"}, "four comma-separated numbers"),
        ({"bbox": "a,b,c,d"}, "not a number"),
        ({"bbox": "100,30,200,40"}, "outside the valid range"),
        ({"bbox": "110,40,109,39"}, "greater than its maximum"),
        ({"bbox": "nan,1,2,3"}, "finite"),
        ({"limit": "0"}, "at least 1"),
        ({"limit": "ten"}, "whole number"),
        ({"cursor": "%%%"}, "cursor is not valid"),
        ({"colour": "red"}, "Unknown parameter 'colour'"),
        ({"skip_geometry": "maybe"}, "true or false"),
        ({"skipGeometry": "maybe"}, "true or false"),
        ({"crs": "EPSG:3857"}, "is not offered"),
        ({"filter": "name = 1"}, "string property"),
        ({"datetime": "2025-01-01"}, "no time dimension"),
    ],
)
def test_bad_query_parameters_get_a_clear_400(client, auth, params, fragment):
    r = client.get(ITEMS.format("county_boundary"), params=params, headers=auth("viewer"))
    assert r.status_code == 400, r.text
    assert fragment in r.json()["message"] and r.json()["message_zh"]


def test_unknown_layer_is_404_naming_the_known_ones(client, auth):
    r = client.get(ITEMS.format("graves"), headers=auth("viewer"))
    assert r.status_code == 404 and "county_boundary" in r.json()["message"]


def test_vector_tile_holds_the_ordos_units(client, auth):
    # z6 tile 51/24 covers most of Ordos.
    r = client.get("/api/v1/layers/county_boundary/tiles/6/51/24", headers=auth("viewer"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    tile = mapbox_vector_tile.decode(r.content)
    codes = {f["properties"]["code"] for f in tile["county_boundary"]["features"]}
    assert {"150602", "150603", "150621", "150625"} <= codes
    etag = r.headers["etag"]
    again = client.get(
        "/api/v1/layers/county_boundary/tiles/6/51/24",
        headers={**auth("viewer"), "If-None-Match": etag},
    )
    assert again.status_code == 304


def test_tiles_validate_their_coordinates(client, auth):
    base = "/api/v1/layers/county_boundary/tiles/"
    assert client.get(base + "3/8/0", headers=auth("viewer")).status_code == 400
    assert client.get(base + "23/0/0", headers=auth("viewer")).status_code == 400
    assert client.get(base + "a/0/0", headers=auth("viewer")).status_code == 422
    ogc = "/ogc/collections/county_boundary/tiles/"
    assert client.get(ogc + "WorldCRS84Quad/0/0/0", headers=auth("viewer")).status_code == 404
    assert client.get(ogc + "WebMercatorQuad/3/0/8", headers=auth("viewer")).status_code == 400


def test_min_zoom_gives_empty_tiles_below_it(tmp_path, settings, prepared_db, auth):
    layers = tmp_path / "layers"
    shutil.copytree(PROJECT_ROOT / "layers", layers, ignore=shutil.ignore_patterns("data"))
    path = layers / "county_boundary.toml"
    path.write_text(path.read_text().replace("min_zoom = 0", "min_zoom = 7"))
    from fastapi.testclient import TestClient

    app = create_app(settings.model_copy(update={"layers_dir": layers}))
    with TestClient(app) as c:
        url = "/api/v1/layers/county_boundary/tiles/{}"
        assert c.get(url.format("6/51/24"), headers=auth("viewer")).content == b""
        assert len(c.get(url.format("7/103/48"), headers=auth("viewer")).content) > 0


def test_anonymous_layers_are_a_setting(settings, prepared_db):
    from fastapi.testclient import TestClient

    app = create_app(settings.model_copy(update={"anonymous_layers": ["city_boundary"]}))
    with TestClient(app) as c:
        assert [x["id"] for x in c.get("/api/v1/layers").json()["layers"]] == ["city_boundary"]
        assert c.get(ITEMS.format("city_boundary")).status_code == 200
        assert c.get(ITEMS.format("county_boundary")).status_code == 401


def test_catalogue_reloads_when_a_declaration_changes(tmp_path):
    shutil.copy(PROJECT_ROOT / "layers" / "city_boundary.toml", tmp_path / "city_boundary.toml")
    catalogue = Catalogue(tmp_path)
    catalogue.CHECK_EVERY_S = 0
    assert list(catalogue.layers()) == ["city_boundary"]
    text = (PROJECT_ROOT / "layers" / "county_boundary.toml").read_text()
    (tmp_path / "county_boundary.toml").write_text(text)
    time.sleep(0.01)
    assert set(catalogue.layers()) == {"city_boundary", "county_boundary"}
    (tmp_path / "broken.toml").write_text("id = 'x.y'\n")  # a bad file keeps the last good one
    assert set(catalogue.layers()) == {"city_boundary", "county_boundary"}


@pytest.mark.parametrize(
    "change",
    [
        {"id": "county.boundary"},  # dots break older QGIS
        {"source": "admin_unit; DROP TABLE x"},
        {"properties": ["name", "Robert'); --"]},
        {"filterable": ["not_a_property"]},
        {"geometry_column": None},
        {"mercator_column": "geom_mercator"},  # polygons are cut to the tile before reprojecting
    ],
)
def test_declarations_are_validated(change):
    base = load_declarations(PROJECT_ROOT / "layers")["county_boundary"].model_dump()
    with pytest.raises(ValueError):
        LayerDeclaration.model_validate({**base, **change})


def test_settings_parse_anonymous_layers_from_the_environment(monkeypatch):
    monkeypatch.setenv("ANONYMOUS_LAYERS", "city_boundary, county_boundary")
    assert Settings(_env_file=None).anonymous_layers == ["city_boundary", "county_boundary"]


def test_an_edit_changes_the_tile_and_its_etag(client, auth, db):
    import uuid
    from datetime import UTC, datetime

    code, lon, lat = db.execute(
        "SELECT code, ST_X(geom), ST_Y(geom) FROM boundary_marker ORDER BY code LIMIT 1"
    ).fetchone()
    import math

    z = 12
    x = int((lon + 180) / 360 * 2**z)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**z)
    url = f"/api/v1/layers/boundary_marker/tiles/{z}/{x}/{y}"
    first = client.get(url, headers=auth("viewer"))
    assert first.status_code == 200 and first.headers["cache-control"] == "private, no-cache"
    assert (
        client.get(url, headers={**auth("viewer"), "If-None-Match": first.headers["etag"]}).status_code == 304
    )
    visit = {"id": str(uuid.uuid4()), "condition": "buried", "observed_at": datetime.now(UTC).isoformat()}
    assert (
        client.post(f"/api/v1/markers/{code}/inspections", json=visit, headers=auth("inspector")).status_code
        == 201
    )
    after = client.get(url, headers={**auth("viewer"), "If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != first.headers["etag"]
    features = mapbox_vector_tile.decode(after.content)["boundary_marker"]["features"]
    assert next(f for f in features if f["properties"]["code"] == code)["properties"]["condition"] == "buried"


def test_tilejson(client, auth):
    tj = client.get(
        "/ogc/collections/county_boundary/tiles/WebMercatorQuad/tilejson.json", headers=auth("viewer")
    ).json()
    assert tj["tilejson"] == "3.0.0" and tj["tiles"][0].endswith(
        "/api/v1/layers/county_boundary/tiles/{z}/{x}/{y}"
    )
    assert tj["vector_layers"][0]["id"] == "county_boundary" and "name" in tj["vector_layers"][0]["fields"]
    assert 97 < tj["bounds"][0] < 107


def test_the_lean_tile_route_answers_as_the_ogc_door_and_is_documented(client, auth, app):
    """The XYZ tile route skips FastAPI's per-request work (core/lean_route.py): it must
    still check the caller and the layer as the OGC door does, and give the same tile."""
    xyz = "/api/v1/layers/county_boundary/tiles/6/51/24"
    ogc = "/ogc/collections/county_boundary/tiles/WebMercatorQuad/6/24/51"
    a, b = client.get(xyz, headers=auth("viewer")), client.get(ogc, headers=auth("viewer"))
    assert a.status_code == b.status_code == 200
    assert a.content == b.content and a.headers["etag"] == b.headers["etag"]
    for path in (xyz, ogc):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert client.get("/api/v1/layers/nope/tiles/6/51/24", headers=auth("viewer")).status_code == 404
    assert client.get(xyz.replace("/24", "/x"), headers=auth("viewer")).json()["code"] == "invalid"
    operation = app.openapi()["paths"]["/api/v1/layers/{layer_id}/tiles/{z}/{x}/{y}"]["get"]
    params = {p["name"]: p["schema"]["type"] for p in operation["parameters"] if p["in"] == "path"}
    assert params == {"layer_id": "string", "z": "integer", "x": "integer", "y": "integer"}
    assert "application/vnd.mapbox-vector-tile" in operation["responses"]["200"]["content"]
