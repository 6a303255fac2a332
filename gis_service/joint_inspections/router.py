"""Joint inspection rounds: due list, rounds, findings, completion and the report."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import HTMLResponse

from gis_service.auth.acting import ActingBureau
from gis_service.auth.dependencies import CurrentUser, FieldWorker, ReadWithin
from gis_service.core.answers import answer
from gis_service.core.dependencies import SessionDep, SettingsDep
from gis_service.core.geojson_pages import COLLECTION_SCHEMA, GeoJSONResponse, geojson_answer
from gis_service.core.openapi_links import record_link
from gis_service.joint_inspections import answers, parties, report, service, tracks
from gis_service.joint_inspections.schemas import FindingIn, RoundComplete, RoundIn, SignatureIn

router = APIRouter(prefix="/api/v1/joint-inspections", tags=["joint inspections"])


@router.get("/due", responses=answer(answers.DueList))
async def due(_: CurrentUser, within: ReadWithin, db_session: SessionDep, settings: SettingsDep):
    """Every line with its last completed round and the next due date: overdue first."""
    return {
        "lines": await service.due_list(
            db_session,
            years=settings.joint_inspection_years,
            soon_days=settings.joint_inspection_due_soon_days,
            today=date.today(),
            within=within,
        )
    }


@router.get(
    "",
    responses=answer(
        answers.Rounds,
        **record_link("/api/v1/joint-inspections/{round_id}", round_id="$response.body#/rounds/0/id"),
    ),
)
async def list_rounds(
    _: CurrentUser,
    within: ReadWithin,
    db_session: SessionDep,
    line: Annotated[str | None, Query(pattern=r"^\d{6}-\d{6}$")] = None,
):
    """Inspection rounds, newest first, optionally of one line."""
    return {"rounds": await service.list_rounds(db_session, line=line, within=within)}


@router.post("", responses=answer(answers.Created, 201), status_code=status.HTTP_201_CREATED)
async def create_round(body: RoundIn, actor: FieldWorker, db_session: SessionDep):
    """Plan a round: scheduled, or extra (after floods or road works, with the reason)."""
    round_id = await service.create_round(db_session, body=body, actor=actor)
    await db_session.commit()
    return {"id": round_id}


@router.get("/{round_id}", responses=answer(answers.RoundReport))
async def get_round(round_id: int, user: CurrentUser, within: ReadWithin, db_session: SessionDep):
    """A round with its line, its parties (one per side, with their signatures) and its
    findings; `your_sides` are the sides the caller may record and sign for."""
    data = await service.round_report(db_session, round_id=round_id, within=within)
    return data | {"your_sides": parties.sides_for(user, data["round"]["line_code"])}


@router.post(
    "/{round_id}/findings", responses=answer(answers.Created, 201), status_code=status.HTTP_201_CREATED
)
async def add_finding(
    round_id: int, body: FindingIn, actor: FieldWorker, db_session: SessionDep, response: Response
):
    """Record a finding of the caller's side, for a marker of the line or for the line as a
    whole; refused (409) once that side has signed. The same `id` again is stored once and
    answered with 200."""
    finding_id, again = await service.add_finding(db_session, round_id=round_id, body=body, actor=actor)
    await db_session.commit()
    if again:
        response.status_code = status.HTTP_200_OK
    return {"id": finding_id}


@router.post(
    "/{round_id}/signatures", responses=answer(answers.Signed, 201), status_code=status.HTTP_201_CREATED
)
async def sign_round(
    round_id: int, body: SignatureIn, actor: FieldWorker, db_session: SessionDep, response: Response
):
    """Sign the caller's side of the round, once: its findings are closed then, and the
    round is completed when every side has signed. The same account signing the same
    side again is answered with 200; another signature of a signed side is a 409."""
    out = await service.sign(db_session, round_id=round_id, body=body, actor=actor)
    await db_session.commit()
    if out.pop("duplicate"):
        response.status_code = status.HTTP_200_OK
    return out


@router.post(
    "/{round_id}/tracks", responses=answer(answers.TrackBatchStored, 201), status_code=status.HTTP_201_CREATED
)
async def add_track(
    round_id: int, body: tracks.TrackBatch, actor: FieldWorker, db_session: SessionDep, response: Response
):
    """A batch of the track walked during the round (positions with times, in order).
    The same batch sent again is stored once and answered with 200."""
    out = await tracks.add_batch(db_session, round_id=round_id, batch=body, actor=actor)
    await db_session.commit()
    if out.pop("duplicate", False):
        response.status_code = status.HTTP_200_OK
    return out


@router.get(
    "/{round_id}/tracks", response_class=GeoJSONResponse, responses={200: geojson_answer(COLLECTION_SCHEMA)}
)
async def get_tracks(round_id: int, user: CurrentUser, within: ReadWithin, db_session: SessionDep):
    """The round's walked tracks, one MultiLineString per inspector, with length and times;
    for the round's participants (who planned it or recorded in it) and administrators."""
    return Response(
        await tracks.as_geojson(db_session, round_id=round_id, user=user, within=within),
        media_type="application/geo+json",
    )


@router.post("/{round_id}/complete", responses=answer(answers.Completed))
async def complete_round(round_id: int, body: RoundComplete, actor: FieldWorker, db_session: SessionDep):
    """Close the round, once every side has signed (409 before); the line's next due date
    follows from it."""
    await service.complete_round(
        db_session, round_id=round_id, completed_on=body.completed_on, notes=body.report_notes, actor=actor
    )
    await db_session.commit()
    return {"id": round_id, "status": "completed"}


@router.get(
    "/{round_id}/report.{fmt}",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {},
                "text/html": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        }
    },
)
async def round_report(
    round_id: int,
    fmt: Literal["csv", "xlsx", "html"],
    _: CurrentUser,
    within: ReadWithin,
    by: ActingBureau,
    db_session: SessionDep,
):
    """The inspection report as CSV, XLSX or a printable page (html), naming who exported
    it and for which bureau."""
    data = await service.round_report(db_session, round_id=round_id, within=within)
    data["exported_by"] = by
    name = f"joint-inspection-{round_id}"
    if fmt == "html":
        return HTMLResponse(report.as_html(data))
    if fmt == "csv":
        return Response(
            report.as_csv(data),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(
        report.as_xlsx(data),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
