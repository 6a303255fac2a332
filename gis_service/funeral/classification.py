"""Which restricted corridors and zones of "三沿七区" each grave lies in.

A grave is in a corridor when its ellipsoidal distance to the corridor line (its edges
straight in longitude/latitude, as stored and drawn; they are densified to ~500 m so
that the geodesic between two vertices does not stray from them) is at most
the class's width (the buffer's edge counts as inside); the distance is stored. A grave
is in a zone when the zone's polygon contains or touches it; zones may overlap, and a
grave then lies in each. Graves with no row are "not restricted".

The work is one INSERT … SELECT per kind: corridors are cut into short pieces so that the
grave index narrows the candidates to a thin box around each piece before the exact
geodesic test (a planar box expanded by width / 50 km per degree is wider than the
buffer everywhere in China). The test at the edge is on the distance that is stored
(ST_DWithin and ST_Distance may differ in the last bits), so "inside" always means
"stored distance ≤ width". Rows are recomputed for what changed: some graves, some
corridors or zones, or everything."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Corridor pieces: lines densified to ~500 m and cut to at most 8 vertices (~3.5 km).
_CORRIDOR_ROWS = """
WITH piece AS MATERIALIZED (
    SELECT c.id, c.corridor_class, k.width_m, s.geom, s.geom::geography AS geog
    FROM restricted_corridor c JOIN corridor_class k USING (corridor_class),
         LATERAL ST_Subdivide(ST_Segmentize(c.geom, 0.005), 8) AS s(geom)
    WHERE {area_filter}
)
INSERT INTO grave_restriction (grave_id, area_kind, area_id, area_class, distance_m)
SELECT g.id, 'corridor', p.id, p.corridor_class, min(ST_Distance(g.geom::geography, p.geog))
FROM piece p
JOIN grave g ON g.geom && ST_Expand(p.geom, p.width_m / 50000.0)
            AND ST_DWithin(g.geom::geography, p.geog, p.width_m + 0.001)
WHERE {grave_filter}
GROUP BY g.id, p.id, p.corridor_class, p.width_m
HAVING min(ST_Distance(g.geom::geography, p.geog)) <= p.width_m
"""
_ZONE_ROWS = """
WITH piece AS MATERIALIZED (
    SELECT z.id, z.zone_type, s.geom
    FROM restricted_zone z, LATERAL ST_Subdivide(z.geom, 64) AS s(geom)
    WHERE {area_filter}
)
INSERT INTO grave_restriction (grave_id, area_kind, area_id, area_class, distance_m)
SELECT DISTINCT g.id, 'zone', p.id, p.zone_type, NULL::float8
FROM piece p JOIN grave g ON ST_Intersects(g.geom, p.geom)
WHERE {grave_filter}
"""


@dataclass(frozen=True)
class Scope:
    """What to recompute; everything when all are None."""

    graves: list[int] | None = None
    corridors: list[int] | None = None
    zones: list[int] | None = None

    @property
    def everything(self) -> bool:
        return self.graves is None and self.corridors is None and self.zones is None


async def classify(db_session: AsyncSession, scope: Scope = Scope()) -> dict:
    """Replace the restriction rows within the scope; returns how many were written."""
    params = {"graves": scope.graves, "corridors": scope.corridors or [], "zones": scope.zones or []}
    by_area = scope.graves is None and not scope.everything  # some corridors and/or zones changed
    if scope.graves is not None:
        stale = "grave_id = ANY(:graves)"
    elif scope.everything:
        stale = "true"
    else:
        stale = (
            "(area_kind = 'corridor' AND area_id = ANY(:corridors))"
            " OR (area_kind = 'zone' AND area_id = ANY(:zones))"
        )
    await db_session.execute(text(f"DELETE FROM grave_restriction WHERE {stale}"), params)
    grave_filter = "g.id = ANY(:graves)" if scope.graves is not None else "true"
    written = {}
    for kind, sql, alias, ids in (
        ("corridor", _CORRIDOR_ROWS, "c", scope.corridors),
        ("zone", _ZONE_ROWS, "z", scope.zones),
    ):
        if by_area and ids is None:  # only areas of the other kind changed
            written[kind] = 0
            continue
        area_filter = f"{alias}.id = ANY(:{kind}s)" if ids is not None else "true"
        result = await db_session.execute(
            text(sql.format(grave_filter=grave_filter, area_filter=area_filter)), params
        )
        written[kind] = result.rowcount
    return written


async def corridors_of_class(db_session: AsyncSession, corridor_class: str) -> list[int]:
    rows = await db_session.scalars(
        text("SELECT id FROM restricted_corridor WHERE corridor_class = :c"), {"c": corridor_class}
    )
    return list(rows)


async def summary(db_session: AsyncSession, within: str | None = None) -> dict:
    """Graves and grave counts by restriction class, and those not restricted; `within`:
    of the graves in that unit."""
    rows = (
        await db_session.execute(
            text("""
            SELECT r.area_kind, r.area_class, count(DISTINCT g.id) AS graves, sum(g.grave_count) AS grave_count
            FROM grave_restriction r JOIN grave g ON g.id = r.grave_id
            WHERE units_within(g.county_code, CAST(:within AS text))
            GROUP BY 1, 2 ORDER BY 1, 2"""),
            {"within": within},
        )
    ).mappings()
    free = (
        await db_session.execute(
            text("""
            SELECT count(*) AS graves, COALESCE(sum(grave_count), 0) AS grave_count FROM grave g
            WHERE NOT EXISTS (SELECT 1 FROM grave_restriction r WHERE r.grave_id = g.id)
              AND units_within(g.county_code, CAST(:within AS text))"""),
            {"within": within},
        )
    ).one()
    return {
        "by_class": [dict(r) for r in rows],
        "not_restricted": {"graves": free.graves, "grave_count": int(free.grave_count)},
    }
