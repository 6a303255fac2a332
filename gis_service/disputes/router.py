"""Boundary disputes: register, one dispute with its timeline, events."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request, Response, status

from gis_service.auth.dependencies import CurrentUser, FieldWorker
from gis_service.core.answers import answer
from gis_service.core.dependencies import SessionDep
from gis_service.core.geojson_pages import (
    COLLECTION_SCHEMA,
    FEATURE_SCHEMA,
    GeoJSONResponse,
    collection_response,
    geojson_answer,
)
from gis_service.core.openapi_links import record_link
from gis_service.disputes import answers, service
from gis_service.disputes.schemas import DisputeIn, EventIn, Status

router = APIRouter(prefix="/api/v1/disputes", tags=["disputes"])
GEOJSON = "application/geo+json"


@router.get(
    "",
    response_class=GeoJSONResponse,
    responses={
        200: geojson_answer(
            COLLECTION_SCHEMA,
            **record_link("/api/v1/disputes/{dispute_id}", dispute_id="$response.body#/features/0/id"),
        )
    },
)
async def list_disputes(
    request: Request, _: CurrentUser, db_session: SessionDep, status: Status | None = None
):
    """Disputes as GeoJSON, newest first."""
    features = await service.list_all(db_session, status=status)
    return collection_response(features, request)


@router.post("", responses=answer(answers.DisputeRef, 201), status_code=status.HTTP_201_CREATED)
async def create_dispute(body: DisputeIn, actor: FieldWorker, db_session: SessionDep):
    """Register a dispute with its area or location and the parties (unit codes)."""
    dispute_id = await service.create(db_session, body=body, actor=actor)
    await db_session.commit()
    return {"id": dispute_id}


@router.get("/{dispute_id}", response_class=GeoJSONResponse, responses={200: geojson_answer(FEATURE_SCHEMA)})
async def get_dispute(dispute_id: int, _: CurrentUser, db_session: SessionDep):
    """One dispute with its timeline of events."""
    return Response(orjson.dumps(await service.get(db_session, dispute_id=dispute_id)), media_type=GEOJSON)


@router.post(
    "/{dispute_id}/events", responses=answer(answers.DisputeRef, 201), status_code=status.HTTP_201_CREATED
)
async def add_event(dispute_id: int, body: EventIn, actor: FieldWorker, db_session: SessionDep):
    """Add a site visit, meeting, agreement, ruling or note; optionally move the status on."""
    await service.add_event(db_session, dispute_id=dispute_id, body=body, actor=actor)
    await db_session.commit()
    return {"id": dispute_id}
