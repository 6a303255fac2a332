"""API shapes for smart markers' telemetry (visits and repairs: inspections/schemas.py)."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


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
