"""Boundary disputes: register, one dispute with its timeline, events."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request, Response, status

from gis_service.auth.dependencies import CurrentUser, FieldWorker, ReadWithin
from gis_service.catalogue.dependencies import readable_layer
from gis_service.catalogue.feature_query import FeatureQueryDep, items_response
from gis_service.catalogue.reads import FeatureReadsDep
from gis_service.core.answers import answer
from gis_service.core.dependencies import SessionDep
from gis_service.core.geojson_pages import (
    FEATURE_SCHEMA,
    GeoJSONResponse,
    features_answer,
    geojson_answer,
)
from gis_service.disputes import answers, service
from gis_service.disputes.schemas import DisputeIn, EventIn, Status

router = APIRouter(prefix="/api/v1/disputes", tags=["disputes"])
GEOJSON = "application/geo+json"
LAYER = "boundary_dispute"  # the layer the list reads


@router.get(
    "",
    response_class=GeoJSONResponse,
    responses={200: features_answer("/api/v1/disputes/{dispute_id}", "dispute_id")},
)
async def list_disputes(
    request: Request,
    user: CurrentUser,
    query: FeatureQueryDep,
    reads: FeatureReadsDep,
    status: Status | None = None,
):
    """Disputes as GeoJSON: the boundary_dispute layer's items (its properties, query
    parameters and paging), by status. A dispute's timeline is on its record."""
    layer = await readable_layer(LAYER, request, user)
    return await items_response(request, reads, layer, query, {"status": status} if status else {})


@router.post("", responses=answer(answers.DisputeRef, 201), status_code=status.HTTP_201_CREATED)
async def create_dispute(body: DisputeIn, actor: FieldWorker, db_session: SessionDep):
    """Register a dispute with its area or location and the parties (unit codes)."""
    dispute_id = await service.create(db_session, body=body, actor=actor)
    await db_session.commit()
    return {"id": dispute_id}


@router.get("/{dispute_id}", response_class=GeoJSONResponse, responses={200: geojson_answer(FEATURE_SCHEMA)})
async def get_dispute(dispute_id: int, _: CurrentUser, within: ReadWithin, db_session: SessionDep):
    """One dispute with its timeline of events."""
    found = await service.get(db_session, dispute_id=dispute_id, within=within)
    return Response(orjson.dumps(found), media_type=GEOJSON)


@router.post(
    "/{dispute_id}/events", responses=answer(answers.DisputeRef, 201), status_code=status.HTTP_201_CREATED
)
async def add_event(dispute_id: int, body: EventIn, actor: FieldWorker, db_session: SessionDep):
    """Add a site visit, meeting, agreement, ruling or note; optionally move the status on."""
    await service.add_event(db_session, dispute_id=dispute_id, body=body, actor=actor)
    await db_session.commit()
    return {"id": dispute_id}
