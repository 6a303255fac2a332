"""API shapes for joint inspection rounds."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from gis_service.inspections.vocabulary import ConditionCode


class RoundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_code: str = Field(pattern=r"^\d{6}-\d{6}$")
    kind: Literal["scheduled", "extra"] = "scheduled"
    reason: str | None = Field(
        default=None, max_length=500, description="why an extra round: flood, road works…"
    )
    planned_on: date
    sides: list[str] = Field(default=[], max_length=4)
    lead: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _extra_needs_reason(self) -> RoundIn:
        if self.kind == "extra" and not self.reason:
            raise ValueError("an extra inspection needs a reason (e.g. flood, road works)")
        return self


UnitSide = Annotated[
    str | None,
    Field(
        pattern=r"^\d{6}$",
        description="the side (unit code) acted for; by default the one side the account's unit covers",
    ),
]


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID | None = Field(default=None, description="made on the phone: a resend is stored once")
    side: UnitSide = None

    marker_code: str | None = Field(default=None, max_length=40)
    condition: ConditionCode | None = None
    finding: str = Field(min_length=1, max_length=4000)
    action_required: bool = False


class RoundComplete(BaseModel):
    model_config = ConfigDict(extra="forbid")

    completed_on: date
    report_notes: str | None = Field(default=None, max_length=20000)


class SignatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    side: UnitSide = None
    signer_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = (
        Field(description="the side's representative, as signed")
    )
    statement: str | None = Field(
        default=None, max_length=4000, description="the side's opinion of the round"
    )
