"""API shapes for boundary lines."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class LineGeometryReplacement(BaseModel):
    """A surveyed or agreed geometry replacing the current one (GeoJSON, lon/lat, CGCS2000)."""

    model_config = ConfigDict(extra="forbid")

    geometry: dict = Field(description="GeoJSON LineString or MultiLineString")
    source: Literal["surveyed", "agreement"]
    agreement_ref: str | None = Field(default=None, max_length=200)
    note: str = Field(min_length=1, max_length=2000)
