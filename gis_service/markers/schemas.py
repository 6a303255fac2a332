"""API shapes for markers, visits and repairs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

ConditionCode = Literal[
    "intact",
    "slightly_damaged",
    "damaged",
    "tilted",
    "moved",
    "buried",
    "possibly_missing",
    "missing",
    "destroyed",
    "inaccessible",
]


class GnssFix(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lon: float = Field(ge=73, le=136)
    lat: float = Field(ge=3, le=54)
    accuracy_m: float = Field(ge=0, le=10_000)
    fix_type: Literal["gps", "dgps", "rtk_fixed", "rtk_float", "network", "manual"] | None = None
    fixed_at: AwareDatetime | None = None


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
    displacement_m: float | None = Field(default=None, ge=0, le=100_000)
    notes: str | None = Field(default=None, max_length=4000)
    neighbour_representative: str | None = Field(default=None, max_length=200)


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


class RepairClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution: Literal["repaired", "replaced", "reset"]
    notes: str | None = Field(default=None, max_length=4000)


class TelemetryIn(BaseModel):
    """One reading from a smart marker (Beidou/GNSS position, tilt, tamper, battery)."""

    model_config = ConfigDict(extra="forbid")

    observed_at: AwareDatetime
    tilt_deg: float | None = Field(default=None, ge=0, le=180)
    lon: float | None = Field(default=None, ge=73, le=136)
    lat: float | None = Field(default=None, ge=3, le=54)
    battery_pct: float | None = Field(default=None, ge=0, le=100)
    online: bool | None = None
    tamper: bool | None = None
