"""How a route documents what it answers: `responses=answer(Model)`.

The model goes into the OpenAPI document as the answer's schema; it is not applied to the
answer at run time (no second validation, no field filtering, no change of how dates are
written). The documented schemas are held true by the tests instead: the fuzzer checks
every answer it gets against them, and tests/fuzz/test_documented_answers.py reads every
list and record with real data.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    """Base of the documented answers: a field may be added to an answer before its model
    names it, so a client must accept members it does not know."""

    model_config = ConfigDict(extra="allow")


def answer(model: type, status: int = 200, **extra) -> dict[int, dict]:
    """The `responses` entry for a route's success answer, plus extras such as `links`."""
    return {status: {"model": model, **extra}}


class Health(Answer):
    status: str


class Readiness(Answer):
    """Whether this worker can serve: each check by name (503 when one fails)."""

    ready: bool
    checks: dict[str, bool]


class Link(Answer):
    href: str
    rel: str | None = None
    type: str | None = None
    title: str | None = None
    templated: bool | None = None


class VectorLayer(Answer):
    id: str
    fields: dict[str, str]


class TileJSON(Answer):
    """TileJSON 3.0.0, what MapLibre, Leaflet plugins and QGIS read."""

    tilejson: str
    name: str | None = None
    description: str | None = None
    tiles: list[str]
    minzoom: int
    maxzoom: int
    bounds: list[float] | None = None
    vector_layers: list[VectorLayer] | None = None
