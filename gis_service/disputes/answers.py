"""What the dispute routes answer besides GeoJSON (core/answers.py)."""

from __future__ import annotations

from gis_service.core.answers import Answer


class DisputeRef(Answer):
    """The dispute created or added to; read it at /api/v1/disputes/{id}."""

    id: int
