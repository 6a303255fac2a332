"""Funeral facilities, "三沿七区" graves and remediation, coverage and suggested sites.
Signed-in users read; administrators import and change settings; field staff
(inspectors) record remediation; planners (and administrators) run site suggestions."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from gis_service.auth.acting import ActingBureau
from gis_service.auth.areas import AreaQuery
from gis_service.auth.dependencies import (
    AdminUser,
    CurrentUser,
    FieldWorker,
    GraveReader,
    Planner,
    ReadWithin,
    WholeDeployment,
)
from gis_service.catalogue.answer_cache import cached_answer
from gis_service.catalogue.feature_query import BboxQuery
from gis_service.core.answers import answer
from gis_service.core.cpu import run_cpu
from gis_service.core.dependencies import SessionDep, SettingsDep
from gis_service.funeral import answers, classification, coverage, planner_export, progress, registry, service
from gis_service.funeral import vocabulary as v
from gis_service.funeral.imports import SPECS
from gis_service.photos import records as photo_records

router = APIRouter(prefix="/api/v1/funeral", tags=["funeral"])
# Individual graves are read by the roles the grave layer admits (layers/grave.toml):
# their positions are personal data of the families, not a public statistic.
Language = Annotated[Literal["zh", "en"], Query(description="the language of the page")]
GraveCode = Annotated[str, Path(pattern=r"^[0-9A-Za-z_-]{1,40}$")]
Radius = coverage.RadiusKm
TypesParam = Annotated[str | None, Query(description="facility types, comma-separated (default: all)")]


ImportKind = StrEnum("ImportKind", {kind.replace("-", "_"): kind for kind in SPECS})


class ProgressBy(StrEnum):
    banner = "banner"
    township = "township"
    restriction = "restriction"
    kind = "kind"


class WidthIn(BaseModel):
    width_m: float = Field(gt=0, le=5000, description="buffer width on each side of the line, metres")


def _types(raw: str | None) -> list[str] | None:
    """Comma-separated facility types; None (all types) when none are given."""
    types = [t.strip() for t in (raw or "").split(",") if t.strip()]
    return types or None


@router.get("/vocabulary", responses=answer(answers.Vocabulary))
async def vocabulary(_: CurrentUser):
    """Facility types and statuses, zone types, grave kinds, remediation states and methods."""
    return {
        "facility_types": v.labelled(v.FACILITY_TYPES),
        "facility_statuses": v.labelled(v.FACILITY_STATUSES),
        "burial_zone_kinds": v.labelled(v.BURIAL_ZONE_KINDS),
        "zone_types": v.labelled(v.ZONE_TYPES),
        "grave_kinds": v.labelled(v.GRAVE_KINDS),
        "remediation_statuses": [
            d | {"color": v.REMEDIATION_COLORS[d["code"]]} for d in v.labelled(v.REMEDIATION_STATUSES)
        ],
        "remediation_methods": v.labelled(v.REMEDIATION_METHODS),
    }


@router.post(
    "/import/{kind}",
    responses=answer(answers.Imported, 201),
    status_code=status.HTTP_201_CREATED,
    dependencies=[WholeDeployment],
)
async def import_file(
    kind: ImportKind, file: UploadFile, admin: AdminUser, db_session: SessionDep, settings: SettingsDep
):
    """Import facilities, graves, corridors, restricted zones or burial zones (admin) from
    CSV/XLSX (points as 经度/纬度 or X/Y; lines and polygons as a WKT column) or from a
    GeoPackage, GeoJSON or zipped Shapefile. Every row is checked; if any has an error
    nothing is imported and the answer (422) lists the errors row by row. New graves,
    corridors and zones are classified at once."""
    out = await registry.import_file(
        db_session,
        kind=kind.value,
        data=await file.read(),
        filename=file.filename or "",
        home_code=settings.home_unit_code,
        actor=admin,
    )
    await db_session.commit()
    return out


@router.get("/corridor-classes", responses=answer(answers.CorridorClasses))
async def corridor_classes(_: CurrentUser, db_session: SessionDep):
    """Corridor classes with their buffer widths (settings) and corridor counts."""
    return {"classes": await service.corridor_classes(db_session)}


@router.put(
    "/corridor-classes/{corridor_class}",
    responses=answer(answers.WidthChanged),
    dependencies=[WholeDeployment],
)
async def set_corridor_width(
    corridor_class: Annotated[str, Path(pattern=r"^[a-z_]{1,24}$")],
    body: WidthIn,
    admin: AdminUser,
    db_session: SessionDep,
):
    """Change a class's buffer width (admin); every grave's classification against the
    corridors of that class is recomputed in the same transaction."""
    out = await service.set_corridor_width(
        db_session, corridor_class=corridor_class, width_m=body.width_m, actor=admin
    )
    await db_session.commit()
    return out


@router.post("/classify", responses=answer(answers.Classified), dependencies=[WholeDeployment])
async def classify_all(_: AdminUser, db_session: SessionDep):
    """Recompute the classification of every grave against every corridor and zone (admin).
    Imports and width changes already do this for what they touch."""
    written = await classification.classify(db_session)
    await db_session.commit()
    return {"restriction_rows": written}


@router.get("/classification/summary", responses=answer(answers.ClassificationSummary))
async def classification_summary(_: CurrentUser, within: ReadWithin, db_session: SessionDep):
    """Graves by corridor or zone class, and those not restricted."""
    return await classification.summary(db_session, within)


@router.get("/graves/points", responses=answer(answers.GravePoints))
async def grave_points(_: GraveReader, within: ReadWithin, db_session: SessionDep, area: BboxQuery):
    """Graves for cluster and heat views as [lon, lat, status index, grave count]."""
    return await service.grave_points(db_session, bbox=area.lonlat if area else None, within=within)


@router.get("/graves/{code}", responses=answer(answers.GraveCard))
async def grave_card(code: GraveCode, _: GraveReader, within: ReadWithin, db_session: SessionDep):
    """A grave: position, kind, the corridors (with distance) and zones it lies in, and its
    remediation history with evidence photos."""
    return await service.grave_card(db_session, code=code, within=within)


@router.post(
    "/graves/{code}/remediation",
    responses=answer(answers.Remediation, 201),
    status_code=status.HTTP_201_CREATED,
)
async def record_remediation(
    code: GraveCode,
    actor: FieldWorker,
    db_session: SessionDep,
    settings: SettingsDep,
    status_: Annotated[str, Form(alias="status", description="not_started, in_progress or remediated")],
    method: Annotated[
        str | None, Form(description="relocated, deep_buried, levelled, hardening_removed, screened")
    ] = None,
    done_on: Annotated[date | None, Form()] = None,
    note: Annotated[str | None, Form(max_length=2000)] = None,
    version: Annotated[
        int | None, Form(description="the grave version you saw; a stale one gets 409")
    ] = None,
    photos: Annotated[
        list[UploadFile] | None, File(description="evidence photos (JPEG, PNG or WebP)")
    ] = None,
):
    """Record a remediation step (inspector or admin). A remediated grave needs its method,
    date and at least one evidence photo; photos are checked and cleaned like visit
    photos, and a bad one rejects the whole record."""
    uploads = [await p.read() for p in photos or []]
    service.check_remediation(status_, method, done_on, len(uploads))
    clean = [await run_cpu(photo_records.clean, data, settings) for data in uploads]
    stored = [await photo_records.keep(settings.photo_dir, data) for data in clean]
    out = await service.record_remediation(
        db_session,
        code=code,
        status=status_,
        method=method,
        done_on=done_on,
        note=note,
        expected_version=version,
        photos=stored,
        actor=actor,
    )
    await db_session.commit()
    return out


@router.get("/progress", responses=answer(answers.Progress))
async def remediation_progress(
    _: CurrentUser,
    db_session: SessionDep,
    request: Request,
    area: AreaQuery,
    by: ProgressBy = ProgressBy.banner,
):
    """Remediation progress of a unit's graves (remediated ÷ surveyed, in graves) as a
    monthly series by banner, township, restriction class or grave kind (kept until the
    graves change)."""
    # the series runs to this month: a new month is a new answer
    key = ("progress", area.code, by.value, date.today().isoformat()[:7])
    return await cached_answer(
        request, progress.TABLES, key, lambda: progress.series(db_session, by=by.value, area=area)
    )


@router.get("/progress/targets", responses=answer(answers.Targets))
async def remediation_targets(_: CurrentUser, db_session: SessionDep, request: Request, area: AreaQuery):
    """The plan's remediation targets with their current values in a unit."""
    found = await cached_answer(
        request, progress.TABLES, ("targets", area.code), lambda: progress.targets(db_session, area)
    )
    return {"targets": found}


@router.get("/coverage/official", responses=answer(answers.OfficialCoverage))
async def official_coverage(_: CurrentUser, db_session: SessionDep, request: Request, area: AreaQuery):
    """Per facility type, the share of a unit's banners and districts with an operating
    facility; rural public-welfare cemeteries also per rural township."""
    found = await cached_answer(
        request, coverage.TABLES, ("official", area.code), lambda: coverage.official(db_session, area=area)
    )
    return {"indicators": found}


@router.get("/coverage/distance", responses=answer(answers.DistanceCoverage))
async def distance_coverage(
    _: CurrentUser,
    db_session: SessionDep,
    settings: SettingsDep,
    request: Request,
    area: AreaQuery,
    radius_km: Radius = None,
    types: TypesParam = None,
):
    """Share of a unit's located township seats and villages within radius_km (on the
    ellipsoid) of an operating facility, and the uncovered places with the distance to the
    nearest one."""
    radius, kinds = radius_km or settings.coverage_radius_km, _types(types)
    return await cached_answer(
        request,
        coverage.TABLES,
        ("distance", area.code, radius, tuple(kinds) if kinds else None),  # the indicators' key too
        lambda: coverage.distance(db_session, radius_km=radius, area=area, types=kinds),
    )


@router.get("/coverage/suggested-sites", responses=answer(answers.SuggestedSites))
async def suggested_sites(
    _: Planner,
    db_session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery,
    k: Annotated[int, Query(ge=1, le=20)] = 3,
    radius_km: Radius = None,
    types: TypesParam = None,
):
    """k new sites among a unit's township seats that cover the most of its places, keeping
    operating facilities fixed (maximal covering location model; planner or admin)."""
    return await coverage.suggest_sites(
        db_session, radius_km=radius_km or settings.coverage_radius_km, k=k, area=area, types=_types(types)
    )


@router.get("/planner-map.html", response_class=HTMLResponse)
async def planner_map_export(
    _: Planner,
    by: ActingBureau,
    db_session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery,
    radius_km: Radius = None,
    lang: Language = "zh",
):
    """The planners' view of a unit as one standalone HTML file (folium; scripts inlined, so it opens
    with no network): banners shaded by coverage, facilities with service rings,
    corridors, zones and a heat view of graves not yet remediated."""
    page = await planner_export.standalone_map(
        db_session,
        settings,
        area=area,
        by=by,
        radius_km=radius_km or settings.coverage_radius_km,
        lang=lang,
    )
    return HTMLResponse(
        page, headers={"Content-Disposition": f'attachment; filename="planner-map-{area.code}.html"'}
    )


@router.get("/report.html", response_class=HTMLResponse)
async def printable_report(
    _: Planner,
    by: ActingBureau,
    db_session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery,
    radius_km: Radius = None,
    lang: Language = "zh",
):
    """A printable report (A4) of a unit with the indicator, progress and coverage tables."""
    return HTMLResponse(
        await planner_export.printable_report(
            db_session,
            settings,
            area=area,
            by=by,
            radius_km=radius_km or settings.coverage_radius_km,
            lang=lang,
        )
    )
