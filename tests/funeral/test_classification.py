"""Classification against hand-made geometry with known answers: distance to a corridor
on the ellipsoid, the buffer's edge, overlapping zones, graves outside everything, and
recomputation when corridors arrive later or a width changes."""

from __future__ import annotations

from pyproj import Geod

from tests.funeral.helpers import csv_file, unique, upload

GEOD = Geod(ellps="GRS80")
LAT = 38.30  # a corner of 鄂托克前旗 with no demo corridors
LINE = (107.50, 107.60)


def _north(lon: float, metres: float) -> tuple[float, float]:
    lon2, lat2, _ = GEOD.fwd(lon, LAT, 0, metres)
    return lon2, lat2


def _restrictions(db, code: str, prefix: str) -> dict[str, float | None]:
    rows = db.execute(
        """SELECT COALESCE(c.code, z.code), r.distance_m FROM grave_restriction r JOIN grave g ON g.id = r.grave_id
           LEFT JOIN restricted_corridor c ON r.area_kind = 'corridor' AND c.id = r.area_id
           LEFT JOIN restricted_zone z ON r.area_kind = 'zone' AND z.id = r.area_id
           WHERE g.code = %s""",
        (code,),
    ).fetchall()
    return {a: d for a, d in rows if a.startswith(prefix)}


def _layer_classes_follow_the_restrictions(db) -> None:
    """The classes the grave layer draws (kept by trigger) are those of the restriction rows."""
    aggregate = """SELECT grave_id, string_agg(DISTINCT area_class, ',' ORDER BY area_class)
                   FROM grave_restriction GROUP BY grave_id"""
    kept = "SELECT grave_id, classes FROM grave_restriction_classes"
    differ = db.execute(
        f"SELECT count(*) FROM (({aggregate} EXCEPT {kept}) UNION ALL ({kept} EXCEPT {aggregate})) d"
    )
    assert differ.fetchone()[0] == 0


def test_corridors_and_zones_with_known_answers(client, auth, db):
    tag = unique("T")
    g = {k: f"{tag}-{k}" for k in ("near", "far", "edge", "both", "one", "touch")}
    # Zones: two squares overlapping in [107.72, 107.74] x [38.30, 38.32].
    z1 = "POLYGON((107.70 38.30, 107.74 38.30, 107.74 38.32, 107.70 38.32, 107.70 38.30))"
    z2 = "POLYGON((107.72 38.30, 107.76 38.30, 107.76 38.32, 107.72 38.32, 107.72 38.30))"
    graves = [
        [g["near"], *_north(107.55, 100), "scattered", 1, "2023-04-01"],
        [g["far"], *_north(107.55, 300), "scattered", 1, "2023-04-01"],
        [g["edge"], *_north(107.52, 150), "hardened_large", 1, "2023-04-01"],
        [g["both"], 107.73, 38.31, "living_person", 1, "2023-04-01"],
        [g["one"], 107.71, 38.31, "scattered", 2, "2023-04-01"],
        [g["touch"], 107.70, 38.31, "scattered", 1, "2023-04-01"],  # on z1's west edge
    ]
    r = upload(
        client,
        auth,
        "graves",
        csv_file(["code", "经度", "纬度", "kind", "grave_count", "surveyed_on"], graves),
    )
    assert r.status_code == 201, r.text
    # Corridors and zones arrive after the graves: the graves are classified against them.
    line = f"LINESTRING({LINE[0]} {LAT}, {LINE[1]} {LAT})"
    r = upload(
        client,
        auth,
        "corridors",
        csv_file(["code", "name", "class", "wkt"], [[f"{tag}-rail", "测试铁路", "railway", line]]),
    )
    assert r.status_code == 201, r.text
    r = upload(
        client,
        auth,
        "zones",
        csv_file(
            ["code", "name", "type", "wkt"],
            [[f"{tag}-z1", "测试耕地", "耕地", z1], [f"{tag}-z2", "测试林地", "forest", z2]],
        ),
    )
    assert r.status_code == 201, r.text

    near = _restrictions(db, g["near"], tag)
    # PostGIS measures to the geodesic between the line's ends, which bows ~1 m north of
    # the parallel over 0.1° of longitude.
    assert set(near) == {f"{tag}-rail"} and abs(near[f"{tag}-rail"] - 100) < 3
    assert _restrictions(db, g["far"], tag) == {}
    assert set(_restrictions(db, g["both"], tag)) == {f"{tag}-z1", f"{tag}-z2"}
    assert set(_restrictions(db, g["one"], tag)) == {f"{tag}-z1"}
    assert set(_restrictions(db, g["touch"], tag)) == {f"{tag}-z1"}

    _layer_classes_follow_the_restrictions(db)
    drawn = "SELECT restricted, restricted_classes FROM grave_map WHERE code = %s"
    assert db.execute(drawn, (g["both"],)).fetchone() == (True, "farmland,forest")
    assert db.execute(drawn, (g["far"],)).fetchone() == (False, "")

    card = client.get(f"/api/v1/funeral/graves/{g['far']}", headers=auth("planner")).json()
    assert card["restricted"] is False and card["restrictions"] == []
    card = client.get(f"/api/v1/funeral/graves/{g['both']}", headers=auth("planner")).json()
    assert card["restricted"] and {x["area_class"] for x in card["restrictions"]} >= {"farmland", "forest"}

    # The buffer's edge counts as inside: a width equal to the distance keeps the grave,
    # a centimetre less drops it; restoring the width brings it back.
    edge = _restrictions(db, g["edge"], tag)[f"{tag}-rail"]
    original = db.execute("SELECT width_m FROM corridor_class WHERE corridor_class = 'railway'").fetchone()[0]
    try:
        for width, inside in ((edge, True), (edge - 0.01, False), (original, True)):
            r = client.put(
                "/api/v1/funeral/corridor-classes/railway", json={"width_m": width}, headers=auth("admin")
            )
            assert r.status_code == 200, r.text
            assert (f"{tag}-rail" in _restrictions(db, g["edge"], tag)) is inside, width
            _layer_classes_follow_the_restrictions(db)
        # A narrower width also drops the grave 100 m out.
        client.put("/api/v1/funeral/corridor-classes/railway", json={"width_m": 50}, headers=auth("admin"))
        assert _restrictions(db, g["near"], tag) == {}
    finally:
        client.put(
            "/api/v1/funeral/corridor-classes/railway", json={"width_m": original}, headers=auth("admin")
        )
    assert f"{tag}-rail" in _restrictions(db, g["near"], tag)


def test_full_recompute_matches_incremental(client, auth, db):
    before = db.execute(
        "SELECT md5(string_agg(grave_id || area_kind || area_id || round(COALESCE(distance_m, -1)::numeric, 3), ',' "
        "ORDER BY grave_id, area_kind, area_id)) FROM grave_restriction"
    ).fetchone()[0]
    r = client.post("/api/v1/funeral/classify", headers=auth("admin"))
    assert r.status_code == 200, r.text
    after = db.execute(
        "SELECT md5(string_agg(grave_id || area_kind || area_id || round(COALESCE(distance_m, -1)::numeric, 3), ',' "
        "ORDER BY grave_id, area_kind, area_id)) FROM grave_restriction"
    ).fetchone()[0]
    assert before == after
    _layer_classes_follow_the_restrictions(db)


def test_width_changes_are_bounded_and_for_admins(client, auth):
    assert (
        client.put(
            "/api/v1/funeral/corridor-classes/railway", json={"width_m": 0}, headers=auth("admin")
        ).status_code
        == 422
    )
    assert (
        client.put(
            "/api/v1/funeral/corridor-classes/railway", json={"width_m": 99}, headers=auth("planner")
        ).status_code
        == 403
    )
    assert (
        client.put(
            "/api/v1/funeral/corridor-classes/canal", json={"width_m": 99}, headers=auth("admin")
        ).status_code
        == 404
    )
