"""OGC API `datetime` on layers with a temporal property: instants, whole days, closed and
open intervals, the temporal extent, and clear 400s for bad values or layers without time."""

from __future__ import annotations

from tests.funeral.helpers import csv_file, unique, upload

ITEMS = "/ogc/collections/grave/items"


def _codes(client, auth, tag: str, when: str) -> list[str]:
    r = client.get(
        ITEMS,
        params={"datetime": when, "filter": f"code LIKE '{tag}%'", "limit": 100},
        headers=auth("planner"),
    )
    assert r.status_code == 200, r.text
    return sorted(f["id"] for f in r.json()["features"])


def test_datetime_filters_graves_by_survey_date(client, auth):
    tag = unique("D")
    days = ["2021-03-01", "2021-03-02", "2022-07-15", "2023-12-31"]
    rows = [[f"{tag}-{i}", 109.9 + i / 100, 39.7, "scattered", 1, d] for i, d in enumerate(days)]
    r = upload(
        client, auth, "graves", csv_file(["code", "经度", "纬度", "kind", "grave_count", "surveyed_on"], rows)
    )
    assert r.status_code == 201, r.text
    c = [f"{tag}-{i}" for i in range(4)]
    assert _codes(client, auth, tag, "2021-03-02") == [c[1]]  # a date is its whole day
    assert _codes(client, auth, tag, "2021-03-02T00:00:00Z") == [c[1]]  # the instant of midnight
    assert _codes(client, auth, tag, "2021-03-02T00:00:00Z/2022-07-15") == [c[1], c[2]]  # inclusive ends
    assert _codes(client, auth, tag, "2022-01-01/..") == [c[2], c[3]]
    assert _codes(client, auth, tag, "../2021-03-01") == [c[0]]
    assert _codes(client, auth, tag, "/2021-12-31") == [c[0], c[1]]
    assert _codes(client, auth, tag, "../..") == c
    collection = client.get("/ogc/collections/grave", headers=auth("planner")).json()
    start, end = collection["extent"]["temporal"]["interval"][0]
    assert start <= "2021-03-01T00:00:00Z" and end >= "2023-12-31T00:00:00Z"


def test_bad_datetime_values_are_refused(client, auth):
    h = auth("planner")
    for bad in (
        "yesterday",
        "2024-13-01",
        "2024-05-01T08:00:00",
        "2024-01-01/2023-01-01",
        "2024-01-02/2024-01-01",
        "a/b/c",
        "/",
    ):
        r = client.get(ITEMS, params={"datetime": bad}, headers=h)
        assert r.status_code == 400, (bad, r.text)
    no_time = client.get(
        "/ogc/collections/county_boundary/items", params={"datetime": "2024-01-01"}, headers=h
    )
    assert no_time.status_code == 400 and "no time dimension" in no_time.json()["message"]
