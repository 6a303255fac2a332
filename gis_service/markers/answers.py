"""What the marker routes answer, as documented in the OpenAPI document (core/answers.py:
documented, not applied at run time). Visits and repairs: inspections/answers.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from gis_service.core.answers import Answer
from gis_service.inspections.vocabulary import Condition


class LineCount(Answer):
    line_code: str
    total: int
    needs_attention: int


class BannerCount(Answer):
    code: str
    name: str | None
    total: int
    needs_attention: int


class Summary(Answer):
    total: int
    smart: int
    needs_attention: int
    by_condition: dict[str, int]
    by_line: list[LineCount]
    by_banner: list[BannerCount]
    open_repairs: int


class NearMarker(Answer):
    code: str
    line_code: str
    condition: str
    lon: float
    lat: float
    distance_m: float
    bearing_deg: float


class Nearest(Answer):
    markers: list[NearMarker]


class Conditions(Answer):
    conditions: list[Condition]  # the vocabulary's own declaration


class Imported(Answer):
    imported: int


class Card(Answer):
    """A marker's card: a GeoJSON Feature with its line, photos, open repair, last visit
    and the reference objects measured from it."""

    id: str
    type: str
    geometry: dict
    properties: dict[str, Any]
    line: dict | None
    buried_on: date | None
    photos: list[Any]
    open_repair: dict | None
    last_inspection: dict | None
    inspection_count: int
    reference_objects: list[dict] | None


class RaisedAlert(Answer):
    id: int
    kind: str
    value: float
    threshold: float


class Reading(Answer):
    marker: str
    duplicate: bool
    drift_m: float | None = None
    alerts: list[RaisedAlert]


class Alert(Answer):
    id: int
    marker_code: str
    kind: str
    value: float | None
    threshold: float | None
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    lon: float
    lat: float


class Alerts(Answer):
    alerts: list[Alert]


class Acknowledged(Answer):
    id: int
    acknowledged: bool
