"""What the joint-inspection routes answer, as documented in the OpenAPI document
(core/answers.py: documented, not applied at run time)."""

from __future__ import annotations

from datetime import date, datetime

from gis_service.core.answers import Answer


class DueLine(Answer):
    code: str
    name: str | None
    level: str
    last_completed: date | None
    interval_years: int | None
    due_on: date | None
    next_planned: date | None
    status: str


class DueList(Answer):
    lines: list[DueLine]


class Round(Answer):
    id: int
    line_code: str
    line_name: str | None = None
    kind: str
    reason: str | None
    planned_on: date
    completed_on: date | None
    status: str
    sides: list[str] | None
    lead: str | None


class ListedRound(Round):
    findings: int


class Rounds(Answer):
    rounds: list[ListedRound]


class Created(Answer):
    """The round or finding created."""

    id: int


class TrackSummary(Answer):
    length_km: float
    points: int
    started_at: datetime | None
    ended_at: datetime | None
    by_inspector: list[dict]


class Signature(Answer):
    signer_name: str
    statement: str | None
    signed_at: datetime
    signed_by: str | None


class Party(Answer):
    """One side of the line: its unit and, once it has signed, its signature."""

    side: str
    unit_name: str | None
    unit_name_romanized: str | None
    signature: Signature | None


class RoundReport(Answer):
    """A round with its line, the markers on the line, its parties, its findings, its walked
    track, and the sides the caller may act for."""

    round: Round
    line: dict | None
    markers_on_line: int
    parties: list[Party]
    findings: list[dict]
    track: TrackSummary
    your_sides: list[str]


class Signed(Answer):
    round_id: int
    side: str


class TrackBatchStored(Answer):
    id: str
    points: int


class Completed(Answer):
    id: int
    status: str
