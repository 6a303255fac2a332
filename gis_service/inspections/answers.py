"""What the visit and repair routes answer, for markers and signs alike, as documented in
the OpenAPI document (core/answers.py: documented, not applied at run time)."""

from __future__ import annotations

from datetime import datetime

from pydantic import create_model

from gis_service.core.answers import Answer


class Photo(Answer):
    sha256: str
    url: str
    width: int
    height: int
    bytes: int
    camera_bearing_deg: float | None = None


class Visit(Answer):
    """A visit as the history shows it; `photos` are the photos' addresses."""

    id: str
    condition: str
    observed_at: datetime
    received_at: datetime
    inspector: str
    gnss_lon: float | None
    gnss_lat: float | None
    gnss_accuracy_m: float | None
    distance_to_marker_m: float | None
    displacement_m: float | None
    notes: str | None
    edit_count: int
    edited_at: datetime | None
    photos: list[str]


class RecordedVisit(Answer):
    """A visit as recorded (or as first recorded, when sent again: `duplicate`)."""

    id: str
    condition: str
    observed_at: datetime
    inspector: str
    is_current: bool
    duplicate: bool = False
    repair_order_id: int | None = None
    photos: list[Photo] = []
    edit_count: int = 0


def history_of(noun: str) -> type[Answer]:
    """`{"marker": code, "inspections": [...]}`, named by the asset."""
    return create_model(
        f"{noun.title()}VisitHistory", __base__=Answer, **{noun: (str, ...)}, inspections=(list[Visit], ...)
    )


class Repair(Answer):
    id: int
    reason: str | None
    status: str
    resolution: str | None
    opened_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    notes: str | None
    assigned_to: str | None
    assigned_at: datetime | None
    line_code: str | None
    lon: float
    lat: float
    age_days: int


class Repairs(Answer):
    repairs: list[Repair]


class Assignment(Answer):
    id: int
    assigned_to: str | None
    assigned_at: datetime | None


class ClosingVisit(Answer):
    id: str
    condition: str
    observed_at: datetime
    is_current: bool


class Closing(Answer):
    id: int
    status: str
    resolution: str
    visit: ClosingVisit
