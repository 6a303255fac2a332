"""Boundary lines: list, one line with its history, re-derivation, surveyed replacement,
and the vectorisation rate."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Annotated, Literal

import orjson
import shapely
from fastapi import APIRouter, Form, Path, Query, Request, Response, UploadFile, status
from shapely.geometry import mapping

from gis_service.auth.dependencies import AdminUser, CurrentUser, ReadWithin, WholeDeployment
from gis_service.boundaries import answers, derive, service
from gis_service.boundaries.schemas import LineGeometryReplacement
from gis_service.catalogue.dependencies import readable_layer
from gis_service.catalogue.feature_query import FeatureQueryDep, and_filters, items_response
from gis_service.catalogue.reads import FeatureReadsDep
from gis_service.core import jobs
from gis_service.core.answers import answer
from gis_service.core.cpu import run_cpu
from gis_service.core.dependencies import IfMatch, SessionDep, SettingsDep
from gis_service.core.geojson_pages import FEATURE_SCHEMA, GeoJSONResponse, features_answer, geojson_answer
from gis_service.core.jobs import JobStarted, JobStatus
from gis_service.core.public_url import public_base
from gis_service.file_intake.vector import read_geometries

DERIVE_JOB = "derive_lines"
LAYER = "boundary_line"  # the layer the lines' list reads
router = APIRouter(prefix="/api/v1/boundary-lines", tags=["boundary lines"])
GEOJSON = "application/geo+json"
LineCode = Annotated[str, Path(pattern=r"^\d{6}-\d{6}$", description="e.g. 150602-150603")]


@router.get(
    "",
    response_class=GeoJSONResponse,
    responses={200: features_answer("/api/v1/boundary-lines/{code}", "code")},
)
async def list_boundary_lines(
    request: Request,
    user: CurrentUser,
    query: FeatureQueryDep,
    reads: FeatureReadsDep,
    level: Literal["province", "city", "county"] | None = None,
    unit: Annotated[str | None, Query(pattern=r"^\d{6}$", description="lines of this unit")] = None,
    geometry: Annotated[bool, Query(description="false: as skipGeometry=true")] = True,
):
    """Current boundary lines: the boundary_line layer's items (its properties, query
    parameters and paging), by level and by unit (either side). A line's ends,
    tri-junctions, disagreement and history are on its record."""
    layer = await readable_layer(LAYER, request, user)
    own = and_filters(query.filter, f"left_code = '{unit}' OR right_code = '{unit}'" if unit else None)
    lines = replace(query, filter=own, skip_geometry=query.skip_geometry or not geometry)
    return await items_response(request, reads, layer, lines, {"level": level} if level else {})


@router.get("/vectorisation-rate", responses=answer(answers.VectorisationRate))
async def vectorisation_rate(_: CurrentUser, within: ReadWithin, db_session: SessionDep):
    """Lines with vector geometry ÷ lines required, by level and by source."""
    return {"levels": await service.vectorisation_rate(db_session, within=within)}


@router.post(
    "/derive",
    responses=answer(JobStarted, 202),
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[WholeDeployment],
)
async def derive_lines(admin: AdminUser, request: Request, response: Response, settings: SettingsDep):
    """Re-derive lines from the unit polygons (admin). Surveyed and agreed lines are kept.
    It runs as a job (a province takes minutes): the answer is 202 with the job's address
    (`Location`), where its status and, once done, the counts by level are read. A second
    start while one runs returns the running job."""

    async def work(db_session) -> dict:
        return await derive.derive_lines(
            db_session,
            home_code=settings.home_unit_code,
            tolerance_m=settings.boundary_tolerance_m,
            actor=admin.username,
        )

    job_id = await jobs.start(request.app.state.sessionmaker, kind=DERIVE_JOB, user=admin.username, work=work)
    location = f"{public_base(request)}/api/v1/boundary-lines/derive/{job_id}"
    response.headers["Location"] = location
    return {"job": job_id, "status": "running", "status_url": location}


@router.get("/derive/{job_id}", responses=answer(JobStatus))
async def derive_job(job_id: uuid.UUID, _: AdminUser, db_session: SessionDep):
    """A derivation job: running, done (with the counts by level) or failed."""
    return await jobs.status(db_session, kind=DERIVE_JOB, job_id=job_id)


@router.get("/{code}", response_class=GeoJSONResponse, responses={200: geojson_answer(FEATURE_SCHEMA)})
async def get_boundary_line(code: LineCode, _: CurrentUser, within: ReadWithin, db_session: SessionDep):
    """One line: geometry, length, end points, tri-junctions, statuses, disagreement
    between the source polygons, and its version history. The ETag names the version (a
    replacement sends it as If-Match)."""
    line = await service.get_line(db_session, code=code, within=within)
    return Response(
        orjson.dumps(line),
        media_type=GEOJSON,
        headers={"ETag": service.line_etag(line["properties"]["version"])},
    )


@router.put("/{code}/geometry", responses=answer(answers.GeometryReplaced), dependencies=[WholeDeployment])
async def replace_line_geometry(
    code: LineCode, body: LineGeometryReplacement, admin: AdminUser, db_session: SessionDep, if_match: IfMatch
):
    """Replace the line with surveyed or agreed geometry (admin). The old version stays
    in the history. If-Match names the version replaced (428 without it, 412 if stale)."""
    version = await service.replace_geometry(
        db_session,
        code=code,
        if_match=if_match,
        geometry=body.geometry,
        source=body.source,
        agreement_ref=body.agreement_ref,
        note=body.note,
        actor=admin,
    )
    await db_session.commit()
    return {"code": code, "version": version}


@router.put(
    "/{code}/geometry/file", responses=answer(answers.GeometryReplaced), dependencies=[WholeDeployment]
)
async def replace_line_geometry_from_file(
    code: LineCode,
    file: UploadFile,
    admin: AdminUser,
    db_session: SessionDep,
    if_match: IfMatch,
    source: Annotated[Literal["surveyed", "agreement"], Form()],
    note: Annotated[str, Form(min_length=1, max_length=2000)],
    agreement_ref: Annotated[str | None, Form(max_length=200)] = None,
):
    """Replace the line with the lines in a GeoJSON, GeoPackage or zipped Shapefile (any
    CRS the file declares; reprojected to CGCS2000). All its lines together become the
    new version; the old version stays in the history. If-Match names the version replaced."""
    geoms = await run_cpu(read_geometries, await file.read(), file.filename or "")
    merged = shapely.line_merge(shapely.union_all(geoms.values))
    version = await service.replace_geometry(
        db_session,
        code=code,
        if_match=if_match,
        geometry=mapping(merged),
        source=source,
        agreement_ref=agreement_ref,
        note=note,
        actor=admin,
    )
    await db_session.commit()
    return {"code": code, "version": version, "features_read": len(geoms)}
