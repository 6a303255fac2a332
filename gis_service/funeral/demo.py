"""Synthetic funeral data for demos and benchmarks, every row flagged source='demo'.

Nothing public ships Ordos funeral sites, roads, railways, rivers, restricted zones or
graves, so the demo invents plausible ones inside the real banner polygons: locations for
township seats and villages the register has not located (kept apart from the register,
in `demo_place_location`), corridors joining banner seats, zones of every type,
facilities near seats (one banner is left without a funeral home so that a gap shows),
and graves around villages and along corridors with a remediation history. Everything is
generated in SQL from fixed seeds, so runs repeat.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.home import HomeUnit
from gis_service.funeral.classification import classify

_COUNTIES = "SELECT code, name, geom FROM admin_unit WHERE level = 'county' AND code LIKE :home_like AND valid_to IS NULL"

_PLACES = f"""
WITH county AS ({_COUNTIES}),
towns AS (
    INSERT INTO demo_place_location (place_name_id, geom)
    SELECT p.id, (ST_Dump(ST_GeneratePoints(ST_Buffer(c.geom, -0.02), 1, p.id::int))).geom
    FROM place_name p JOIN county c ON c.code = left(p.unit_code, 6)
    WHERE p.level = 'township' AND p.geom IS NULL
    ON CONFLICT DO NOTHING
    RETURNING place_name_id, geom
)
INSERT INTO demo_place_location (place_name_id, geom)
SELECT v.id, (ST_Dump(ST_GeneratePoints(
           COALESCE(NULLIF(ST_Intersection(c.geom, ST_Buffer(t.geom, 0.07)), 'GEOMETRYCOLLECTION EMPTY'), c.geom),
           1, v.id::int))).geom
FROM place_name v
JOIN county c ON c.code = left(v.unit_code, 6)
JOIN place_name tp ON tp.unit_code = left(v.unit_code, 9) AND tp.level = 'township'
JOIN towns t ON t.place_name_id = tp.id
WHERE v.level = 'village' AND v.geom IS NULL
ON CONFLICT DO NOTHING
"""

# Corridors: a seat-to-seat network with a little wander, a railway beside it, a river
# and a reservoir shore. Seats are the banner polygons' interior points.
_CORRIDORS = f"""
WITH seat AS (
    SELECT code, name, ST_PointOnSurface(geom) AS pt, row_number() OVER (ORDER BY code) AS n
    FROM ({_COUNTIES}) c
), pair(a, b, cls, label) AS (VALUES
    (1, 3, 'expressway', '演示高速 东胜—伊金霍洛'), (3, 8, 'expressway', '演示高速 伊金霍洛—乌审'),
    (1, 4, 'national_road', '演示国道 东胜—达拉特'), (1, 5, 'national_road', '演示国道 东胜—准格尔'),
    (1, 7, 'provincial_road', '演示省道 东胜—杭锦'), (6, 9, 'provincial_road', '演示省道 鄂托克前—鄂托克'),
    (9, 7, 'provincial_road', '演示省道 鄂托克—杭锦'), (4, 5, 'railway', '演示铁路 达拉特—准格尔'),
    (1, 8, 'railway', '演示铁路 东胜—乌审'), (7, 8, 'river', '演示河道 杭锦—乌审')
), line AS (
    SELECT row_number() OVER () AS k, p.cls, p.label, sa.pt AS pa, sb.pt AS pb
    FROM pair p JOIN seat sa ON sa.n = p.a JOIN seat sb ON sb.n = p.b
)
INSERT INTO restricted_corridor (code, name, corridor_class, geom, source)
SELECT 'DEMO-C' || lpad(k::text, 2, '0'), label, cls,
       ST_Multi(ST_MakeLine(ARRAY[pa,
           ST_Translate(ST_LineInterpolatePoint(ST_MakeLine(pa, pb), 0.33), 0.03 * sin(k), 0.03 * cos(k)),
           ST_Translate(ST_LineInterpolatePoint(ST_MakeLine(pa, pb), 0.66), -0.02 * cos(k), 0.02 * sin(k)),
           pb])), 'demo'
FROM line
UNION ALL
SELECT 'DEMO-C99', '演示水库周边', 'reservoir',
       ST_Multi(ST_ExteriorRing(ST_Buffer(ST_Translate(pt, 0.15, -0.1), 0.02, 8))), 'demo'
FROM seat WHERE n = 2
"""

_ZONES = f"""
WITH county AS ({_COUNTIES}),
kind(t, n, name) AS (VALUES ('farmland', 1, '演示耕地'), ('forest', 2, '演示林地'), ('grassland', 3, '演示草原'),
    ('urban_park', 4, '演示城市公园'), ('scenic_area', 5, '演示风景名胜区'), ('cultural_relic', 6, '演示文物保护区'),
    ('water_source', 7, '演示水源保护区')),
centre AS (
    SELECT k.t, k.n, k.name, c.code, (ST_Dump(ST_GeneratePoints(ST_Buffer(c.geom, -0.05), 1, k.n * 100 + right(c.code, 2)::int))).geom AS pt,
           CASE WHEN k.t IN ('farmland', 'grassland', 'forest') THEN 0.09 ELSE 0.03 END AS r
    FROM kind k CROSS JOIN county c
)
INSERT INTO restricted_zone (code, name, zone_type, geom, source)
SELECT 'DEMO-Z' || code || n, name || ' ' || code, t,
       ST_Multi(ST_Intersection(ST_Scale(ST_Buffer(pt, r, 12), ST_MakePoint(1.3, 1.0), pt),
                                (SELECT ST_Union(geom) FROM county))), 'demo'
FROM centre
"""

_FACILITIES = f"""
WITH seat AS (
    SELECT code, name, ST_PointOnSurface(geom) AS pt, row_number() OVER (ORDER BY code) AS n FROM ({_COUNTIES}) c
), rural AS (
    SELECT a.code AS township_code, left(a.code, 6) AS county_code, a.name, d.geom,
           row_number() OVER (ORDER BY a.code) AS n
    FROM admin_unit a JOIN place_name p ON p.unit_code = a.code JOIN demo_place_location d ON d.place_name_id = p.id
    WHERE a.level = 'township' AND a.valid_to IS NULL AND a.code LIKE :home_like AND a.name !~ '(街道|开发区)$'
)
INSERT INTO funeral_facility (code, name, facility_type, status, capacity, used, county_code, township_code, geom, source)
SELECT 'DEMO-FH' || n, name || '殡仪馆（演示）', 'funeral_home', CASE WHEN n = 6 THEN 'building' ELSE 'operating' END,
       4, 2 + n % 3, code, NULL, ST_Translate(pt, 0.02, 0.01), 'demo' FROM seat
UNION ALL
SELECT 'DEMO-PC' || n, name || '公益性公墓（演示）', 'public_cemetery', CASE WHEN n IN (2, 9) THEN 'planned' ELSE 'operating' END,
       20000, 4000 + 900 * n, code, NULL, ST_Translate(pt, -0.04, 0.03), 'demo' FROM seat
UNION ALL
SELECT 'DEMO-AH' || n, name || '骨灰堂（演示）', 'ash_hall', 'operating', 8000, 1500, code, NULL,
       ST_Translate(pt, 0.01, -0.03), 'demo' FROM seat WHERE n IN (1, 2, 3)
UNION ALL
SELECT 'DEMO-CC1', '福寿园经营性公墓（演示）', 'commercial_cemetery', 'operating', 30000, 12000, code, NULL,
       ST_Translate(pt, 0.06, 0.05), 'demo' FROM seat WHERE n = 1
UNION ALL
SELECT 'DEMO-RC' || n, name || '农村公益性墓地（演示）', 'rural_cemetery', CASE WHEN n % 5 = 0 THEN 'building' ELSE 'operating' END,
       1500, 200 + 37 * n, county_code, township_code, ST_Translate(geom, 0.01, 0.01), 'demo'
FROM rural WHERE n % 2 = 1
"""

_ZONES_OF_BURIAL = f"""
WITH county AS ({_COUNTIES})
INSERT INTO burial_zone (code, name, zone_kind, geom, source)
SELECT 'DEMO-BZ' || code, name || CASE WHEN code IN ('150602', '150603', '150627') THEN '火葬区（演示）' ELSE '土葬改革区（演示）' END,
       CASE WHEN code IN ('150602', '150603', '150627') THEN 'cremation' ELSE 'burial_reform' END, geom, 'demo'
FROM county
"""

# Graves: anchored on places (70%) and on corridor lines (30%), offset up to 3 km or 600 m,
# inheriting the anchor's banner and township. Remediation is likelier for the kinds and
# corridors the targets name, and dated between the survey and today.
GRAVES_SQL = """
WITH anchor AS MATERIALIZED (
    SELECT row_number() OVER () - 1 AS i, a.* FROM (
        SELECT geom, county_code, township_code, false AS corridor FROM coverage_place
        UNION ALL
        SELECT pt, n.county_code, n.township_code, true
        FROM (SELECT ST_LineInterpolatePoint((ST_Dump(geom)).geom, f) AS pt
              FROM restricted_corridor, generate_series(0.0, 1.0, 0.005) f) c
        CROSS JOIN LATERAL (SELECT county_code, township_code FROM coverage_place cp
                            ORDER BY cp.geom <-> c.pt LIMIT 1) n
    ) a
), sizes AS (
    SELECT count(*) FILTER (WHERE NOT corridor) AS places, count(*) FILTER (WHERE corridor) AS lines FROM anchor
), draw AS (
    SELECT k, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6
    FROM generate_series(1, :count) k
), placed AS (
    SELECT d.*, a.county_code, a.township_code, a.corridor,
           ST_Project(a.geom::geography, CASE WHEN a.corridor THEN 600 ELSE 3000 END * sqrt(d.r2),
                      radians(360 * d.r3))::geometry AS pt,
           CASE WHEN d.r4 < 0.05 THEN 'hardened_large' WHEN d.r4 < 0.07 THEN 'living_person'
                WHEN d.r4 < 0.15 THEN 'historical_cluster' ELSE 'scattered' END AS kind,
           DATE '2021-01-01' + (d.r5 * 900)::int AS surveyed_on
    FROM draw d, sizes s
    JOIN LATERAL (SELECT * FROM anchor a WHERE a.i = CASE WHEN d.r1 < 0.3 AND s.lines > 0
                     THEN s.places + floor(d.r1 / 0.3 * s.lines) ELSE floor(d.r1 * s.places) END) a ON true
)
INSERT INTO grave (code, geom, grave_count, kind, county_code, township_code, surveyed_on, remediation_status,
                   remediation_method, remediated_on, source)
SELECT :prefix || k, ST_SetSRID(pt, 4490),
       CASE WHEN kind = 'historical_cluster' THEN 3 + (r6 * 20)::int ELSE 1 + (r6 < 0.2)::int END,
       kind, county_code, township_code, surveyed_on,
       CASE WHEN r6 < done THEN 'remediated' WHEN r6 < done + 0.1 THEN 'in_progress' ELSE 'not_started' END,
       CASE WHEN r6 < done THEN (ARRAY['relocated', 'deep_buried', 'levelled', 'hardening_removed', 'screened'])
           [CASE WHEN kind = 'hardened_large' THEN 4 ELSE 1 + (r2 * 4.99)::int % 5 END] END,
       CASE WHEN r6 < done THEN LEAST(CURRENT_DATE, surveyed_on + 30 + (r3 * (CURRENT_DATE - surveyed_on - 30))::int) END,
       'demo'
FROM (SELECT p.*, CASE WHEN p.kind IN ('hardened_large', 'living_person') THEN 0.9
                       WHEN p.corridor THEN 0.75 ELSE 0.45 END AS done FROM placed p) g
"""


async def generate_graves(
    db_session: AsyncSession, *, count: int, seed: float = 0.42, prefix: str = "DEMO-G"
) -> int:
    """Insert `count` synthetic graves (source='demo'); returns how many were written."""
    await db_session.execute(text("SELECT setseed(:s)"), {"s": seed})
    result = await db_session.execute(text(GRAVES_SQL), {"count": count, "prefix": prefix})
    return result.rowcount


async def load_demo_funeral(db_session: AsyncSession, *, home_code: str, graves: int = 20_000) -> dict:
    """Demo places, corridors, zones, facilities and graves, once (skipped when any exist)."""
    if await db_session.scalar(text("SELECT EXISTS (SELECT 1 FROM funeral_facility WHERE source = 'demo')")):
        return {}
    home = {"home_like": HomeUnit(home_code).like}
    done = {"place_locations": (await db_session.execute(text(_PLACES), home)).rowcount}
    done["corridors"] = (await db_session.execute(text(_CORRIDORS), home)).rowcount
    done["zones"] = (await db_session.execute(text(_ZONES), home)).rowcount
    done["burial_zones"] = (await db_session.execute(text(_ZONES_OF_BURIAL), home)).rowcount
    done["facilities"] = (await db_session.execute(text(_FACILITIES), home)).rowcount
    done["graves"] = await generate_graves(db_session, count=graves)
    await classify(db_session)
    return done
