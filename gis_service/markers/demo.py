"""Demo markers along the real derived county lines, flagged source='demo'.

Nothing public ships Ordos marker coordinates, so demos and tests use generated ones:
single markers (Q) every few kilometres, numbered from 001 from the west end of a line
(north end for lines running north-south), and a same-number triple marker (C/D/E)
10 m from every tri-junction, one on each of the three lines that meet there.
Attributes (material, burial date, reference objects, elevation) are plausible but
invented; they are deterministic so that runs are repeatable.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

SPACING_M = 3_800  # ~1,000 markers on Ordos' county lines, as on the ground

_SINGLES = """
WITH lines AS (
    SELECT code, left_code, geom,
           ST_XMax(geom) - ST_XMin(geom) >= ST_YMax(geom) - ST_YMin(geom) AS east_west
    FROM boundary_line WHERE level = 'county' AND valid_to IS NULL
), parts AS (
    -- orient every part west->east (or north->south) and order the parts the same way
    SELECT l.code, l.left_code, l.east_west,
           CASE WHEN (l.east_west AND ST_X(ST_StartPoint(d.geom)) > ST_X(ST_EndPoint(d.geom)))
                  OR (NOT l.east_west AND ST_Y(ST_StartPoint(d.geom)) < ST_Y(ST_EndPoint(d.geom)))
                THEN ST_Reverse(d.geom) ELSE d.geom END AS g
    FROM lines l, ST_Dump(l.geom) d
), points AS (
    SELECT p.code, p.left_code, p.east_west, p.g, n,
           ST_LineInterpolatePoint(p.g, LEAST(1.0, (n - 0.5) * :spacing / ST_Length(p.g::geography))) AS pt
    FROM parts p, generate_series(1, GREATEST(1, round(ST_Length(p.g::geography) / :spacing)::int)) n
)
INSERT INTO boundary_marker (code, line_code, seq, type_suffix, marker_type, material, geom, gk_zone,
    gk_x, gk_y, source)
SELECT code || '-' || lpad(seq::text, 3, '0') || 'Q', code, seq, 'Q', 'single',
       'granite', pt, 0, 0, 0, 'demo'
FROM (SELECT code, pt, row_number() OVER (PARTITION BY code ORDER BY
          CASE WHEN east_west THEN ST_X(pt) ELSE -ST_Y(pt) END) AS seq FROM points) s
"""

_TRIPLES = """
WITH junctions AS (
    SELECT DISTINCT ON (ST_AsText(ST_SnapToGrid(p.geom, 1e-6))) p.geom AS pt, l.code AS first_line
    FROM boundary_line l, ST_Dump(l.tri_junctions) p
    WHERE l.level = 'county' AND l.valid_to IS NULL
    ORDER BY ST_AsText(ST_SnapToGrid(p.geom, 1e-6)), l.code
), numbered AS (
    SELECT j.*, (SELECT COALESCE(max(seq), 0) FROM boundary_marker b WHERE b.line_code = j.first_line)
                + row_number() OVER (PARTITION BY j.first_line ORDER BY ST_X(j.pt), ST_Y(j.pt)) AS seq
    FROM junctions j
), meeting AS (
    -- the part of each line that ends at the junction, lowest line code first
    SELECT n.pt, l.code, (SELECT d.geom FROM ST_Dump(l.geom) d
                          ORDER BY ST_Distance(d.geom, n.pt) LIMIT 1) AS part,
           row_number() OVER (PARTITION BY n.pt ORDER BY l.code) AS k
    FROM numbered n JOIN boundary_line l
      ON l.level = 'county' AND l.valid_to IS NULL AND ST_DWithin(l.geom, n.pt, 1e-4)
), placed AS (
    -- C, D, E 10 m along the first three lines; where fewer lines are known (the third
    -- unit lies outside the derived area), the marker stands at the junction itself
    SELECT n.first_line, n.seq, (ARRAY['C','D','E'])[k.k] AS suffix,
           COALESCE(CASE WHEN m.part IS NULL THEN NULL
                         WHEN ST_Distance(ST_StartPoint(m.part), n.pt) <= ST_Distance(ST_EndPoint(m.part), n.pt)
                         THEN ST_LineInterpolatePoint(m.part, LEAST(1.0, 10 / ST_Length(m.part::geography)))
                         ELSE ST_LineInterpolatePoint(m.part, GREATEST(0.0, 1 - 10 / ST_Length(m.part::geography)))
                    END, n.pt) AS pt
    FROM numbered n CROSS JOIN generate_series(1, 3) AS k(k)
    LEFT JOIN meeting m ON m.pt = n.pt AND m.k = k.k
)
INSERT INTO boundary_marker (code, line_code, seq, type_suffix, marker_type, material, geom, gk_zone,
    gk_x, gk_y, source)
SELECT first_line || '-' || lpad(seq::text, 3, '0') || suffix, first_line, seq, suffix, 'triple',
       'granite', pt, 0, 0, 0, 'demo'
FROM placed
"""

# Gauss-Krueger zone coordinates (EPSG:4513+zone-25) and invented attributes.
_ATTRIBUTES = """
UPDATE boundary_marker m SET
    gk_zone = z.zone,
    gk_x = ST_Y(ST_Transform(m.geom, 4513 + z.zone - 25)),
    gk_y = ST_X(ST_Transform(m.geom, 4513 + z.zone - 25)),
    material = (ARRAY['granite','concrete','granite','steel'])[1 + (m.id % 4)],
    elevation_m = round((1150 + (hashtext(m.code) & 1023) * 0.4)::numeric, 1),
    buried_on = DATE '2002-05-01' + ((hashtext(m.code || 'b') & 4095) % 3000),
    is_smart = (hashtext(m.code || 's') & 31) = 0,
    custodian_code = CASE WHEN hashtext(m.code || 'c') & 1 = 0
                          THEN split_part(m.line_code, '-', 1) ELSE split_part(m.line_code, '-', 2) END,
    reference_objects = (SELECT jsonb_agg(jsonb_build_object(
            'name', (ARRAY['电线杆 (demo)','独立树 (demo)','房角 (demo)','桥墩 (demo)','路口 (demo)'])[1 + ((hashtext(m.code || i) & 1023) % 5)],
            'bearing_deg', round(((hashtext(m.code || i || 'a') & 32767) % 36000) / 100.0, 2),
            'distance_m', round((20 + (hashtext(m.code || i || 'd') & 1023) % 180)::numeric, 1)))
        FROM generate_series(1, 3) i)
FROM (SELECT id, round(ST_X(geom) / 3)::int AS zone FROM boundary_marker) z
WHERE z.id = m.id AND m.source = 'demo' AND m.gk_zone = 0
"""


async def load_demo_markers(db_session: AsyncSession, *, home_code: str) -> int:
    """Generate demo markers once (nothing happens if any marker exists)."""
    if await db_session.scalar(text("SELECT EXISTS (SELECT 1 FROM boundary_marker)")):
        return 0
    params = {"spacing": SPACING_M}
    await db_session.execute(text(_SINGLES), params)
    await db_session.execute(text(_TRIPLES), params)
    await db_session.execute(text(_ATTRIBUTES))
    return await db_session.scalar(text("SELECT count(*) FROM boundary_marker"))
