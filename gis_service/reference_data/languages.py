"""Minority-language areas: where place names come from a language other than Chinese,
so their Latin forms need transliteration review rather than plain pinyin (the national
rule since 1976: such names are romanised from the minority language).

An area is known by its official name: an autonomous region, prefecture, league, county
or banner names its peoples (海西蒙古族藏族自治州 → Mongolian and Tibetan). The four
autonomous regions whose titular language is written in its own script are listed by
code; Ningxia's Hui speak Chinese and need no transliteration.
"""

from __future__ import annotations

from collections.abc import Iterable

# What a generated Latin form's source says in such an area (the register reads it back:
# a name there is not taken for Chinese because its generated form is pinyin).
LANGUAGE_REVIEW = "need transliteration review"

# ISO 639 codes of the languages named by autonomous areas.
PEOPLES = {
    "蒙古族": "mn",
    "藏族": "bo",
    "维吾尔": "ug",
    "壮族": "za",
    "彝族": "ii",
    "朝鲜族": "ko",
    "哈萨克": "kk",
    "柯尔克孜": "ky",
    "傣族": "tdd",
    "景颇族": "kac",
    "傈僳族": "lis",
    "哈尼族": "hni",
    "苗族": "hmn",
    "布依族": "pcc",
    "侗族": "kmc",
    "白族": "bca",
    "土家族": "tji",
    "黎族": "lic",
    "羌族": "cng",
    "瑶族": "ium",
    "土族": "mjg",
    "撒拉族": "slr",
    "锡伯族": "sjo",
    "达斡尔族": "dta",
    "鄂温克族": "evn",
    "鄂伦春族": "orh",
    "塔吉克": "sqy",
    "水族": "swi",
    "纳西族": "nxq",
    "佤族": "wbm",
}
# Province-level autonomous regions by code prefix (their names say 维吾尔/壮族 too, but
# 内蒙古 and 西藏 do not name a people).
REGIONS = {"15": ["mn"], "54": ["bo"], "65": ["ug"], "45": ["za"]}


def _peoples(name: str) -> list[str]:
    if "自治" not in name:
        return []
    found = sorted((name.find(people), lang) for people, lang in PEOPLES.items() if people in name)
    return [lang for _, lang in found]


def language_areas(units: Iterable) -> dict[str, list[str]]:
    """Code prefix → languages, from the units' names (objects with .code, .name, .level)."""
    areas = dict(REGIONS)
    for u in units:
        langs = _peoples(u.name)
        if langs:
            prefix = {"province": u.code[:2], "city": u.code[:4]}.get(u.level, u.code)
            areas[prefix] = langs
    return areas


def languages_of(code: str, areas: dict[str, list[str]]) -> list[str]:
    """The languages of every area the unit lies in, outermost first, without repeats."""
    langs: list[str] = []
    for prefix in sorted((p for p in areas if code.startswith(p)), key=len):
        langs += [lang for lang in areas[prefix] if lang not in langs]
    return langs
