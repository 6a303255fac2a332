"""Deriving boundary lines from the unit polygons, in SQL.

Two neighbouring polygons should share an edge; in real data they almost do. For each
adjacent pair of county-level units we take, in metres (the Gauss-Krueger zone of the
pair), B's outline where A's outline, snapped within a tolerance, runs along it. We
report how far the two sides disagree (the largest distance from the line to A's
outline) and how much the two polygons overlap, so that a person can judge the line.

County-level lines are derived for every pair that involves a unit within the home
(the whole country, a province, a prefecture or a county); city and provincial lines
are unions of those, grouped by city or province, at the levels the home manages.

The derived lines are staged in a temporary table, then merged into boundary_line:
unchanged lines keep their version, changed derived lines get a new version, and
surveyed or agreed lines are never overwritten by derivation.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.home import HomeUnit

# The SRID of the CGCS2000 Gauss-Krueger 3-degree zone (EPSG:4534-4554, no zone prefix)
# a geometry lies in: metres wherever in China it is.
GK_ZONE_SRID = "(4534 + greatest(25, least(45, round(ST_X(ST_PointOnSurface({g})) / 3)::int)) - 25)"
MIN_LINE_LENGTH_M = 200  # shorter shared stretches are corner contacts, not lines

_STAGE = """
CREATE TEMP TABLE derived_line (
    code varchar(32), level varchar(10), name text, left_code varchar(12),
    right_code varchar(12), scope text, geom geometry(MultiLineString, 4490),
    max_gap_m double precision, overlap_m2 double precision
) ON COMMIT DROP
"""

# The county-level partition: counties, and prefecture-level cities that have no counties
# of their own (Dongguan, Jiayuguan, Danzhou), which meet their neighbours as counties do.
COUNTY_LEVEL_UNITS = """
SELECT x.code, x.name, x.level, x.parent_code, x.geom FROM admin_unit x
WHERE x.valid_to IS NULL AND x.geom IS NOT NULL
  AND (x.level = 'county' OR (x.level = 'city' AND NOT EXISTS (
       SELECT 1 FROM admin_unit c WHERE c.parent_code = x.code AND c.level = 'county'
         AND c.valid_to IS NULL)))
"""

# Candidate pairs come from the units' boxes (small values: comparing the polygons
# themselves pair by pair would read every outline thousands of times nationwide). Each
# pair's outlines are then clipped to where the two can meet (their boxes' overlap plus a
# margin) and measured in the Gauss-Krueger 3-degree zone of the first unit (CGCS2000,
# EPSG:4534-4554), so metres stay true from Xinjiang to Heilongjiang.
_COUNTY_LINES = f"""
INSERT INTO derived_line (code, level, name, left_code, right_code, geom, max_gap_m, overlap_m2)
WITH u AS MATERIALIZED (
    SELECT code, name, geom, left(code, length(:prefix)) = :prefix AS home,
           ST_Expand(ST_Envelope(geom), :margin) AS box,
           {GK_ZONE_SRID.format(g="geom")} AS srid
    FROM ({COUNTY_LEVEL_UNITS}) p
), pairs AS (
    SELECT a.code AS ac, b.code AS bc, a.name AS an, b.name AS bn, a.home AS a_home, b.home AS b_home,
           a.srid, a.geom AS ag, b.geom AS bg, box2d(ST_Intersection(a.box, b.box)) AS w
    FROM u a JOIN u b ON a.code < b.code AND a.box && b.box
    WHERE a.home OR b.home
), clipped AS (
    SELECT ac, bc, an, bn, a_home, b_home, srid,
           ST_Transform(ST_ClipByBox2D(ST_Boundary(ag), w), srid) AS la,
           ST_Transform(ST_ClipByBox2D(ST_Boundary(bg), w), srid) AS lb,
           -- clipping may leave a polygon self-touching: repaired, it is still the same area
           ST_MakeValid(ST_Transform(ST_ClipByBox2D(ag, w), srid)) AS pa,
           ST_MakeValid(ST_Transform(ST_ClipByBox2D(bg, w), srid)) AS pb
    FROM pairs WHERE NOT ST_IsEmpty(w::geometry)
), shared AS (
    -- A's outline snapped onto B's within the tolerance, then the part lying on B's
    -- outline: exact where the sources share vertices, tolerant where they do not.
    SELECT c.*, ST_LineMerge(ST_CollectionExtract(ST_Intersection(ST_Snap(la, lb, :tol), lb), 2)) AS line
    FROM clipped c WHERE ST_DWithin(la, lb, :tol)
), sides AS (
    -- The gap: how far the line (on B's outline) strays from A's outline at most.
    SELECT s.*, ST_Intersection(pa, pb) AS overlap,
           (SELECT max(ST_Distance(v.geom, la)) FROM ST_DumpPoints(line) v) AS gap
    FROM shared s WHERE NOT ST_IsEmpty(line)
)
SELECT ac || '-' || bc, 'county',
       CASE WHEN a_home OR NOT b_home THEN an || '—' || bn ELSE bn || '—' || an END,
       ac, bc, ST_Multi(ST_Transform(line, 4490)), gap,
       COALESCE(ST_Area(ST_Transform(ST_CollectionExtract(overlap, 3), 4490)::geography), 0)
FROM sides WHERE ST_Length(line) >= :min_len
"""

# City and provincial lines are unions of the county lines between units of different
# cities or provinces. The home's side is named first; a line above the home's own level
# keeps only the stretch along the home, and its scope says so.
_GROUPED_LINES = """
INSERT INTO derived_line (code, level, name, left_code, right_code, scope, geom, max_gap_m,
                          overlap_m2)
WITH side AS (
    SELECT code, CASE WHEN level = 'city' THEN code ELSE parent_code END AS city,
           left(code, 2) || '0000' AS province
    FROM admin_unit WHERE valid_to IS NULL AND level IN ('county', 'city')
), parts AS (
    SELECT d.geom, d.max_gap_m, d.overlap_m2, l.city AS lc, r.city AS rc,
           l.province AS lp, r.province AS rp
    FROM derived_line d JOIN side l ON l.code = d.left_code JOIN side r ON r.code = d.right_code
    WHERE d.level = 'county'
), grouped AS (
    SELECT 'city' AS level, 4 AS digits, least(lc, rc) AS a, greatest(lc, rc) AS b, geom, max_gap_m,
           overlap_m2
    FROM parts WHERE lc <> rc AND 'city' = ANY(:levels)
    UNION ALL
    SELECT 'province', 2, least(lp, rp), greatest(lp, rp), geom, max_gap_m, overlap_m2
    FROM parts WHERE lp <> rp AND 'province' = ANY(:levels)
)
SELECT g.a || '-' || g.b, g.level,
       CASE WHEN left(g.b, g.digits) = left(:home, g.digits) THEN bu.name || '—' || au.name
            ELSE au.name || '—' || bu.name END,
       g.a, g.b,
       CASE WHEN g.level = ANY(:scoped)
            THEN (SELECT name || '段' FROM admin_unit WHERE code = :home AND valid_to IS NULL) END,
       ST_Multi(ST_LineMerge(ST_Union(g.geom))), max(g.max_gap_m), sum(g.overlap_m2)
FROM grouped g
JOIN admin_unit au ON au.code = g.a AND au.valid_to IS NULL
JOIN admin_unit bu ON bu.code = g.b AND bu.valid_to IS NULL
GROUP BY g.level, g.digits, g.a, g.b, au.name, bu.name
"""

_MERGE = """
WITH changed AS (
    UPDATE boundary_line b SET valid_to = now()
    FROM derived_line d
    WHERE b.code = d.code AND b.valid_to IS NULL AND b.source = 'derived'
      AND NOT ST_Equals(b.geom, d.geom)
    RETURNING b.code, b.version
)
INSERT INTO boundary_line (code, version, level, name, left_code, right_code, scope, geom, length_m,
                           source, tolerance_m, max_gap_m, overlap_m2,
                           technical_status, changed_by, change_note)
SELECT d.code, COALESCE(c.version, 0) + 1, d.level, d.name, d.left_code, d.right_code, d.scope,
       d.geom, ST_Length(d.geom::geography), 'derived', :tol, d.max_gap_m, d.overlap_m2,
       CASE WHEN d.max_gap_m <= 1 AND d.overlap_m2 < 1 THEN 'edge_matched' ELSE 'not_edge_matched' END,
       :actor, CASE WHEN c.code IS NULL THEN 'derived from unit polygons' ELSE 're-derived: polygons changed' END
FROM derived_line d LEFT JOIN changed c ON c.code = d.code
WHERE c.code IS NOT NULL
   OR NOT EXISTS (SELECT 1 FROM boundary_line b WHERE b.code = d.code AND b.valid_to IS NULL)
"""

# End points of every current line, and those where a third county unit meets it.
# End points of every current line, and those where a third unit of the line's own
# level (county, city or province polygons) meets it: the tri-junctions.
_JUNCTIONS = """
UPDATE boundary_line l SET
    end_points = ST_Multi(ST_Boundary(l.geom))::geometry(MultiPoint, 4490),
    tri_junctions = (
        SELECT ST_Multi(ST_Collect(p.geom))
        FROM ST_DumpPoints(ST_Boundary(l.geom)) p
        WHERE EXISTS (
            SELECT 1 FROM admin_unit c
            WHERE c.level = l.level AND c.valid_to IS NULL AND c.geom IS NOT NULL
              AND c.code NOT IN (l.left_code, l.right_code)
              AND c.geom && ST_Expand(p.geom, 0.01)
              AND ST_DWithin(c.geom, p.geom, :tol / 50000.0)  -- cheap: a degree is at least 50 km
              AND ST_DWithin(c.geom::geography, p.geom::geography, :tol))
    )::geometry(MultiPoint, 4490)
WHERE l.valid_to IS NULL
"""


async def derive_lines(
    db_session: AsyncSession, *, home_code: str, tolerance_m: float, actor: str
) -> dict[str, int]:
    """Derive the lines the home unit manages (see `HomeUnit.line_levels`); returns counts
    by level."""
    home = HomeUnit(home_code)
    # the clipping margin in degrees: three tolerances (a degree is at least 50 km here)
    margin = max(0.002, 3 * tolerance_m / 50_000)
    params = {"prefix": home.prefix, "tol": tolerance_m, "min_len": MIN_LINE_LENGTH_M, "margin": margin}
    await db_session.execute(text(_STAGE))
    await db_session.execute(text(_COUNTY_LINES), params)
    await db_session.execute(
        text(_GROUPED_LINES),
        {"home": home_code, "levels": list(home.line_levels), "scoped": list(home.scoped_line_levels)},
    )
    inserted = (await db_session.execute(text(_MERGE), {**params, "actor": actor})).rowcount
    await db_session.execute(text(_JUNCTIONS), {"tol": tolerance_m})
    rows = await db_session.execute(text("SELECT level, count(*) FROM derived_line GROUP BY level"))
    counts = {level: n for level, n in rows.all()}
    counts["new_versions"] = inserted or 0
    return counts
