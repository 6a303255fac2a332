"""Turning the statistical register's committee names into standard place names, and
splitting a name into its specific (专名) and generic (通名) parts."""

from __future__ import annotations

import re
from functools import lru_cache

from gis_service.placenames.reference import categories, generics

# Committee suffixes in the NBS register and the generic of the place they stand for:
# "…嘎查村民委员会" is the gacha "…嘎查", "…社区居民委员会" the community "…社区".
_COMMITTEE = [
    (re.compile(r"嘎查(村民委员会|村委员会|村委会|村)$"), "嘎查"),
    (re.compile(r"社区(居民委员会|居委会)$"), "社区"),
    (re.compile(r"(居民委员会|居委会)$"), "社区"),
    (re.compile(r"村?(村民委员会|村委员会|村委会)$"), "村"),
]


def standard_name(committee_name: str) -> str:
    name = committee_name.strip()
    for pattern, generic in _COMMITTEE:
        if pattern.search(name):
            return pattern.sub("", name) + generic
    return name


@lru_cache(maxsize=65536)  # a national register splits the same names again and again
def split_name(name: str) -> tuple[str, str]:
    """(specific, generic). A name that is all generic (e.g. "新区") keeps it as specific."""
    for generic in generics():
        if name.endswith(generic) and len(name) > len(generic):
            return name[: -len(generic)], generic
    return name, ""


def category_for(generic: str, level: str | None) -> str | None:
    """The most specific category whose generics include this one, preferring the
    category of the place's administrative level."""
    matches = [c for c in categories() if generic and generic in c.generics]
    for c in matches:
        if level and c.level == level:
            return c.code
    return matches[0].code if matches else None
