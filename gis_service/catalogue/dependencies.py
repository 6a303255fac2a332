"""Resolving a layer from the path and checking that the caller may read it; and the
arguments of the lean routes over a layer (tiles and pages of features), by the same checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gis_service.auth import jurisdiction
from gis_service.auth.dependencies import OptionalUser, caller
from gis_service.catalogue.declarations import Catalogue, LayerDeclaration
from gis_service.catalogue.feature_query import feature_query_from
from gis_service.catalogue.reads import get_feature_reads
from gis_service.core.errors import BadRequest, Forbidden, NotFound, Unauthorized


async def get_catalogue(request: Request) -> Catalogue:
    return request.app.state.catalogue


CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]


async def readable_layer(layer_id: str, request: Request, user: OptionalUser) -> LayerDeclaration:
    # the catalogue and settings straight from the app: every tile and item request comes
    # through here, and each dependency FastAPI resolves costs a few microseconds
    catalogue: Catalogue = request.app.state.catalogue
    settings = request.app.state.settings
    layer = catalogue.layers().get(layer_id)
    if layer is None:
        known = ", ".join(catalogue.layers())
        raise NotFound(
            f"No layer '{layer_id}'. Known layers: {known}.", f"图层“{layer_id}”不存在。现有图层：{known}。"
        )
    if not layer.readable_by(user.role if user else None, settings.anonymous_layers):
        if user is None:
            raise Unauthorized("Sign in to read this layer.", "请登录后查看该图层。")
        raise Forbidden(
            f"Your role ({user.role}) may not read layer '{layer_id}'.",
            f"您的角色（{user.role}）无权查看图层“{layer_id}”。",
        )
    return layer.read_by(jurisdiction.read_prefix(user, settings.read_scope))


ReadableLayer = Annotated[LayerDeclaration, Depends(readable_layer)]


async def layer_arguments(request: Request) -> dict:
    """The caller's readable layer of the path, as ReadableLayer resolves it, for a LeanRoute."""
    layer = await readable_layer(request.path_params["layer_id"], request, await caller(request))
    return {"layer": layer, "request": request}


async def page_arguments(request: Request) -> dict:
    """What FastAPI would resolve for a page of a layer's features (ReadableLayer,
    FeatureQueryDep, FeatureReadsDep), in that order, for a LeanRoute."""
    return await layer_arguments(request) | {
        "query": await feature_query_from(request),
        "reads": await get_feature_reads(request),
    }


def property_filters(layer: LayerDeclaration, params, reserved: set[str]) -> dict[str, str]:
    """Equality filters from the query string: every parameter that is not one of the
    endpoint's own must be a filterable property of the layer, or it is a clear 400."""
    filters = {}
    for key in params:
        if key in reserved:
            continue
        if key not in layer.filterable:
            allowed = ", ".join(sorted(reserved | set(layer.filterable)))
            raise BadRequest(
                f"Unknown parameter '{key}'. This layer accepts: {allowed}.",
                f"未知参数“{key}”。该图层支持：{allowed}。",
            )
        filters[key] = params[key]
    return filters
