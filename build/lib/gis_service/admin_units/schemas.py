"""API shapes for administrative units."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AdminUnitUpdate(BaseModel):
    """Fields an administrator may correct. Geometry and code changes are division
    changes: they go through the history (a new version), not a patch."""

    model_config = ConfigDict(extra="forbid")

    name_romanized: str | None = Field(default=None, min_length=1, max_length=200)
    name_romanized_source: str | None = Field(default=None, min_length=1, max_length=500)
