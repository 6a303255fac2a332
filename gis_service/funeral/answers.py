"""What the funeral routes answer, as documented in the OpenAPI document
(core/answers.py: documented, not applied at run time)."""

from __future__ import annotations

from datetime import date
from typing import Any

from gis_service.core.answers import Answer
from gis_service.inspections.answers import Photo


class Term(Answer):
    code: str
    label_zh: str
    label_en: str
    color: str | None = None


class Vocabulary(Answer):
    facility_types: list[Term]
    facility_statuses: list[Term]
    burial_zone_kinds: list[Term]
    zone_types: list[Term]
    grave_kinds: list[Term]
    remediation_statuses: list[Term]
    remediation_methods: list[Term]


class Imported(Answer):
    imported: int
    # restriction rows written by classifying what came in, by kind of area
    restriction_rows: dict[str, int] | None = None


class CorridorClass(Answer):
    corridor_class: str
    label_zh: str
    label_en: str
    width_m: float
    road_or_rail: bool
    corridors: int


class CorridorClasses(Answer):
    classes: list[CorridorClass]


class WidthChanged(Answer):
    corridor_class: str
    width_m: float
    corridors: int
    restriction_rows: int


class Classified(Answer):
    restriction_rows: dict[str, int]  # by kind of area: corridor, zone


class ClassCount(Answer):
    area_kind: str
    area_class: str | None
    graves: int
    grave_count: int


class Counts(Answer):
    graves: int
    grave_count: int


class ClassificationSummary(Answer):
    by_class: list[ClassCount]
    not_restricted: Counts


class GravePoints(Answer):
    """Points as [lon, lat, status index, grave count]; `aggregated` when they are cells
    of `cell_deg` degrees (a large box), each with its graves summed."""

    statuses: list[str]
    aggregated: bool
    cell_deg: float | None = None
    points: list[list[float]]


class GraveCard(Answer):
    code: str
    lon: float
    lat: float
    grave_count: int
    kind: str
    county_code: str | None
    township_code: str | None
    surveyed_on: date | None
    remediation_status: str
    remediation_method: str | None
    remediated_on: date | None
    version: int
    restricted: bool
    restrictions: list[dict]
    history: list[dict]


class Remediation(Answer):
    code: str
    remediation_id: int
    status: str
    method: str | None
    done_on: date | None
    version: int
    photos: list[Photo]


class Month(Answer):
    month: str
    surveyed: int
    remediated: int
    rate_pct: float | None


class ProgressGroup(Answer):
    key: str | None  # None: graves not placed in a unit of this level
    label: str | None
    label_en: str | None
    series: list[Month]
    surveyed: int
    remediated: int
    rate_pct: float | None


class Progress(Answer):
    by: str
    counted_in: str
    groups: list[ProgressGroup]


class Target(Answer):
    key: str
    label: str
    label_en: str
    value: float | None
    target: float | None
    met: bool | None
    numerator: int
    denominator: int


class Targets(Answer):
    targets: list[Target]


class OfficialIndicator(Answer):
    facility_type: str
    label: str
    label_en: str
    unit: str
    covered: int
    total: int
    value: float | None
    missing: list[dict]


class OfficialCoverage(Answer):
    indicators: list[OfficialIndicator]


class DistanceCoverage(Answer):
    radius_km: float
    facility_types: list[str]
    places: int
    covered: int
    value: float | None
    by_level: dict[str, Any]
    by_county: list[dict]
    uncovered: list[dict]


class SiteCoverage(Answer):
    covered: int
    places: int
    value: float | None


class SuggestedSites(Answer):
    radius_km: float
    k: int
    candidates: str
    optimal: bool
    before: SiteCoverage
    after: SiteCoverage
    sites: list[dict]
