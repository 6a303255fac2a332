"""HTTP layer of the place-name register. Reading is open to every signed-in user;
changing the register, the lexicon, findings and requests needs a place-name officer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response, UploadFile, status

from gis_service.auth import jurisdiction
from gis_service.auth.acting import ActingBureau
from gis_service.auth.dependencies import (
    AdminUser,
    CurrentUser,
    PlaceNameOfficer,
    ReadWithin,
    WholeDeployment,
)
from gis_service.core.answers import answer
from gis_service.core.dependencies import IfMatch, ReadSessionDep, SessionDep, SettingsDep
from gis_service.core.errors import BadRequest
from gis_service.core.openapi_links import record_link
from gis_service.core.public_url import public_base
from gis_service.placenames import (
    answers,
    approval,
    findings,
    lexicon,
    locate,
    procedure,
    search,
    service,
    transfer,
)
from gis_service.placenames.romanize import romanize
from gis_service.placenames.rules import rule_catalogue
from gis_service.placenames.schemas import (
    AdvanceIn,
    ApprovalRuleIn,
    CheckIn,
    LexiconIn,
    PlaceNameCreate,
    PlaceNameUpdate,
    RequestIn,
    Status,
    WaiveIn,
)
from gis_service.placenames.vocabulary import Stage

router = APIRouter(prefix="/api/v1/place-names", tags=["place names"])
AdminCodeQuery = Query(pattern=r"^\d{2,12}$")


@router.get(
    "",
    responses=answer(
        answers.NameList,
        **record_link("/api/v1/place-names/{place_id}", place_id="$response.body#/results/0/id"),
    ),
)
async def list_or_search(
    _: CurrentUser,
    within: ReadWithin,
    db_session: ReadSessionDep,
    q: Annotated[
        str | None, Query(max_length=50, description="Chinese, pinyin, initials or romanised")
    ] = None,
    category: Annotated[str | None, Query(pattern=r"^\d{1,8}$")] = None,
    admin_code: Annotated[str | None, AdminCodeQuery] = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    unlocated: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    after: Annotated[int | None, Query(ge=0, description="id to continue after (lists without q)")] = None,
):
    """Search the register (with `q`, ranked best first), or list it in id order (keyset
    paging with `after`). `unlocated=true` lists names without a location: the work list."""
    if q is not None and q.strip():
        if unlocated or after is not None:
            raise BadRequest(
                "unlocated and after apply to lists, not to searches.", "unlocated 与 after 仅用于列表。"
            )
        hits = await search.search(
            db_session,
            q=q,
            category=category,
            admin_code=admin_code,
            status=status_,
            limit=limit,
            within=within,
        )
        return {"query": q, "results": hits}
    items = await search.listing(
        db_session,
        category=category,
        admin_code=admin_code,
        status=status_,
        unlocated=unlocated,
        limit=limit,
        after=after,
        within=within,
    )
    return {"results": items, "next_after": items[-1]["id"] if len(items) == limit else None}


@router.get("/romanize", responses=answer(answers.Romanization))
async def romanize_name(
    _: CurrentUser,
    db_session: SessionDep,
    settings: SettingsDep,
    name: Annotated[str, Query(min_length=1, max_length=50)],
    level: Literal["province", "city", "county", "township", "village"] | None = None,
    admin_code: Annotated[
        str | None, Query(pattern=r"^\d{6}(\d{3}(\d{3})?)?$", description="the unit the name lies in")
    ] = None,
    language: Annotated[
        str | None, Query(pattern=r"^[a-z]{2,3}$", description="romanise with this language's lexicon")
    ] = None,
):
    """The romanisation engine's best form, its candidates and the parts to review. The
    lexicons used are those of the language areas of `admin_code` (by default the unit
    served), or of `language`."""
    known = await lexicon.lexicons(db_session)
    spoken = [language] if language else known.languages(admin_code or settings.home_unit_code)
    result = romanize(name.strip(), known.of_languages(spoken), level)
    return {
        "name": name,
        "languages": spoken,
        "romanization": result.romanization,
        "candidates": result.candidates,
        "review": result.review,
    }


@router.post("/check", responses=answer(answers.CheckResult))
async def check(body: CheckIn, _: CurrentUser, db_session: SessionDep):
    """Check a proposed name in its context (admin unit, category) against every rule."""
    found = await findings.check_proposed(
        db_session,
        name=body.name,
        admin_code=body.admin_code,
        category=body.category,
        level=body.level,
        exclude_id=body.place_name_id,
    )
    return {"name": body.name, "findings": [f.as_dict() for f in found]}


@router.get("/rules", responses=answer(answers.Rules))
async def rules(_: CurrentUser):
    """The standardisation rules, each with its explanation."""
    return {"rules": rule_catalogue()}


@router.get("/categories", responses=answer(answers.Categories))
async def categories(_: CurrentUser, db_session: SessionDep):
    """The place-name category table (GB/T 18521 structure; codes to be checked)."""
    return {"categories": await service.categories(db_session)}


@router.get("/lexicon", responses=answer(answers.Lexicon))
async def get_lexicon(
    _: CurrentUser,
    db_session: SessionDep,
    language: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$", description="ISO 639 code")] = None,
):
    """The transliteration lexicons (one language, or all): roots, suffixes and whole
    names, each with its language and source."""
    return {"entries": await lexicon.entries(db_session, language)}


@router.put(
    "/lexicon",
    responses=answer(answers.LexiconEntry),
    status_code=status.HTTP_200_OK,
    dependencies=[WholeDeployment],
)
async def put_lexicon(
    body: LexiconIn, officer: PlaceNameOfficer, db_session: SessionDep, settings: SettingsDep
):
    """Add or correct an entry of one language's lexicon (officer)."""
    entry = await lexicon.upsert(db_session, body, officer, settings.home_unit_code)
    await db_session.commit()
    return entry


@router.post("/audit", responses=answer(answers.AuditRun), dependencies=[WholeDeployment])
async def run_audit(officer: PlaceNameOfficer, db_session: SessionDep):
    """Check the whole register; findings stay open until resolved or waived."""
    result = await findings.audit_register(db_session)
    await db_session.commit()
    return result


@router.get("/audit", responses=answer(answers.AuditSummary))
async def audit_summary(_: CurrentUser, within: ReadWithin, db_session: SessionDep):
    """Open findings counted by rule and by banner."""
    return await findings.summary(db_session, within=within)


@router.get("/findings", responses=answer(answers.Findings))
async def list_findings(
    _: CurrentUser,
    within: ReadWithin,
    db_session: SessionDep,
    place_name_id: int | None = None,
    status_: Annotated[Literal["open", "resolved", "waived"] | None, Query(alias="status")] = None,
    rule: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
):
    return {
        "findings": await findings.list_findings(
            db_session, place_name_id=place_name_id, status=status_, rule=rule, limit=limit, within=within
        )
    }


@router.post("/findings/{finding_id}/resolve", responses=answer(answers.StatusChange))
async def resolve_finding(finding_id: int, officer: PlaceNameOfficer, db_session: SessionDep):
    out = await findings.close(db_session, finding_id, actor=officer, waive_reason=None)
    await db_session.commit()
    return out


@router.post("/findings/{finding_id}/waive", responses=answer(answers.StatusChange))
async def waive_finding(finding_id: int, body: WaiveIn, officer: PlaceNameOfficer, db_session: SessionDep):
    """Accept a finding as it stands, with the reason (kept)."""
    out = await findings.close(db_session, finding_id, actor=officer, waive_reason=body.reason)
    await db_session.commit()
    return out


@router.get(
    "/requests",
    responses=answer(
        answers.NamingRequests,
        **record_link(
            "/api/v1/place-names/requests/{request_id}", request_id="$response.body#/requests/0/id"
        ),
    ),
)
async def list_requests(
    user: CurrentUser,
    within: ReadWithin,
    db_session: SessionDep,
    settings: SettingsDep,
    stage: Stage | None = None,
    waiting: Annotated[
        bool, Query(description="only the requests whose next step is the caller's bureau's")
    ] = False,
):
    """Naming requests, newest first, each with the level that approves it (and the basis in
    the Regulations), the unit whose bureau takes its next step, and whether that is the
    caller's (`yours`)."""
    return {
        "requests": await procedure.list_requests(
            db_session,
            stage=stage,
            user=user,
            served_unit=settings.home_unit_code,
            waiting=waiting,
            within=within,
        )
    }


@router.get("/approval-rules", responses=answer(answers.ApprovalRules))
async def approval_rules(_: CurrentUser, db_session: SessionDep):
    """Who approves each category of names (the level of government, and the basis in the
    2022 Regulations on the Administration of Place Names, art. 12), as this deployment
    has it: the defaults, and its own rules where its province's differ (`edited`)."""
    return {"rules": await approval.rule_table(db_session)}


@router.put(
    "/approval-rules/{category_code}", responses=answer(answers.ApprovalRules), dependencies=[WholeDeployment]
)
async def set_approval_rule(
    category_code: Annotated[str, Path(pattern=r"^\d{1,8}$")],
    body: ApprovalRuleIn,
    admin: AdminUser,
    db_session: SessionDep,
):
    """Set who approves a category of names (and those under it without a rule of their own)."""
    rule = approval.ApprovalRule(body.level, body.basis_zh.strip(), body.basis_en.strip())
    await approval.set_rule(db_session, category_code=category_code, rule=rule, actor=admin)
    await db_session.commit()
    return {"rules": await approval.rule_table(db_session)}


@router.post("/requests", responses=answer(answers.NamingRequest, 201), status_code=status.HTTP_201_CREATED)
async def create_request(
    body: RequestIn, officer: PlaceNameOfficer, db_session: SessionDep, settings: SettingsDep
):
    """Open a naming, renaming or cancellation request (stage: application)."""
    out = await procedure.create(db_session, body, officer)
    await db_session.commit()
    return await procedure.described(db_session, out, officer, settings.home_unit_code)


@router.get("/requests/{request_id}", responses=answer(answers.NamingRequest))
async def get_request(
    request_id: int, user: CurrentUser, within: ReadWithin, db_session: SessionDep, settings: SettingsDep
):
    """A request, with who approves it and whose step is next."""
    req = await procedure.get(db_session, request_id)
    return await procedure.described(db_session, req, user, settings.home_unit_code, within)


@router.post("/requests/{request_id}/advance", responses=answer(answers.NamingRequest))
async def advance_request(
    request_id: int, body: AdvanceIn, officer: PlaceNameOfficer, db_session: SessionDep, settings: SettingsDep
):
    """Move a request to its next stage: while it is prepared, by an officer of the place's
    unit (or above it); from approval on, by an officer of the approving unit (403
    otherwise). A move the procedure does not allow is a 409; a move without what its
    stage needs is a 400 naming the missing items."""
    out = await procedure.advance(db_session, request_id, body, officer, settings.home_unit_code)
    await db_session.commit()
    return await procedure.described(db_session, out, officer, settings.home_unit_code)


@router.get("/location-suggestions", responses=answer(answers.Suggestions))
async def list_suggestions(
    _: CurrentUser,
    within: ReadWithin,
    db_session: SessionDep,
    status_: Annotated[Literal["suggested", "accepted", "rejected"] | None, Query(alias="status")] = None,
):
    return {"suggestions": await locate.list_suggestions(db_session, status=status_, within=within)}


@router.post(
    "/location-suggestions/run", responses=answer(answers.SuggestionRun), dependencies=[WholeDeployment]
)
async def run_suggestions(officer: PlaceNameOfficer, db_session: SessionDep, settings: SettingsDep):
    """Match unlocated names against the GeoNames points (suggestions only)."""
    added = await locate.suggest(db_session, settings.reference_data_dir)
    await db_session.commit()
    return {"added": added}


@router.post(
    "/location-suggestions/{suggestion_id}/{decision}",
    responses=answer(answers.StatusChange),
)
async def decide_suggestion(
    suggestion_id: int,
    decision: Literal["accept", "reject"],
    officer: PlaceNameOfficer,
    db_session: SessionDep,
):
    """Accepting sets the name's location (a new version); rejecting only records it."""
    out = await locate.decide(db_session, suggestion_id, accept=decision == "accept", actor=officer)
    await db_session.commit()
    return out


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}, "description": "the table as a file"}},
)
async def export(
    _: CurrentUser,
    within: ReadWithin,
    by: ActingBureau,
    db_session: SessionDep,
    format: Literal["csv", "xlsx"] = "csv",
    admin_code: Annotated[str | None, AdminCodeQuery] = None,
):
    """The national place-name database table with the census fields. For GeoPackage,
    Shapefile or GeoJSON use the `place_name` layer's export."""
    if within is not None:  # READ_SCOPE=unit: the caller's unit, or a unit within it
        if admin_code is None or within.startswith(admin_code):
            admin_code = within
        jurisdiction.require_readable(within, [admin_code], (f"Unit {admin_code}", f"单位 {admin_code}"))
    data = await transfer.export(db_session, fmt=format, admin_code=admin_code, by=by)
    media = "text/csv; charset=utf-8" if format == "csv" else XLSX
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="place_names.{format}"'},
    )


@router.post("/import", responses=answer(answers.ImportResult, 201), status_code=status.HTTP_201_CREATED)
async def import_table(file: UploadFile, officer: PlaceNameOfficer, db_session: SessionDep):
    """Import names from CSV or XLSX (census labels or field keys as headers). A row with
    a 登记编号/id updates that record; others are new. All rows or none."""
    out = await transfer.import_table(db_session, await file.read(), actor=officer)
    await db_session.commit()
    return out


@router.post("", responses=answer(answers.PlaceNameFeature, 201), status_code=status.HTTP_201_CREATED)
async def create(
    body: PlaceNameCreate,
    officer: PlaceNameOfficer,
    db_session: SessionDep,
    request: Request,
    response: Response,
):
    values = body.model_dump(exclude_none=True, exclude={"reason", "waiver_reason"})
    record = await service.create(
        db_session, values=values, actor=officer, reason=body.reason, waiver_reason=body.waiver_reason
    )
    await db_session.commit()
    response.headers["Location"] = f"{public_base(request)}/api/v1/place-names/{record['id']}"
    response.headers["ETag"] = service.etag(record)
    return service.feature(record)


@router.get("/{place_id}", responses=answer(answers.PlaceNameFeature | answers.RecordAsOf))
async def get_one(
    place_id: int,
    _: CurrentUser,
    within: ReadWithin,
    db_session: SessionDep,
    response: Response,
    as_of: Annotated[datetime | None, Query(description="the record as it stood at this time")] = None,
):
    """A record as GeoJSON Feature, with its romanisation suggestion; with `as_of`, the
    version in force at that time."""
    if as_of is not None:
        return await service.as_of(db_session, place_id, as_of, within)
    record = await service.get(db_session, place_id, within=within)
    response.headers["ETag"] = service.etag(record)
    out = service.feature(record)
    where = record.get("unit_code") or record.get("admin_code")
    suggestion = romanize(
        record["name"], (await lexicon.lexicons(db_session)).for_code(where), record["level"]
    )
    out["properties"]["romanization_suggestion"] = {
        "romanization": suggestion.romanization,
        "candidates": suggestion.candidates,
        "review": suggestion.review,
    }
    return out


@router.get("/{place_id}/history", responses=answer(answers.History))
async def history(place_id: int, _: CurrentUser, within: ReadWithin, db_session: SessionDep):
    """Every version, newest first: who, when, why and what changed."""
    return {"id": place_id, "versions": await service.history(db_session, place_id, within)}


@router.patch("/{place_id}", responses=answer(answers.PlaceNameFeature))
async def update(
    place_id: int,
    body: PlaceNameUpdate,
    officer: PlaceNameOfficer,
    db_session: SessionDep,
    response: Response,
    if_match: IfMatch,
):
    """Change fields of a record as a new version (reason required). If-Match with the ETag
    you read is required (428 without it): if someone changed the record since, the answer
    is 412 and nothing changes."""
    changes = body.model_dump(exclude_unset=True, exclude={"reason", "waiver_reason"})
    if not changes:
        raise BadRequest("Nothing to change.", "没有要修改的内容。")
    for key in ("name", "level", "status", "origin_language"):
        if key in changes and changes[key] is None:
            raise BadRequest(f"{key} cannot be emptied.", f"{key} 不能为空。")
    record = await service.update(
        db_session,
        place_id,
        changes=changes,
        actor=officer,
        reason=body.reason,
        if_match=if_match,
        waiver_reason=body.waiver_reason,
    )
    await db_session.commit()
    response.headers["ETag"] = service.etag(record)
    return service.feature(record)
