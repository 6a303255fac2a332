"""Boundary disputes: register, one dispute with its timeline, events."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request, Response, status

from gis_service.auth.dependencies import CurrentUser, FieldWorker
from gis_service.core.dependencies import SessionDep
from gis_service.core.geojson_pages import collection_response
from gis_service.disputes import service
from gis_service.disputes.schemas import DisputeIn, EventIn, Status

router = APIRouter(prefix="/api/v1/disputes", tags=["disputes"])
GEOJSON = "application/geo+json"


@router.get("", responses={200: {"content": {GEOJSON: {}}}})
async def list_disputes(
    request: Request, _: CurrentUser, db_session: SessionDep, status: Status | None = None
):
    """Disputes as GeoJSON, newest first."""
    features = await service.list_all(db_session, status=status)
    return collection_response(features, request)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_dispute(body: DisputeIn, actor: FieldWorker, db_session: SessionDep):
    """Register a dispute with its area or location and the parties (unit codes)."""
    dispute_id = await service.create(db_session, body=body, actor=actor)
    await db_session.commit()
    return {"id": dispute_id}


@router.get("/{dispute_id}", responses={200: {"content": {GEOJSON: {}}}})
async def get_dispute(dispute_id: int, _: CurrentUser, db_session: SessionDep):
    """One dispute with its timeline of events."""
    return Response(orjson.dumps(await service.get(db_session, dispute_id=dispute_id)), media_type=GEOJSON)


@router.post("/{dispute_id}/events", status_code=status.HTTP_201_CREATED)
async def add_event(dispute_id: int, body: EventIn, actor: FieldWorker, db_session: SessionDep):
    """Add a site visit, meeting, agreement, ruling or note; optionally move the status on."""
    await service.add_event(db_session, dispute_id=dispute_id, body=body, actor=actor)
    await db_session.commit()
    return {"id": dispute_id}
