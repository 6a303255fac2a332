"""OGC API - Features Part 3: queryables and CQL2-text filters, including hostile ones."""

import pytest

ITEMS = "/ogc/collections/county_boundary/items"
ORDOS = {"150602", "150603", "150621", "150622", "150623", "150624", "150625", "150626", "150627"}


def _ids(client, auth, expr):
    r = client.get(ITEMS, params={"filter": expr, "limit": 1000}, headers=auth("viewer"))
    assert r.status_code == 200, r.text
    return {f["id"] for f in r.json()["features"]}


def test_queryables(client, auth):
    q = client.get("/ogc/collections/county_boundary/queryables", headers=auth("viewer"))
    assert q.headers["content-type"] == "application/schema+json"
    props = q.json()["properties"]
    assert props["area_km2"]["type"] == "number" and props["name"]["type"] == "string" and "geometry" in props


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("parent_code = '150600'", ORDOS),
        ("parent_code = '150600' AND area_km2 > 15000", {"150624", "150625"}),
        ("parent_code = '150600' AND NOT (area_km2 >= 1000)", {"150603"}),
        ("code IN ('150602', '150603') OR name = '杭锦旗'", {"150602", "150603", "150625"}),
        ("parent_code = '150600' AND name LIKE '鄂托克%'", {"150623", "150624"}),
        ("parent_code = '150600' AND area_km2 BETWEEN 5000 AND 8500", {"150621", "150622", "150627"}),
        ("parent_code = '150600' AND name_romanized IS NULL", set()),
        ("S_INTERSECTS(geom, POINT(109.848 39.6366))", {"150603"}),
        ("S_INTERSECTS(geometry, BBOX(109.84, 39.63, 109.855, 39.64))", {"150603"}),
        (
            "S_INTERSECTS(geom, POLYGON((109.84 39.63, 109.855 39.63, 109.855 39.64, 109.84 39.64, 109.84 39.63)))"
            " AND parent_code = '150600'",
            {"150603"},
        ),
    ],
)
def test_filters(client, auth, expr, expected):
    assert _ids(client, auth, expr) == expected


@pytest.mark.parametrize(
    "expr",
    [
        "name = 'x' OR 1=1",  # 1 is not a queryable
        "password_hash = 'x'",  # not a property of the layer
        "name = ",  # incomplete
        "name == 'x'",
        "S_INTERSECTS(geom, POLYGON((1 2, 3)))",  # bad WKT
        "S_INTERSECTS(other, POINT(1 2))",
        "name = 'a' ; DROP TABLE admin_unit",
        "(name = 'a'",
    ],
)
def test_bad_filters_are_400(client, auth, expr):
    r = client.get(ITEMS, params={"filter": expr}, headers=auth("viewer"))
    assert r.status_code == 400 and r.json()["message"].startswith("filter"), r.text


def test_injection_stays_a_literal(client, auth, db):
    assert _ids(client, auth, "name = 'x''; DROP TABLE admin_unit; --'") == set()
    assert db.execute("SELECT count(*) FROM admin_unit").fetchone()[0] > 1000
    assert (
        client.get(
            ITEMS, params={"filter": "name = 'x'", "filter-lang": "cql2-json"}, headers=auth("viewer")
        ).status_code
        == 400
    )
