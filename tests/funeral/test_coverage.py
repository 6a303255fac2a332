"""Coverage: the maximal covering model on a case solved by hand, distance coverage on the
ellipsoid, the official indicators and the indicators API."""

from __future__ import annotations

import numpy as np
from pyproj import Geod

from gis_service.funeral.coverage import _geodesic_km, solve_mclp

GEOD = Geod(ellps="GRS80")


def _east(km: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(109.0, 39.0, 90, km * 1000)
    return lon, lat


def test_mclp_on_a_line_of_villages():
    # Villages at 0, 10, 20, 50, 60 and 100 km east along a geodesic; an existing site at
    # 0 km covers 0 and 10 (radius 12 km). One new site among the candidates at 20, 55
    # and 100 km: 55 covers 50 and 60 (two more), the best choice; two new sites add 100 or 20.
    demand = np.array([_east(d) for d in (0, 10, 20, 50, 60, 100)])
    existing = np.array([_east(0)])
    candidates = np.array([_east(d) for d in (20, 55, 100)])
    chosen, before, after, optimal = solve_mclp(demand, existing, candidates, radius_km=12, k=1)
    assert (chosen, before, after, optimal) == ([1], 2, 4, True)
    chosen, _, after, _ = solve_mclp(demand, existing, candidates, radius_km=12, k=2)
    assert 1 in chosen and after == 5


def test_geodesic_distances_are_on_the_ellipsoid():
    d = _geodesic_km(np.array([_east(0)]), np.array([_east(30), _east(29.99)]))
    assert abs(d[0, 0] - 30) < 1e-6 and abs(d[0, 1] - 29.99) < 1e-6


def test_distance_coverage_lists_what_is_uncovered(client, auth):
    r = client.get("/api/v1/funeral/coverage/distance?radius_km=15", headers=auth("planner")).json()
    assert r["places"] == r["covered"] + len(r["uncovered"]) > 0
    assert all(p["nearest_km"] is None or p["nearest_km"] > 15 for p in r["uncovered"])
    assert sum(c["places"] for c in r["by_county"]) == r["places"]
    wider = client.get("/api/v1/funeral/coverage/distance?radius_km=60", headers=auth("planner")).json()
    assert wider["covered"] >= r["covered"]
    assert (
        client.get("/api/v1/funeral/coverage/distance?radius_km=-1", headers=auth("planner")).status_code
        == 422
    )
    assert (
        client.get("/api/v1/funeral/coverage/distance?types=crematorium", headers=auth("planner")).status_code
        == 400
    )


def test_suggested_sites_improve_coverage(client, auth):
    r = client.get("/api/v1/funeral/coverage/suggested-sites?k=2&radius_km=20", headers=auth("planner"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["after"]["covered"] >= body["before"]["covered"] and len(body["sites"]) <= 2
    assert (
        client.get("/api/v1/funeral/coverage/suggested-sites?k=2", headers=auth("viewer")).status_code == 403
    )


def test_official_coverage_counts_banners(client, auth, db):
    rows = client.get("/api/v1/funeral/coverage/official", headers=auth("planner")).json()["indicators"]
    homes = next(r for r in rows if r["facility_type"] == "funeral_home" and r["unit"] == "banner")
    expected = db.execute(
        "SELECT count(DISTINCT county_code) FROM funeral_facility WHERE facility_type = 'funeral_home'"
        " AND status = 'operating' AND county_code LIKE '1506%%'"
    ).fetchone()[0]
    assert homes["total"] == 9 and homes["covered"] == expected
    assert len(homes["missing"]) == 9 - expected
    welfare = next(r for r in rows if r["facility_type"] == "public_welfare_burial")
    expected = db.execute(
        "SELECT count(DISTINCT county_code) FROM funeral_facility WHERE status = 'operating' AND county_code LIKE '1506%%'"
        " AND facility_type IN ('public_cemetery', 'rural_cemetery', 'ash_hall', 'eco_burial')"
    ).fetchone()[0]
    assert welfare["covered"] == expected


def test_indicators_are_live_and_complete(client, auth, db):
    body = client.get("/api/v1/indicators", headers=auth("viewer")).json()["indicators"]
    keys = {i["key"] for i in body}
    assert {
        "boundary_vectorisation_city",
        "boundary_vectorisation_county",
        "markers_managed",
        "markers_smart",
        "remediation_road_rail",
        "remediation_hardened_large",
        "remediation_living_person",
        "coverage_funeral_home",
        "coverage_public_welfare_burial",
        "coverage_distance",
    } <= keys
    for i in body:
        assert {"key", "label", "unit", "value", "target", "met", "as_of"} <= set(i)
        assert i["unit"] in ("percent", "count")
        if i["unit"] == "percent" and i["value"] is not None:
            assert 0 <= i["value"] <= 100, i  # no rate outside 0-100
    # a count against the plan's number is a count, not a percentage (32 of 8 was "400%")
    built = next(i for i in body if i["key"] == "public_welfare_sites_built")
    sites = db.execute(
        "SELECT count(*) FROM funeral_facility WHERE status = 'operating' AND facility_type IN"
        " ('public_cemetery', 'rural_cemetery', 'ash_hall', 'eco_burial')"
    ).fetchone()[0]
    assert built["unit"] == "count" and built["value"] == sites and built["target"] == 8
    assert built["met"] == (sites >= 8) and built["denominator"] is None
    smart = next(i for i in body if i["key"] == "markers_smart")
    total, n_smart = db.execute(
        "SELECT count(*), count(*) FILTER (WHERE is_smart) FROM boundary_marker"
    ).fetchone()
    assert (smart["numerator"], smart["denominator"]) == (n_smart, total)
    assert client.get("/api/v1/indicators").status_code == 401


def test_only_sums_towns_and_townships_are_rural(client, auth, db):
    """Development zones, industrial parks and subdistricts are township-level units with no
    rural population: they are neither listed as uncovered rural townships nor suggested."""
    rows = client.get("/api/v1/funeral/coverage/official", headers=auth("planner")).json()["indicators"]
    rural = next(r for r in rows if r["facility_type"] == "rural_cemetery" and r["unit"] == "township")
    expected = db.execute(
        "SELECT count(*) FROM admin_unit WHERE level = 'township' AND valid_to IS NULL"
        " AND (name LIKE '%%苏木' OR name LIKE '%%镇' OR name LIKE '%%乡')"
    ).fetchone()[0]
    assert rural["total"] == expected
    names = [m["name"] for m in rural["missing"]]
    assert "上海庙经济开发区" not in names and "鄂尔多斯空港物流园区" not in names
    assert all(n.endswith(("苏木", "镇", "乡")) for n in names)
    r = client.get("/api/v1/funeral/coverage/suggested-sites?k=4&radius_km=20", headers=auth("planner"))
    assert r.status_code == 200, r.text
    assert all(s["name"].endswith(("苏木", "镇", "乡")) for s in r.json()["sites"]), r.json()["sites"]


def test_one_radius_drives_the_indicator_the_map_and_the_report(client, auth):
    h = auth("planner")
    for radius in (30, 50):
        rows = client.get(f"/api/v1/indicators?radius_km={radius}", headers=h).json()["indicators"]
        indicator = next(i for i in rows if i["key"] == "coverage_distance")
        shading = client.get(f"/api/v1/funeral/coverage/distance?radius_km={radius}", headers=h).json()
        assert indicator["radius_km"] == radius and f"{radius} 公里" in indicator["label"]
        assert (indicator["numerator"], indicator["denominator"]) == (shading["covered"], shading["places"])
        report = client.get(f"/api/v1/funeral/report.html?radius_km={radius}", headers=h).text
        other = 80 - radius  # the other radius of the two
        assert f"乡镇驻地和村 {radius} 公里服务覆盖率" in report and f"{other} 公里" not in report
    default = client.get("/api/v1/indicators", headers=h).json()["indicators"]
    assert next(i for i in default if i["key"] == "coverage_distance")["radius_km"] == 30  # the setting
    assert client.get("/api/v1/indicators?radius_km=0", headers=h).status_code in (400, 422)
