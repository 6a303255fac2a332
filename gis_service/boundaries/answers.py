"""What the boundary-line routes answer besides GeoJSON, as documented in the OpenAPI
document (core/answers.py: documented, not applied at run time)."""

from __future__ import annotations

from gis_service.core.answers import Answer


class LevelRate(Answer):
    level: str
    required: int
    vectorised: int
    derived: int
    surveyed_or_agreed: int
    length_km: float | None
    rate_pct: float | None
    derived_pct: float | None
    surveyed_or_agreed_pct: float | None


class VectorisationRate(Answer):
    levels: list[LevelRate]


class GeometryReplaced(Answer):
    code: str
    version: int
    features_read: int | None = None
