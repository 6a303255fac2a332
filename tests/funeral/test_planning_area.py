"""A planner's figures are for one unit: a banner's planner sees the banner, the city's the
city (and may narrow to a banner). Each figure is checked against the database counted
here, independently of the service's SQL."""

from __future__ import annotations

import pytest

DALAD, CITY = "150621", "150600"


@pytest.fixture(scope="module")
def dalad(banner_account):
    return banner_account("planner", DALAD)


def _by_key(answer: dict) -> dict:
    return {i["key"]: i for i in answer["indicators"]}


def _count(db, sql: str, *args) -> int:
    return int(db.execute(sql, args or None).fetchone()[0] or 0)


def test_a_banners_planner_sees_the_banners_indicators(client, auth, db, dalad):
    mine = client.get("/api/v1/indicators", headers=dalad).json()
    assert mine["unit"] == {"code": DALAD, "name": "达拉特旗", "name_en": "Dalad Qi"}
    # the city's planner asking for Dalad gets the same figures
    narrowed = client.get(f"/api/v1/indicators?unit={DALAD}", headers=auth("planner")).json()
    assert {k: i["value"] for k, i in _by_key(mine).items()} == {
        k: i["value"] for k, i in _by_key(narrowed).items()
    }
    found = _by_key(mine)
    hardened = found["remediation_hardened_large"]
    assert hardened["denominator"] == _count(
        db, "SELECT sum(grave_count) FROM grave WHERE kind = 'hardened_large' AND county_code = %s", DALAD
    )
    markers = found["markers_managed"]
    assert markers["denominator"] == _count(
        db,
        "SELECT count(*) FROM boundary_marker WHERE split_part(line_code, '-', 1) = %s"
        " OR split_part(line_code, '-', 2) = %s",
        DALAD,
        DALAD,
    )
    assert 0 < markers["denominator"] < _count(db, "SELECT count(*) FROM boundary_marker")
    county_lines = found["boundary_vectorisation_county"]
    assert county_lines["denominator"] == _count(
        db,
        "SELECT count(*) FROM boundary_line WHERE valid_to IS NULL AND level = 'county'"
        " AND %s = ANY(string_to_array(code, '-'))",
        DALAD,
    )
    distance = found["coverage_distance"]
    assert distance["denominator"] == _count(
        db, "SELECT count(*) FROM coverage_place WHERE county_code = %s", DALAD
    )
    # the plan's count of sites is the city's: a banner's count has no target of its own
    assert found["public_welfare_sites_built"]["target"] is None


def test_the_citys_planner_sees_the_city(client, auth, db):
    answer = client.get("/api/v1/indicators", headers=auth("planner")).json()
    assert answer["unit"]["code"] == CITY
    found = _by_key(answer)
    assert found["remediation_hardened_large"]["denominator"] == _count(
        db, "SELECT sum(grave_count) FROM grave WHERE kind = 'hardened_large'"
    )
    assert found["markers_managed"]["denominator"] == _count(db, "SELECT count(*) FROM boundary_marker")
    assert found["public_welfare_sites_built"]["target"] is not None


def test_progress_coverage_and_the_report_follow_the_unit(client, db, dalad):
    progress = client.get("/api/v1/funeral/progress?by=banner", headers=dalad).json()
    assert [g["key"] for g in progress["groups"]] == [DALAD]
    assert progress["groups"][0]["surveyed"] == _count(
        db, "SELECT sum(grave_count) FROM grave WHERE county_code = %s", DALAD
    )
    official = client.get("/api/v1/funeral/coverage/official", headers=dalad).json()["indicators"]
    assert {o["total"] for o in official if o["unit"] == "banner"} == {1}
    rural = next(o for o in official if o["unit"] == "township")
    assert all(m["code"].startswith(DALAD) for m in rural["missing"])
    distance = client.get("/api/v1/funeral/coverage/distance", headers=dalad).json()
    assert {c["county_code"] for c in distance["by_county"]} == {DALAD}
    report = client.get("/api/v1/funeral/report.html?lang=zh", headers=dalad)
    assert report.status_code == 200 and "<h1>达拉特旗" in report.text


@pytest.mark.parametrize(
    "unit, status",
    [("110101", 404), ("150621001", 422), ("15062", 422)],
    ids=["outside", "township", "short"],
)
def test_a_unit_outside_the_deployment_or_below_a_county_is_refused(client, auth, unit, status):
    r = client.get(f"/api/v1/indicators?unit={unit}", headers=auth("planner"))
    assert r.status_code == status, r.text
