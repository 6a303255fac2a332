"""Marker status API: list, card, visits, history, summary, condition vocabulary; repairs."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, UploadFile, status

from gis_service.auth.dependencies import AdminUser, CurrentUser, FieldWorker, ReadWithin, WholeDeployment
from gis_service.catalogue.dependencies import readable_layer
from gis_service.catalogue.feature_query import FeatureQueryDep, and_filters, items_response
from gis_service.catalogue.reads import FeatureReadsDep
from gis_service.core.answers import answer
from gis_service.core.cpu import run_cpu
from gis_service.core.dependencies import SessionDep, SettingsDep
from gis_service.core.errors import BadRequest, InvalidRows
from gis_service.core.geojson_pages import (
    GeoJSONResponse,
    features_answer,
)
from gis_service.file_intake.tables import read_table
from gis_service.inspections.assets import MARKER
from gis_service.inspections.routes import register_visit_routes
from gis_service.inspections.schemas import InspectionOut
from gis_service.inspections.vocabulary import CONDITIONS, NEEDS_ATTENTION, vocabulary
from gis_service.markers import answers, importer, service, telemetry
from gis_service.markers.schemas import TelemetryIn

router = APIRouter(prefix="/api/v1", tags=["markers"])
LAYER = "boundary_marker"  # the layer the markers list reads
MarkerCode = Annotated[str, Path(min_length=3, max_length=40, pattern=r"^[0-9A-Za-z-]+$")]


def _parse_conditions(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    if raw == "needs_attention":
        return NEEDS_ATTENTION
    values = [v.strip() for v in raw.split(",") if v.strip()]
    unknown = [v for v in values if v not in CONDITIONS and v != "unknown"]
    if unknown:
        raise BadRequest(
            f"Unknown condition {unknown[0]!r}; use one of {', '.join(CONDITIONS)}, "
            "unknown or needs_attention.",
            f"未知状况“{unknown[0]}”；可选：{'、'.join(CONDITIONS)}、unknown、needs_attention。",
        )
    return values


@router.get(
    "/markers",
    response_class=GeoJSONResponse,
    responses={200: features_answer("/api/v1/markers/{code}", "code")},
)
async def list_markers(
    request: Request,
    user: CurrentUser,
    query: FeatureQueryDep,
    reads: FeatureReadsDep,
    condition: Annotated[str | None, Query(description="codes, comma-separated, or needs_attention")] = None,
    line: Annotated[str | None, Query(pattern=r"^\d{6}-\d{6}$")] = None,
    banner: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
):
    """Markers with their current condition: the boundary_marker layer's items (the same
    properties, query parameters and paging as /api/v1/layers/boundary_marker/items),
    filtered by condition, line and banner."""
    layer = await readable_layer(LAYER, request, user)
    wanted = _parse_conditions(condition)
    own = and_filters(
        query.filter,
        "condition IN ({})".format(", ".join(f"'{c}'" for c in wanted)) if wanted else None,
        f"line_code LIKE '{banner}-%' OR line_code LIKE '%-{banner}'" if banner else None,
    )
    filters = {"line_code": line} if line else {}
    return await items_response(request, reads, layer, replace(query, filter=own), filters)


@router.get("/markers/summary", responses=answer(answers.Summary))
async def markers_summary(_: CurrentUser, within: ReadWithin, db_session: SessionDep, settings: SettingsDep):
    """Counts by condition, by line and by banner; markers needing attention; open repairs."""
    return await service.summary(db_session, home_code=settings.home_unit_code, within=within)


@router.get("/markers/nearest", responses=answer(answers.Nearest))
async def nearest_markers(
    _: CurrentUser,
    within: ReadWithin,
    db_session: SessionDep,
    lon: Annotated[float, Query(ge=73, le=136)],
    lat: Annotated[float, Query(ge=3, le=54)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
):
    """The markers nearest to a position (e.g. the inspector's phone), with distance and
    bearing."""
    return {"markers": await service.nearest(db_session, lon=lon, lat=lat, limit=limit, within=within)}


@router.get("/markers/conditions", responses=answer(answers.Conditions))
async def marker_conditions():
    """The condition vocabulary with Chinese and English labels and map colours."""
    return {"conditions": vocabulary()}


@router.post(
    "/markers/import",
    responses=answer(answers.Imported, 201),
    status_code=status.HTTP_201_CREATED,
    dependencies=[WholeDeployment],
)
async def import_markers(file: UploadFile, admin: AdminUser, db_session: SessionDep, settings: SettingsDep):
    """Import a marker results table (界桩成果表, CSV or XLSX; admin). Every row is checked;
    if any row has an error nothing is imported and the answer (422) lists the errors row
    by row."""
    rows = await run_cpu(read_table, await file.read())
    imported, report = await importer.import_markers(
        db_session, rows=rows, tolerance_m=settings.marker_line_tolerance_m, actor=admin
    )
    if report:
        raise InvalidRows(report)
    await db_session.commit()
    return {"imported": imported}


@router.get("/markers/{code}", responses=answer(answers.Card))
async def marker_card(code: MarkerCode, _: CurrentUser, within: ReadWithin, db_session: SessionDep):
    """The marker card: position (lon/lat and Gauss–Krüger), reference objects, current
    condition, last visit and open repair."""
    return await service.marker_card(db_session, code=code, within=within)


register_visit_routes(
    router,
    MARKER,
    asset_path="/markers",
    photos_path="/inspections",
    repairs_path="/repairs",
    code_param=MarkerCode,
    field_user=FieldWorker,
    response_model=InspectionOut,
)


@router.post(
    "/markers/{code}/telemetry", responses=answer(answers.Reading, 201), status_code=status.HTTP_201_CREATED
)
async def record_telemetry(
    code: MarkerCode, body: TelemetryIn, actor: FieldWorker, db_session: SessionDep, settings: SettingsDep
):
    """A smart-marker reading. Tilt, drift from the registered position, low battery or
    tampering past the thresholds raise alerts (one open alert per marker and kind).
    A reading with the same marker and time is stored once."""
    out = await telemetry.record_reading(db_session, code=code, body=body, settings=settings, actor=actor)
    await db_session.commit()
    return out


@router.get("/alerts", responses=answer(answers.Alerts))
async def list_alerts(_: CurrentUser, within: ReadWithin, db_session: SessionDep, open: bool = True):
    """Smart-marker alerts, open ones by default."""
    return {"alerts": await telemetry.list_alerts(db_session, open_only=open, within=within)}


@router.post("/alerts/{alert_id}/acknowledge", responses=answer(answers.Acknowledged))
async def acknowledge_alert(alert_id: int, actor: FieldWorker, db_session: SessionDep):
    """Acknowledge an alert (inspector or admin)."""
    out = await telemetry.acknowledge(db_session, alert_id=alert_id, actor=actor)
    await db_session.commit()
    return out
