"""What the register-update routes answer (core/answers.py: documented, not applied)."""

from __future__ import annotations

from datetime import date, datetime

from gis_service.core.answers import Answer


class KindCounts(Answer):
    open: int
    accepted: int
    rejected: int


class EditionSummary(Answer):
    """An edition read against the register: its changes by kind and how many are reviewed."""

    id: int
    label: str
    source_kind: str
    as_of: date | None
    home_code: str
    units: int
    loaded_by: str
    loaded_at: datetime
    changes: int
    reviewed: int
    reviewed_pct: float
    by_kind: dict[str, KindCounts]
    again: bool | None = None


class Editions(Answer):
    editions: list[EditionSummary]


class RegisterChange(Answer):
    id: int
    kind: str
    level: str
    old_code: str | None
    new_code: str | None
    old_name: str | None
    new_name: str | None
    old_standard: str | None
    new_standard: str | None
    standard_changes: bool
    old_parent: str | None
    new_parent: str | None
    successor_code: str | None
    successor_name: str | None
    county_code: str
    township_code: str
    township_name: str | None
    status: str
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    place_name_id: int | None
    naming_request_id: int | None


class ReviewList(Answer):
    edition: EditionSummary
    changes: list[RegisterChange]


class Decision(Answer):
    id: int
    status: str
    naming_request_id: int | None


class SameNamePlace(Answer):
    id: int
    code: str
    level: str | None
    admin_code: str | None
    admin_name: str | None


class SameName(Answer):
    scope: str
    scope_name: str | None
    name: str
    places: int
    members: list[SameNamePlace]


class SameNames(Answer):
    unit: str
    within: str
    groups: int
    places: int
    names: list[SameName]
