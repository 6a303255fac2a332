"""CQL2 filters are type-checked against the queryables before any SQL runs: a literal
of the wrong type, a LIKE on a number, deep nesting, an invalid date or a degenerate
geometry is a 400 with the reason, never a 500."""

import pytest

MARKERS = "/ogc/collections/boundary_marker/items"
GRAVES = "/ogc/collections/grave/items"


@pytest.mark.parametrize(
    ("url", "expr", "reason"),
    [
        (MARKERS, "code > 5", "quoted string"),
        (MARKERS, "seq LIKE 5", "quoted pattern"),
        (MARKERS, "seq = 'five'", "number"),
        (MARKERS, "seq IN (1, 'two')", "number"),
        (MARKERS, "is_smart = 1", "TRUE or FALSE"),
        (MARKERS, "seq BETWEEN 'a' AND 3", "number"),
        (MARKERS, "(" * 400 + "seq = 1" + ")" * 400, "nests deeper"),
        (MARKERS, "NOT " * 400 + "seq = 1", "nests deeper"),
        (GRAVES, "surveyed_on >= 'yesterday'", "not a date"),
        (GRAVES, "surveyed_on >= DATE('2025-13-45')", "not a date"),
        (GRAVES, "remediated_on > TIMESTAMP('soon')", "not a date"),
        (MARKERS, "S_INTERSECTS(geom, POLYGON((109 39, 110 40, 111 41, 109 39)))", "not valid"),
        (MARKERS, "S_INTERSECTS(geom, POLYGON((109 39, 110 39, 109 40, 110 40, 109 39)))", "not valid"),
    ],
)
def test_a_mistyped_filter_is_a_400_with_its_reason(client, auth, url, expr, reason):
    r = client.get(url, params={"filter": expr}, headers=auth("inspector"))
    assert r.status_code == 400, (expr, r.status_code, r.text[:200])
    assert reason in r.json()["message"] and r.json()["message_zh"]


@pytest.mark.parametrize(
    ("url", "expr"),
    [
        (MARKERS, "code LIKE '150602-%' AND seq > 3"),
        (MARKERS, "seq IN (1, 2, 3) AND NOT is_smart = TRUE"),
        (GRAVES, "surveyed_on >= '2000-01-01'"),
        (GRAVES, "remediated_on >= '2025-01-01T00:00:00Z'"),
        (GRAVES, "surveyed_on BETWEEN DATE('2020-01-01') AND DATE('2030-01-01')"),
    ],
)
def test_well_typed_filters_still_work(client, auth, url, expr):
    r = client.get(url, params={"filter": expr, "limit": 5}, headers=auth("inspector"))
    assert r.status_code == 200, r.text
    assert r.json()["features"]
