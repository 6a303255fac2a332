"""The funeral domain's fixed vocabularies with Chinese and English labels (docs/domain.md).
The database CHECK constraints hold the same codes; corridor classes and their widths are
data (table `corridor_class`) because they are settings."""

from __future__ import annotations

FACILITY_TYPES = {
    "funeral_home": ("殡仪馆", "Funeral home"),
    "public_cemetery": ("公益性公墓", "Public-welfare cemetery"),
    "rural_cemetery": ("农村公益性墓地", "Rural public-welfare cemetery"),
    "commercial_cemetery": ("经营性公墓", "Commercial cemetery"),
    "ash_hall": ("骨灰堂", "Ash hall"),
    "eco_burial": ("生态安葬点", "Eco-burial site"),
}
# Facilities that count as public-welfare burial (the plan's "public-welfare sites").
PUBLIC_WELFARE_BURIAL = ("public_cemetery", "rural_cemetery", "ash_hall", "eco_burial")
# Rural townships are sums (苏木), towns (镇) and townships (乡). Subdistricts (街道),
# development zones (…开发区), industrial parks (…园区) and the like are township-level
# units too, but have no rural population for a rural cemetery to serve.
RURAL_TOWNSHIP_SUFFIXES = ("苏木", "镇", "乡")


def is_rural_township(name: str) -> bool:
    return name.endswith(RURAL_TOWNSHIP_SUFFIXES)


FACILITY_STATUSES = {
    "planned": ("规划", "Planned"),
    "building": ("在建", "Under construction"),
    "operating": ("运营", "Operating"),
    "closed": ("关闭", "Closed"),
}
BURIAL_ZONE_KINDS = {
    "cremation": ("火葬区", "Cremation zone"),
    "burial_reform": ("土葬改革区", "Burial-reform zone"),
}
ZONE_TYPES = {
    "farmland": ("耕地", "Farmland"),
    "forest": ("林地", "Forest land"),
    "grassland": ("草原", "Grassland"),
    "urban_park": ("城市公园", "Urban park"),
    "scenic_area": ("风景名胜区", "Scenic area"),
    "cultural_relic": ("文物保护区", "Cultural relic protection area"),
    "water_source": ("水源保护区", "Water-source protection area"),
}
GRAVE_KINDS = {
    "scattered": ("散埋乱葬", "Scattered grave"),
    "historical_cluster": ("历史埋葬点", "Historical burial cluster"),
    "hardened_large": ("硬化大墓", "Hardened large tomb"),
    "living_person": ("活人墓", "Living-person tomb"),
}
REMEDIATION_STATUSES = {
    "not_started": ("未整治", "Not started"),
    "in_progress": ("整治中", "In progress"),
    "remediated": ("已整治", "Remediated"),
}
REMEDIATION_METHODS = {
    "relocated": ("迁移", "Relocated"),
    "deep_buried": ("深埋不留坟头", "Deep-buried without mound"),
    "levelled": ("平坟", "Levelled"),
    "hardening_removed": ("破除硬化", "Hardening removed"),
    "screened": ("植树遮挡", "Screened by trees"),
}
REMEDIATION_COLORS = {"not_started": "#c62828", "in_progress": "#f9a825", "remediated": "#2e7d32"}


def labelled(vocabulary: dict[str, tuple[str, str]]) -> list[dict]:
    return [{"code": k, "label_zh": zh, "label_en": en} for k, (zh, en) in vocabulary.items()]


def choice_error(what: str, value: str, vocabulary: dict) -> str:
    return f"{what} '{value}' is not one of: {', '.join(vocabulary)}"


def parse_choice(value: str | None, vocabulary: dict[str, tuple[str, str]]) -> str | None:
    """A code, or its Chinese or English label, to the code; None when unknown."""
    if value is None:
        return None
    v = value.strip()
    if v in vocabulary:
        return v
    for code, (zh, en) in vocabulary.items():
        if v == zh or v.lower() == en.lower():
            return code
    return None
