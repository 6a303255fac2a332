"""The unit a deployment serves: the whole country, a province, a prefecture or a county.

Its six-digit code says its level (GB/T 2260: `XX0000` a province, `XXYY00` a
prefecture, anything else a county; `100000` the country) and which units lie within
it (those whose codes start with its prefix). Which boundary lines it manages follows
from its level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

COUNTRY_CODE = "100000"
COUNTRY_NAME = "中华人民共和国"

# The lines each level of bureau keeps on record. A prefecture also records the stretch of
# its province's line that runs along it (its `scope`).
LINE_LEVELS = {
    "country": ("province", "county"),
    "province": ("province", "county"),
    "city": ("province", "city", "county"),
    "county": ("county",),
}


@dataclass(frozen=True)
class HomeUnit:
    code: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[1-9]\d{5}", self.code):
            raise ValueError(f"a home unit is a six-digit division code, not {self.code!r}")

    @property
    def level(self) -> str:
        if self.code == COUNTRY_CODE:
            return "country"
        if self.code.endswith("0000"):
            return "province"
        if self.code.endswith("00"):
            return "city"
        return "county"

    @property
    def prefix(self) -> str:
        """The code prefix every unit within the home shares ('' for the country)."""
        return {"country": "", "province": self.code[:2], "city": self.code[:4]}.get(self.level, self.code)

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)

    @property
    def like(self) -> str:
        """A LIKE pattern for the codes within the home, villages included."""
        return self.prefix + "%"

    @property
    def line_levels(self) -> tuple[str, ...]:
        return LINE_LEVELS[self.level]

    @property
    def scoped_line_levels(self) -> tuple[str, ...]:
        """Line levels above the home's own: only the stretch along the home is kept."""
        return ("province",) if self.level == "city" else ()


# The generic a romanised unit name ends with, left out of the English title.
_GENERIC_WORDS = {
    "Sheng",
    "Shi",
    "Meng",
    "Diqu",
    "Zizhiqu",
    "Zizhizhou",
    "Xian",
    "Qi",
    "Qu",
    "Zizhixian",
    "Zizhiqi",
}

_SUMMARY = text("""
SELECT (SELECT name FROM admin_unit WHERE code = :code AND valid_to IS NULL) AS name,
       (SELECT name_romanized FROM admin_unit WHERE code = :code AND valid_to IS NULL) AS name_romanized,
       ST_XMin(e) AS w, ST_YMin(e) AS s, ST_XMax(e) AS e, ST_YMax(e) AS n
FROM (SELECT ST_Extent(geom) AS e FROM admin_unit
      WHERE level IN ('county', 'city') AND code LIKE :like AND valid_to IS NULL AND geom IS NOT NULL) x
""")
_summaries: dict[str, dict] = {}


async def describe(db_session: AsyncSession, code: str) -> dict:
    """The home's names (Chinese, and its romanised form without the generic) and its
    extent as [[south, west], [north, east]], read once per process."""
    if code not in _summaries:
        home = HomeUnit(code)
        row = (await db_session.execute(_SUMMARY, {"code": code, "like": home.like})).one()
        name = row.name or (COUNTRY_NAME if home.level == "country" else code)
        words = (row.name_romanized or ("China" if home.level == "country" else code)).split()
        short = " ".join(words[:-1]) if len(words) > 1 and words[-1] in _GENERIC_WORDS else " ".join(words)
        bounds = [[row.s, row.w], [row.n, row.e]] if row.w is not None else None
        _summaries[code] = {
            "code": code,
            "level": home.level,
            "name": name,
            "name_en": short,
            "bounds": bounds,
        }
    return _summaries[code]
