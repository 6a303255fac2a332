"""What the layer routes answer in JSON (core/answers.py: documented, not applied at run
time). Features and tiles are GeoJSON and MVT, documented where the routes are."""

from __future__ import annotations

from typing import Any

from gis_service.core.answers import Answer


class LayerDescription(Answer):
    """A layer's declaration as a client needs it: what it holds, how the map draws it,
    whether this caller may edit it, and where its items and tiles are."""

    id: str
    title: dict[str, str]
    description: dict[str, str] | None = None
    id_column: str
    geometry_type: str | None
    properties: list[str]
    filterable: list[str]
    temporal_property: str | None = None
    min_zoom: int
    max_zoom: int
    native_max_zoom: int
    map_renderer: str
    order: int
    style: dict[str, Any]
    default_visible: bool
    editable: bool
    editable_properties: list[str]
    links: dict[str, str]


class Layers(Answer):
    layers: list[LayerDescription]
