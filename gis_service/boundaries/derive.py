"""Deriving boundary lines from the unit polygons, in SQL.

Two neighbouring polygons should share an edge; in real data they almost do. For
each adjacent pair we take the part of each unit's outline that lies within a
tolerance of the other unit, in a local transverse Mercator (metres): B's outline where A's outline, snapped
within a tolerance, runs along it. We report how far the two sides disagree (the
largest distance from the line to A's outline) and how much the two polygons overlap, so that a person can judge the line. County-level lines are derived
for every pair that involves a unit of the home city; city and provincial lines are
unions of those, grouped by the neighbour's city or province.

The derived lines are staged in a temporary table, then merged into boundary_line:
unchanged lines keep their version, changed derived lines get a new version, and
surveyed or agreed lines are never overwritten by derivation.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Metres around Ordos: a transverse Mercator on GRS80 centred between zones 36 and 37.
LOCAL_TM = "+proj=tmerc +lat_0=0 +lon_0=109 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"
MIN_LINE_LENGTH_M = 200  # shorter shared stretches are corner contacts, not lines

_STAGE = """
CREATE TEMP TABLE derived_line (
    code varchar(32), level varchar(10), name text, left_code varchar(12),
    right_code varchar(12), scope text, geom geometry(MultiLineString, 4490),
    max_gap_m double precision, overlap_m2 double precision
) ON COMMIT DROP
"""

_COUNTY_LINES = """
INSERT INTO derived_line (code, level, name, left_code, right_code, geom, max_gap_m, overlap_m2)
WITH u AS (
    SELECT code, name, parent_code, ST_Transform(geom, :proj) AS g
    FROM admin_unit WHERE level = 'county' AND valid_to IS NULL AND geom IS NOT NULL
), pairs AS (
    SELECT a.code AS ac, b.code AS bc, a.name AS an, b.name AS bn,
           a.parent_code = :home AS a_home, a.g AS ag, b.g AS bg
    FROM u a JOIN u b ON a.code < b.code AND ST_DWithin(a.g, b.g, :tol)
    WHERE a.parent_code = :home OR b.parent_code = :home
), shared AS (
    -- A's outline snapped onto B's within the tolerance, then the part lying on B's
    -- outline: exact where the sources share vertices, tolerant where they do not.
    SELECT p.*, ST_LineMerge(ST_CollectionExtract(ST_Intersection(
               ST_Snap(ST_Boundary(ag), ST_Boundary(bg), :tol), ST_Boundary(bg)), 2)) AS line
    FROM pairs p
), sides AS (
    -- The gap: how far the line (on B's outline) strays from A's outline at most.
    SELECT s.*, ST_Intersection(ag, bg) AS overlap,
           (SELECT max(ST_Distance(v.geom, ST_Boundary(ag))) FROM ST_DumpPoints(line) v) AS gap
    FROM shared s WHERE NOT ST_IsEmpty(line)
)
SELECT ac || '-' || bc, 'county',
       CASE WHEN a_home THEN an || '—' || bn ELSE bn || '—' || an END,
       ac, bc, ST_Multi(ST_Transform(line, :proj, 4490)), gap,
       COALESCE(ST_Area(ST_Transform(ST_CollectionExtract(overlap, 3), :proj, 4490)::geography), 0)
FROM sides WHERE ST_Length(line) >= :min_len
"""

# Home city against each neighbouring city or league, and the home province against
# each neighbouring province (only the stretch along the home city: scope says so).
_GROUPED_LINES = """
INSERT INTO derived_line (code, level, name, left_code, right_code, scope, geom, max_gap_m,
                          overlap_m2)
WITH parts AS (
    SELECT d.*, u.code AS home_unit, o.code AS other_unit, o.parent_code AS other_city
    FROM derived_line d
    JOIN admin_unit u ON u.code IN (d.left_code, d.right_code) AND u.parent_code = :home AND u.valid_to IS NULL
    JOIN admin_unit o ON o.code IN (d.left_code, d.right_code) AND o.parent_code <> :home AND o.valid_to IS NULL
    WHERE d.level = 'county'
), grouped AS (
    SELECT 'city' AS level, other_city AS other, NULL::text AS scope, geom, max_gap_m, overlap_m2
    FROM parts
    UNION ALL
    SELECT 'province', left(other_city, 2) || '0000',
           (SELECT name || '段' FROM admin_unit WHERE code = :home AND valid_to IS NULL), geom, max_gap_m, overlap_m2
    FROM parts WHERE left(other_city, 2) <> left(:home, 2)
), home AS (
    SELECT 'city' AS level, :home AS code UNION ALL SELECT 'province', left(:home, 2) || '0000'
)
SELECT least(h.code, g.other) || '-' || greatest(h.code, g.other), g.level,
       hu.name || '—' || ou.name, least(h.code, g.other), greatest(h.code, g.other), g.scope,
       ST_Multi(ST_LineMerge(ST_Union(g.geom))), max(g.max_gap_m), sum(g.overlap_m2)
FROM grouped g JOIN home h ON h.level = g.level
JOIN admin_unit hu ON hu.code = h.code AND hu.valid_to IS NULL
JOIN admin_unit ou ON ou.code = g.other AND ou.valid_to IS NULL
GROUP BY g.level, h.code, g.other, g.scope, hu.name, ou.name
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
              AND ST_DWithin(c.geom::geography, p.geom::geography, :tol))
    )::geometry(MultiPoint, 4490)
WHERE l.valid_to IS NULL
"""


async def derive_lines(
    db_session: AsyncSession, *, home_code: str, tolerance_m: float, actor: str
) -> dict[str, int]:
    """Derive county, city and provincial lines around `home_code`; returns counts by level."""
    params = {"proj": LOCAL_TM, "home": home_code, "tol": tolerance_m, "min_len": MIN_LINE_LENGTH_M}
    await db_session.execute(text(_STAGE))
    await db_session.execute(text(_COUNTY_LINES), params)
    await db_session.execute(text(_GROUPED_LINES), params)
    inserted = (await db_session.execute(text(_MERGE), {**params, "actor": actor})).rowcount
    await db_session.execute(text(_JUNCTIONS), {"tol": tolerance_m})
    rows = await db_session.execute(text("SELECT level, count(*) FROM derived_line GROUP BY level"))
    counts = {level: n for level, n in rows.all()}
    counts["new_versions"] = inserted or 0
    return counts
