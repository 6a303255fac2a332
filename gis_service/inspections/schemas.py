"""API shapes of visits and repairs, for markers and name signs alike."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from gis_service.core.errors import invalid_value
from gis_service.inspections.vocabulary import OPENS_REPAIR, ConditionCode


class GnssFix(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lon: float = Field(ge=73, le=136)
    lat: float = Field(ge=3, le=54)
    accuracy_m: float = Field(ge=0, le=10_000)
    fix_type: Literal["gps", "dgps", "rtk_fixed", "rtk_float", "network", "manual"] | None = None
    fixed_at: AwareDatetime | None = None
    # the position is the mean of this many fixes taken while the inspector stood there
    fixes_averaged: int | None = Field(default=None, ge=1, le=3600)


# The hand-filled fields of a visit, shared by the visit and its later corrections.
Displacement = Annotated[float | None, Field(ge=0, le=100_000)]
Notes = Annotated[str | None, Field(max_length=4000)]
Representative = Annotated[str | None, Field(max_length=200)]


class InspectionIn(BaseModel):
    """One visit to a marker. `id` is made by the client so that a phone can queue a
    visit offline and send it again without creating a duplicate."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    condition: ConditionCode
    observed_at: AwareDatetime
    inscription_legible: bool | None = None
    vegetation_cleared: bool | None = None
    reference_objects_present: bool | None = None
    gnss: GnssFix | None = None
    displacement_m: Displacement = None
    notes: Notes = None
    neighbour_representative: Representative = None


class InspectionOut(BaseModel):
    id: uuid.UUID
    marker_code: str
    condition: str
    observed_at: datetime
    received_at: datetime
    inspector: str
    distance_to_marker_m: float | None
    gnss_accuracy_m: float | None
    notes: str | None
    is_current: bool
    duplicate: bool = False
    repair_order_id: int | None = None
    photos: list[dict] = []
    edit_count: int = 0
    edited_at: datetime | None = None


# What a correction may not touch: the observation itself. A wrong condition or position is
# put right by a new visit, which becomes current and leaves the first in the history.
NOT_CORRECTABLE = ("id", "condition", "observed_at", "gnss")


class InspectionCorrection(BaseModel):
    """Corrections to a visit already sent: the fields an inspector fills in by hand.
    Fields left out stay as they are; null clears a field."""

    model_config = ConfigDict(extra="forbid")

    inscription_legible: bool | None = None
    vegetation_cleared: bool | None = None
    reference_objects_present: bool | None = None
    displacement_m: Displacement = None
    notes: Notes = None
    neighbour_representative: Representative = None
    reason: str | None = Field(
        default=None, max_length=500, description="why the visit is corrected (audited)"
    )

    @model_validator(mode="before")
    @classmethod
    def _observation_is_fixed(cls, data: object) -> object:
        if isinstance(data, dict) and (fixed := [k for k in NOT_CORRECTABLE if k in data]):
            raise invalid_value(
                f"{', '.join(fixed)} cannot be corrected: log a new visit, which becomes the current one.",
                f"{'、'.join(fixed)} 是观测本身，不能修改；请新增一次巡查记录，它将成为当前记录。",
            )
        return data

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True, exclude={"reason"})


class RepairClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution: Literal["repaired", "replaced", "reset"]
    notes: str | None = Field(default=None, max_length=4000)
    # Closing a repair records the asset's condition after the work as a visit, so the map
    # stops showing it as damaged; it must be a condition that needs no repair.
    condition_after: ConditionCode = "intact"
    # The id of the visit the closing records, made by the client so that a phone can
    # send the closing again (after a lost answer) without it being refused as closed.
    visit_id: uuid.UUID | None = None
    # When and where the work was done, taken on the phone: a closing queued offline is
    # dated by the work, not by the time it reached the server (the closing visit keeps
    # that as its received_at). Left out, the time of receipt.
    closed_at: AwareDatetime | None = None
    gnss: GnssFix | None = None

    @field_validator("condition_after")
    @classmethod
    def _needs_no_repair(cls, value: str) -> str:
        if value in OPENS_REPAIR:
            raise invalid_value(
                f"'{value}' would need another repair; a closed repair leaves a condition that needs none.",
                f"“{value}”仍需维修；关闭维修单后的状况应无需维修。",
            )
        return value


class RepairAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # the inspector's user name; null takes the order back
    assignee: str | None = Field(default=None, min_length=1, max_length=80)
