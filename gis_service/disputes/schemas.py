"""API shapes for the boundary dispute register."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["reported", "investigating", "negotiating", "resolved", "closed"]


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    line_code: str | None = Field(default=None, pattern=r"^\d{6}-\d{6}$")
    parties: list[str] = Field(min_length=2, max_length=6)
    description: str | None = Field(default=None, max_length=20000)
    geometry: dict = Field(description="The disputed area: GeoJSON Polygon or MultiPolygon (lon/lat)")
    opened_on: date


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    happened_on: date
    kind: Literal["site_visit", "meeting", "agreement", "ruling", "status_change", "note"]
    description: str = Field(min_length=1, max_length=20000)
    new_status: Status | None = None


class DisputeEdit(BaseModel):
    """The record's fields an edit may change (the timeline only grows through events)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=300)
    line_code: str | None = Field(default=None, pattern=r"^\d{6}-\d{6}$")
    parties: list[str] | None = Field(default=None, min_length=2, max_length=6)
    description: str | None = Field(default=None, max_length=20000)
    opened_on: date | None = None
    status: Status | None = None
