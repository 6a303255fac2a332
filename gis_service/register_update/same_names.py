"""Same-name statistics (重名统计), as the national place-name database keeps them: the
names that more than one place in force shares within one county, one city or one
province, each with its places. Any unit, the whole country included: a place's county,
city and province are its code's first 6, 4 and 2 digits."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.home import HomeUnit

SCOPES = {"county": 6, "city": 4, "province": 2}
IN_FORCE = ("standard", "variant", "pending", "non_standard")


def scope_of(unit: str, within: str) -> str:
    """The code of the county, city or province of `unit` that names are compared within."""
    return unit[: SCOPES[within]].ljust(6, "0")


_SQL = """
WITH names AS (
    SELECT p.id, p.name, p.level, coalesce(p.unit_code, p.admin_code) AS code, p.admin_code
    FROM place_name p
    WHERE p.status = ANY(:in_force) AND coalesce(p.unit_code, p.admin_code) LIKE :like
      AND length(coalesce(p.unit_code, p.admin_code)) >= :digits
), shared AS (
    SELECT left(code, :digits) AS scope, name, count(*) AS places
    FROM names GROUP BY 1, 2 HAVING count(*) > 1
), counted AS (
    SELECT count(*) AS groups, coalesce(sum(places), 0) AS places FROM shared
), listed AS (
    SELECT * FROM shared ORDER BY places DESC, scope, name LIMIT :limit
)
SELECT l.scope, (SELECT a.name FROM admin_unit a WHERE a.code = l.scope AND a.valid_to IS NULL) AS scope_name,
       l.name, l.places,
       (SELECT json_agg(json_build_object('id', n.id, 'code', n.code, 'level', n.level, 'admin_code', n.admin_code,
                                          'admin_name', (SELECT a.name FROM admin_unit a
                                                         WHERE a.code = n.admin_code AND a.valid_to IS NULL))
                        ORDER BY n.code)
        FROM names n WHERE left(n.code, :digits) = l.scope AND n.name = l.name) AS members,
       c.groups, c.places AS total_places
FROM counted c LEFT JOIN listed l ON true
ORDER BY l.places DESC, l.scope, l.name
"""


async def same_names(db_session: AsyncSession, *, unit: str, within: str, limit: int) -> dict:
    digits = SCOPES[within]
    rows = (
        await db_session.execute(
            text(_SQL),
            {"in_force": list(IN_FORCE), "like": HomeUnit(unit).like, "digits": digits, "limit": limit},
        )
    ).all()
    first = rows[0] if rows else None
    return {
        "unit": unit,
        "within": within,
        "groups": first.groups if first else 0,
        "places": int(first.total_places) if first else 0,
        "names": [
            {
                "scope": r.scope,
                "scope_name": r.scope_name,
                "name": r.name,
                "places": r.places,
                "members": r.members,
            }
            for r in rows
            if r.scope is not None
        ],
    }
