"""Every read route against auth/read_scopes.py, generated from the OpenAPI document: a
route without a scope fails here (and the service will not start), and a route that reads
records of a unit without a probe here fails too.

With READ_SCOPE=unit, a Dalad Banner administrator (every capability, Dalad's unit) reads
each probed route twice: for a record of Dalad ("own": answered) and for one of Dongsheng
District ("sibling": 404 for a record, left out of a list or a figure). The same account
in the default mode reads the sibling's record, so each probe is known to reach it."""

from __future__ import annotations

import gzip
import io
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from gis_service.auth.read_scopes import READS, ReadReach
from gis_service.auth.write_scopes import api_routes
from gis_service.catalogue.declarations import load_declarations
from gis_service.main import create_app
from gis_service.offline.tiles import lonlat_to_tile
from tests.auth.test_write_scopes import (
    DALAD,
    DONGSHENG,
    LINES,
    Records,
    _finding,
    _grave,
    _marker,
    _place,
    _register_change,
    _sign,
    _suggestion,
    _visit,
)
from tests.offline.bundles import read_bundle

RELATIONS = ("own", "sibling")
UNIT_OF = {"own": DALAD, "sibling": DONGSHENG}


def test_every_read_route_has_a_scope(app):
    document = {path for path, operations in app.openapi()["paths"].items() if "get" in operations}
    served = {r.path for r in api_routes(app.routes) if "GET" in r.methods}
    assert document <= set(READS) and served == set(READS), "add the route to auth/read_scopes.py"


@pytest.fixture(scope="module")
def unit_client(settings, prepared_db):
    with TestClient(create_app(settings.model_copy(update={"read_scope": "unit"}))) as c:
        yield c


@pytest.fixture(scope="module")
def dalad(banner_account):
    """A Dalad administrator: every capability, so only the unit decides."""
    return banner_account("admin", DALAD)


def _jpeg() -> dict:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (uuid.uuid4().int % 256, 9, 9)).save(out, format="JPEG")
    return {"photo": ("p.jpg", out.getvalue(), "image/jpeg")}


@dataclass
class Made:
    """One record of each kind for a relation, made by the served unit's accounts."""

    rel: str
    marker: str
    marker_line: str
    line: str
    repair_marker: str
    repair_line: str
    alert_marker: str
    photo: str
    round: int
    dispute: int
    place: int
    finding_place: int
    suggestion_place: int
    request: int
    sign: str
    sign_repair: str
    grave: str
    change: int
    edition: int


@pytest.fixture(scope="module")
def made(client, auth, db) -> Iterator[dict[str, Made]]:
    records = Records(client, auth, db)
    out = {}
    for rel in RELATIONS:
        marker = _marker(db, rel)
        visit = _visit()
        r = client.post(f"/api/v1/markers/{marker}/inspections", json=visit, headers=auth("inspector"))
        assert r.status_code == 201, r.text
        r = client.post(
            f"/api/v1/inspections/{r.json()['id']}/photos", files=_jpeg(), headers=auth("inspector")
        )
        assert r.status_code == 201, r.text
        photo = r.json()["sha256"]
        repair = records.repair(rel, "marker")
        sign_repair = records.repair(rel, "sign")
        change = _register_change(db, rel)
        out[rel] = Made(
            rel=rel,
            marker=marker,
            marker_line=_line_of(db, marker),
            line=LINES[rel],
            repair_marker=(
                repair_marker := _code_of(db, "repair_order", "boundary_marker", "marker_id", repair)
            ),
            repair_line=_line_of(db, repair_marker),
            alert_marker=_code_of(db, "marker_alert", "boundary_marker", "marker_id", records.alert(rel)),
            photo=photo,
            round=records.round(rel),
            dispute=records.dispute(rel),
            place=_place(db, rel),
            finding_place=_place_of(db, "place_name_finding", _finding(db, rel)),
            suggestion_place=_place_of(db, "place_name_location_suggestion", _suggestion(db, rel)),
            request=records.naming_request(rel),
            sign=_sign(db, rel),
            sign_repair=_code_of(db, "sign_repair_order", "place_name_sign", "sign_id", sign_repair),
            grave=_grave(db, rel),
            change=change,
            edition=db.execute("SELECT edition_id FROM register_change WHERE id = %s", (change,)).fetchone()[
                0
            ],
        )
    yield out
    # the changes' editions stay open otherwise, and a later test deciding open changes
    # (the fuzzer) would add their villages to the register
    changes = [m.change for m in out.values()]
    db.execute("DELETE FROM register_change WHERE id = ANY(%s)", (changes,))
    db.execute("DELETE FROM register_edition WHERE id = ANY(%s)", ([m.edition for m in out.values()],))


def _code_of(db, table: str, asset_table: str, fk: str, row_id: int) -> str:
    return db.execute(
        f"SELECT a.code FROM {table} t JOIN {asset_table} a ON a.id = t.{fk} WHERE t.id = %s", (row_id,)
    ).fetchone()[0]


def _line_of(db, marker: str) -> str:
    return db.execute("SELECT line_code FROM boundary_marker WHERE code = %s", (marker,)).fetchone()[0]


def _place_of(db, table: str, row_id: int) -> int:
    return db.execute(f"SELECT place_name_id FROM {table} WHERE id = %s", (row_id,)).fetchone()[0]


def _at(db, table: str, code: str) -> tuple[float, float]:
    return db.execute(f"SELECT ST_X(geom), ST_Y(geom) FROM {table} WHERE code = %s", (code,)).fetchone()


def _marker_tile(db, code: str, z: int = 12) -> str:
    x, y = lonlat_to_tile(*_at(db, "boundary_marker", code), z)
    return f"{z}/{x}/{y}"


def _ogc_tile(db, code: str) -> str:
    z, x, y = _marker_tile(db, code).split("/")
    return f"WebMercatorQuad/{z}/{y}/{x}"


@dataclass(frozen=True)
class Probe:
    """A read of a relation's record: `url(made, db)`. With `needle(made)` (a regular
    expression), a list that names the own record and must not name the sibling's; else a
    record, answered for the own and 404 for the sibling. `default` is what the default
    mode answers the same account for the sibling's."""

    url: Callable[[Made, object], str]
    needle: Callable[[Made], str] | None = None
    default: int = 200


def _id(key: str, value) -> str:
    return rf'"{key}"\s*:\s*{value}\b'


def _area(path: str) -> Probe:
    return Probe(lambda m, db: f"{path}?unit={UNIT_OF[m.rel]}")


PROBES: dict[str, Probe] = {
    # the catalogue, the OGC API and the lists over them
    "/api/v1/layers/{layer_id}/items": Probe(
        lambda m, db: f"/api/v1/layers/boundary_marker/items?line_code={m.marker_line}&limit=10000",
        lambda m: m.marker,
    ),
    "/api/v1/layers/{layer_id}/items/{feature_id}": Probe(
        lambda m, db: f"/api/v1/layers/boundary_marker/items/{m.marker}"
    ),
    "/api/v1/layers/{layer_id}/tiles/{z}/{x}/{y}": Probe(
        lambda m, db: f"/api/v1/layers/boundary_marker/tiles/{_marker_tile(db, m.marker)}", lambda m: m.marker
    ),
    "/api/v1/layers/{layer_id}/export.{fmt}": Probe(
        lambda m, db: f"/api/v1/layers/boundary_marker/export.geojson?line_code={m.marker_line}",
        lambda m: m.marker,
    ),
    "/ogc/collections/{layer_id}/items": Probe(
        lambda m, db: f"/ogc/collections/boundary_marker/items?line_code={m.marker_line}&limit=10000",
        lambda m: m.marker,
    ),
    "/ogc/collections/{layer_id}/items/{feature_id}": Probe(
        lambda m, db: f"/ogc/collections/boundary_marker/items/{m.marker}"
    ),
    "/ogc/tiles/{tms}/{tileMatrix}/{tileRow}/{tileCol}": Probe(
        lambda m, db: f"/ogc/tiles/{_ogc_tile(db, m.marker)}", lambda m: m.marker
    ),
    "/ogc/collections/{layer_id}/tiles/{tms}/{tileMatrix}/{tileRow}/{tileCol}": Probe(
        lambda m, db: f"/ogc/collections/boundary_marker/tiles/{_ogc_tile(db, m.marker)}", lambda m: m.marker
    ),
    "/api/v1/markers": Probe(
        lambda m, db: f"/api/v1/markers?line={m.marker_line}&limit=10000", lambda m: m.marker
    ),
    "/api/v1/disputes": Probe(lambda m, db: "/api/v1/disputes?limit=10000", lambda m: _id("id", m.dispute)),
    # boundary lines, markers and their work
    "/api/v1/boundary-lines": Probe(
        lambda m, db: "/api/v1/boundary-lines?skipGeometry=true&limit=10000", lambda m: m.line
    ),
    "/api/v1/boundary-lines/{code}": Probe(lambda m, db: f"/api/v1/boundary-lines/{m.line}"),
    "/api/v1/markers/nearest": Probe(
        lambda m, db: "/api/v1/markers/nearest?lon={}&lat={}&limit=1".format(
            *_at(db, "boundary_marker", m.marker)
        ),
        lambda m: m.marker,
    ),
    "/api/v1/markers/{code}": Probe(lambda m, db: f"/api/v1/markers/{m.marker}"),
    "/api/v1/markers/{code}/inspections": Probe(lambda m, db: f"/api/v1/markers/{m.marker}/inspections"),
    "/api/v1/repairs": Probe(
        lambda m, db: f"/api/v1/repairs?line={m.repair_line}", lambda m: m.repair_marker
    ),
    "/api/v1/alerts": Probe(lambda m, db: "/api/v1/alerts", lambda m: m.alert_marker),
    "/api/v1/photos/{sha256}": Probe(lambda m, db: f"/api/v1/photos/{m.photo}?size=thumb"),
    # joint inspections
    "/api/v1/joint-inspections/due": Probe(lambda m, db: "/api/v1/joint-inspections/due", lambda m: m.line),
    "/api/v1/joint-inspections": Probe(
        lambda m, db: "/api/v1/joint-inspections", lambda m: _id("id", m.round)
    ),
    "/api/v1/joint-inspections/{round_id}": Probe(lambda m, db: f"/api/v1/joint-inspections/{m.round}"),
    # a round's tracks: its parties and the administrators of the line's units, in any mode
    "/api/v1/joint-inspections/{round_id}/tracks": Probe(
        lambda m, db: f"/api/v1/joint-inspections/{m.round}/tracks", default=403
    ),
    "/api/v1/joint-inspections/{round_id}/report.{fmt}": Probe(
        lambda m, db: f"/api/v1/joint-inspections/{m.round}/report.csv"
    ),
    # disputes
    "/api/v1/disputes/{dispute_id}": Probe(lambda m, db: f"/api/v1/disputes/{m.dispute}"),
    # place names, signs, the naming procedure
    "/api/v1/place-names": Probe(
        lambda m, db: f"/api/v1/place-names?limit=200&after={m.place - 1}", lambda m: _id("id", m.place)
    ),
    "/api/v1/place-names/findings": Probe(
        lambda m, db: f"/api/v1/place-names/findings?place_name_id={m.finding_place}",
        lambda m: _id("place_name_id", m.finding_place),
    ),
    "/api/v1/place-names/requests": Probe(
        lambda m, db: "/api/v1/place-names/requests", lambda m: _id("id", m.request)
    ),
    "/api/v1/place-names/requests/{request_id}": Probe(
        lambda m, db: f"/api/v1/place-names/requests/{m.request}"
    ),
    "/api/v1/place-names/location-suggestions": Probe(
        lambda m, db: "/api/v1/place-names/location-suggestions",
        lambda m: _id("place_name_id", m.suggestion_place),
    ),
    "/api/v1/place-names/export": Probe(
        lambda m, db: f"/api/v1/place-names/export?admin_code={UNIT_OF[m.rel]}"
    ),
    "/api/v1/place-names/{place_id}": Probe(lambda m, db: f"/api/v1/place-names/{m.place}"),
    "/api/v1/place-names/{place_id}/history": Probe(lambda m, db: f"/api/v1/place-names/{m.place}/history"),
    "/api/v1/place-name-signs": Probe(
        lambda m, db: f"/api/v1/place-name-signs?place_name_id={m.place}", lambda m: m.sign
    ),
    "/api/v1/place-name-signs/{code}": Probe(lambda m, db: f"/api/v1/place-name-signs/{m.sign}"),
    "/api/v1/place-name-signs/{code}/inspections": Probe(
        lambda m, db: f"/api/v1/place-name-signs/{m.sign}/inspections"
    ),
    "/api/v1/sign-repairs": Probe(lambda m, db: "/api/v1/sign-repairs?status=open", lambda m: m.sign_repair),
    # funeral planning
    "/api/v1/funeral/graves/{code}": Probe(lambda m, db: f"/api/v1/funeral/graves/{m.grave}"),
    # the register's yearly update
    "/api/v1/register/editions/{edition_id}/changes": Probe(
        lambda m, db: f"/api/v1/register/editions/{m.edition}/changes",
        lambda m: _id("id", m.change) + ',"kind"',
    ),
    "/api/v1/register/editions/{edition_id}/report.{fmt}": Probe(
        lambda m, db: f"/api/v1/register/editions/{m.edition}/report.html?unit={UNIT_OF[m.rel]}"
    ),
    "/api/v1/register/same-names": Probe(
        lambda m, db: "/api/v1/register/same-names?within=" + ("county" if m.rel == "own" else "city")
    ),
}
# a planner's figures: asked for one's own unit, and for the neighbour's
PROBES |= {
    path: _area(path) for path, scope in READS.items() if scope is ReadReach.AREA and path not in PROBES
}

# figures counted over records: (url, what the answer counts, SQL counting the same
# records, where %(within)s is the unit's prefix or NULL for all)
FIGURES: dict[str, tuple[str, Callable[[dict], int], str]] = {
    "/api/v1/boundary-lines/vectorisation-rate": (
        "/api/v1/boundary-lines/vectorisation-rate",
        lambda a: sum(level["required"] for level in a["levels"]),
        "SELECT count(*) FROM boundary_line WHERE valid_to IS NULL AND units_within(code, %(within)s)",
    ),
    "/api/v1/markers/summary": (
        "/api/v1/markers/summary",
        lambda a: a["total"],
        "SELECT count(*) FROM boundary_marker WHERE units_within(line_code, %(within)s)",
    ),
    "/api/v1/place-names/audit": (
        "/api/v1/place-names/audit",
        lambda a: a["open"],
        "SELECT count(*) FROM place_name_finding f JOIN place_name p ON p.id = f.place_name_id"
        " WHERE f.status = 'open' AND units_within(p.admin_code, %(within)s)",
    ),
    "/api/v1/funeral/classification/summary": (
        "/api/v1/funeral/classification/summary",
        lambda a: a["not_restricted"]["graves"] + sum(c["graves"] for c in a["by_class"]),
        "SELECT count(*) FROM grave g WHERE NOT EXISTS (SELECT 1 FROM grave_restriction r WHERE r.grave_id = g.id)"
        " AND units_within(g.county_code, %(within)s)"
        " UNION ALL SELECT count(DISTINCT g.id) FROM grave_restriction r JOIN grave g ON g.id = r.grave_id"
        " WHERE units_within(g.county_code, %(within)s) GROUP BY r.area_kind, r.area_class",
    ),
    "/api/v1/funeral/graves/points": (
        "/api/v1/funeral/graves/points",
        lambda a: len(a["points"]),
        "SELECT count(*) FROM grave WHERE units_within(county_code, %(within)s)",
    ),
}


def _reach(scope) -> ReadReach:
    return scope if isinstance(scope, ReadReach) else scope[0]


def test_every_read_of_records_has_a_probe():
    limited = {
        p for p, s in READS.items() if _reach(s) in (ReadReach.LAYER, ReadReach.AREA, ReadReach.RECORD)
    }
    assert limited == set(PROBES) | set(FIGURES), "a read of a unit's records needs a probe here"


def _body(r) -> str:
    data = r.content
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace")


@pytest.mark.parametrize("path", sorted(PROBES))
def test_unit_mode_reads_the_units_records_only(path, made, unit_client, client, dalad, db):
    """READ_SCOPE=unit: Dalad's record answered, Dongsheng's not (404, or left out); the
    default mode answers the sibling's to the same account."""
    probe = PROBES[path]
    own, sibling = made["own"], made["sibling"]
    r = unit_client.get(probe.url(own, db), headers=dalad)
    assert r.status_code == 200, f"own: {r.status_code} {r.text[:300]}"
    if probe.needle:
        assert re.search(probe.needle(own), _body(r)), f"own record missing: {_body(r)[:300]}"
    r = unit_client.get(probe.url(sibling, db), headers=dalad)
    if probe.needle:
        assert r.status_code == 200 and not re.search(probe.needle(sibling), _body(r)), _body(r)[:300]
    else:
        assert r.status_code == 404, f"sibling: {r.status_code} {r.text[:300]}"
    r = client.get(probe.url(sibling, db), headers=dalad)
    assert r.status_code == probe.default, f"default mode: {r.status_code} {r.text[:300]}"
    if probe.needle:
        assert re.search(probe.needle(sibling), _body(r)), f"the probe misses the sibling's: {_body(r)[:300]}"


@pytest.mark.parametrize("path", sorted(FIGURES))
def test_unit_mode_figures_count_the_units_records(path, made, unit_client, client, dalad, db):
    url, counted, sql = FIGURES[path]
    for app_client, within in ((unit_client, DALAD), (client, None)):
        r = app_client.get(url, headers=dalad)
        assert r.status_code == 200, r.text[:300]
        expected = sum(row[0] for row in db.execute(sql, {"within": within}))
        assert counted(r.json()) == expected, f"within {within}"


def _layers_with_units(settings):
    return [layer for layer in load_declarations(settings.layers_dir).values() if layer.unit_columns]


def test_every_layer_of_units_is_read_within_the_unit(settings, made, unit_client, dalad, db):
    """Each layer with unit columns, read whole in unit mode: exactly its rows of Dalad."""
    layers = _layers_with_units(settings)
    assert {layer.id for layer in layers} >= {"boundary_marker", "place_name", "grave", "place_name_sign"}
    for layer in layers:
        r = unit_client.get(f"/api/v1/layers/{layer.id}/items?limit=10000&skipGeometry=true", headers=dalad)
        assert r.status_code == 200, r.text[:300]
        ids = sorted(str(f["id"]) for f in r.json()["features"])
        within = " OR ".join(f"units_within({c}, %(unit)s)" for c in layer.unit_columns)
        expected = sorted(
            str(row[0])
            for row in db.execute(
                f"SELECT {layer.id_column} FROM {layer.source} WHERE {within}", {"unit": DALAD}
            )
        )
        assert ids == expected[:10000], layer.id


def test_reference_layers_are_read_whole(unit_client, client, dalad):
    found = [
        c.get("/api/v1/layers/county_boundary/items?skipGeometry=true", headers=dalad).json()["features"]
        for c in (unit_client, client)
    ]
    assert len(found[0]) >= 9 and found[0] == found[1]  # Ordos's banners and districts, each way


def test_a_tile_cached_for_one_unit_is_not_served_to_another(made, unit_client, auth, dalad, db):
    """In unit mode, one worker serves the same tile to Dalad's account and to the city's:
    each gets its own (the cache keys name the unit)."""
    url = f"/api/v1/layers/boundary_marker/tiles/{_marker_tile(db, made['sibling'].marker)}"
    for _ in range(2):  # the second round comes from the cache
        assert made["sibling"].marker not in _body(unit_client.get(url, headers=dalad))
        assert made["sibling"].marker in _body(unit_client.get(url, headers=auth("admin")))


def test_a_page_kept_for_one_unit_is_not_served_to_another(made, unit_client, auth, dalad):
    """The same for pages of features: kept per unit, as tiles are."""
    url = "/api/v1/layers/boundary_marker/items?limit=10000"
    for _ in range(2):  # the second round comes from the page cache
        assert made["sibling"].marker not in unit_client.get(url, headers=dalad).text
        assert made["sibling"].marker in unit_client.get(url, headers=auth("admin")).text


def test_offline_areas_carry_the_units_records_only(made, unit_client, dalad):
    """The offline area's manifest and records (reads sent as POST) follow the same rule."""
    line = made["sibling"].marker_line
    r = unit_client.post(
        "/api/v1/offline-areas/manifest", json={"kind": "line", "code": line, "max_zoom": 8}, headers=dalad
    )
    assert r.status_code == 200, r.text[:300]
    assert f"marker:{made['sibling'].marker}" not in r.text
    keys = [f"marker:{made[rel].marker}" for rel in RELATIONS]
    r = unit_client.post("/api/v1/offline-areas/records", json={"keys": keys}, headers=dalad)
    assert r.status_code == 200, r.text[:300]
    assert [x["key"] for x in r.json()["records"]] == keys[:1] and r.json()["gone"] == keys[1:]


def test_a_bundle_of_tiles_holds_what_each_tile_holds(made, unit_client, auth, dalad, db):
    """An offline area's tiles fetched in a bundle pass the same read rule as each tile's
    own URL: Dalad's account gets Dalad's markers only, the city's account all."""
    url = f"/api/v1/layers/boundary_marker/tiles/{_marker_tile(db, made['sibling'].marker)}"
    for headers, shown in ((dalad, False), (auth("admin"), True)):
        [(entry, data)] = read_bundle(
            unit_client.post("/api/v1/offline-areas/tiles", json={"tiles": [url]}, headers=headers)
        )
        alone = unit_client.get(url, headers=headers)
        assert data == alone.content and entry["etag"] == alone.headers["etag"]
        assert (made["sibling"].marker in data.decode("utf-8", "replace")) is shown
