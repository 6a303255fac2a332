"""The visit routes of an inspected asset, registered once per asset: record a visit
(JSON, or a multipart form with photos), add a photo to a sent visit, correct a sent
visit, the visit history, and the asset's repair orders."""

import uuid
from datetime import timedelta
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Form, Query, Request, Response, UploadFile, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from gis_service.auth.dependencies import AdminUser, CurrentUser, ReadWithin
from gis_service.core.answers import answer
from gis_service.core.cpu import run_cpu
from gis_service.core.dependencies import IfMatch, SessionDep, SettingsDep
from gis_service.core.errors import BadRequest
from gis_service.core.text_input import clean_tree
from gis_service.inspections import answers, service
from gis_service.inspections.assets import InspectedAsset
from gis_service.inspections.schemas import InspectionCorrection, InspectionIn, RepairAssign, RepairClose
from gis_service.photos import records as photo_records

VISIT_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/InspectionIn"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["visit"],
                "properties": {
                    "visit": {"type": "string", "description": "the visit as JSON (InspectionIn)"},
                    "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "bearings": {
                        "type": "array",
                        "items": {"type": "number"},
                        "description": "camera direction of each photo, degrees from north",
                    },
                },
            }
        },
    },
}


def _json(raw: str):
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest("The 'visit' field is not JSON.", "visit 字段不是 JSON。") from None


async def read_visit(request: Request) -> tuple[InspectionIn, list[tuple[bytes, float | None]]]:
    """The visit from a JSON body, or from a multipart form with photos."""
    kind = request.headers.get("content-type", "")
    try:
        if kind.startswith("multipart/form-data"):
            form = await request.form()
            if "visit" not in form:
                raise BadRequest(
                    "The form needs a 'visit' field holding the visit as JSON.",
                    "表单需要 visit 字段（JSON 格式的巡查记录）。",
                )
            body = InspectionIn.model_validate(clean_tree(_json(str(form["visit"])), "visit"))
            files = form.getlist("photos")
            bearings = [float(b) if str(b).strip() else None for b in form.getlist("bearings")]
            uploads = []
            for i, f in enumerate(files):
                if isinstance(f, str):
                    raise BadRequest("photos must be files.", "photos 必须是文件。")
                uploads.append((await f.read(), bearings[i] if i < len(bearings) else None))
            return body, uploads
        return InspectionIn.model_validate_json(await request.body()), []
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from None
    except ValueError:
        raise BadRequest("bearings must be numbers (degrees).", "bearings 必须是数字（度）。") from None


def register_visit_routes(
    router: APIRouter,
    asset: InspectedAsset,
    *,
    asset_path: str,
    photos_path: str,
    repairs_path: str,
    code_param: Any,
    field_user: Any,
    response_model: Any = None,
) -> None:
    """The visit, photo, correction, history and repair routes of one inspected asset."""
    _visit_routes(router, asset, asset_path, photos_path, code_param, field_user, response_model)
    _correction_routes(router, asset, asset_path, code_param, field_user, response_model)
    _repair_routes(router, asset, repairs_path, field_user)


def _visit_routes(router, asset, asset_path, photos_path, code_param, field_user, response_model) -> None:
    @router.post(
        asset_path + "/{code}/inspections",
        response_model=response_model,
        status_code=status.HTTP_201_CREATED,
        openapi_extra={"requestBody": VISIT_BODY},
        responses={
            **answer(response_model or answers.RecordedVisit, 201),
            200: {"description": "the same visit, sent again"},
        },
        name=f"record_{asset.noun}_inspection",
    )
    async def record_inspection(
        code: code_param,
        request: Request,
        inspector: field_user,
        db_session: SessionDep,
        settings: SettingsDep,
        response: Response,
    ):
        """Record a visit (inspector or admin), as JSON or as a multipart form with photos.
        Sending the same `id` again returns the first result with 200 and creates nothing;
        the same id with different content is a 409. Photos are checked and re-encoded before
        anything is stored, so a bad photo rejects the whole visit."""
        body, uploads = await read_visit(request)
        clean = [(await run_cpu(photo_records.clean, data, settings), bearing) for data, bearing in uploads]
        out = await service.record_inspection(db_session, asset, code=code, body=body, inspector=inspector)
        if clean:
            stored = [
                (await photo_records.keep(settings.photo_dir, data), bearing) for data, bearing in clean
            ]
            out["photos"] = await service.attach_photos(
                db_session,
                asset,
                inspection_id=str(body.id),
                photos=stored,
                actor=inspector,
                window=timedelta(hours=settings.visit_correction_hours),
            )
        await db_session.commit()
        if out.get("duplicate"):
            response.status_code = status.HTTP_200_OK
        return out

    @router.post(
        photos_path + "/{inspection_id}/photos",
        status_code=status.HTTP_201_CREATED,
        responses=answer(answers.Photo, 201),
        name=f"add_{asset.noun}_inspection_photo",
    )
    async def add_photo(
        inspection_id: uuid.UUID,
        inspector: field_user,
        db_session: SessionDep,
        settings: SettingsDep,
        photo: UploadFile,
        camera_bearing_deg: Annotated[float | None, Form(ge=0, lt=360)] = None,
    ):
        """Add one photo to a visit already sent (so a phone can confirm each upload on its
        own): the visit's own inspector within `VISIT_CORRECTION_HOURS`, or an
        administrator. Sending the same photo again changes nothing."""
        stored = await photo_records.keep(
            settings.photo_dir, await run_cpu(photo_records.clean, await photo.read(), settings)
        )
        out = await service.attach_photos(
            db_session,
            asset,
            inspection_id=str(inspection_id),
            photos=[(stored, camera_bearing_deg)],
            actor=inspector,
            window=timedelta(hours=settings.visit_correction_hours),
        )
        await db_session.commit()
        return out[0]


def _correction_routes(router, asset, asset_path, code_param, field_user, response_model) -> None:
    @router.patch(
        asset_path + "/{code}/inspections/{inspection_id}",
        response_model=response_model,
        responses=answer(response_model or answers.RecordedVisit),
        name=f"correct_{asset.noun}_inspection",
    )
    async def correct_inspection(
        code: code_param,
        inspection_id: uuid.UUID,
        body: InspectionCorrection,
        actor: field_user,
        db_session: SessionDep,
        settings: SettingsDep,
        response: Response,
        if_match: IfMatch,
    ):
        """Correct a sent visit's hand-filled fields (checks, notes, displacement, the
        neighbour's representative): its inspector within `VISIT_CORRECTION_HOURS` of
        sending, an administrator at any time. The observation itself (condition, time,
        position) is not corrected: a new visit replaces it. If-Match with the visit's ETag
        is required (428 without it); a correction made meanwhile makes it a 412."""
        out = await service.correct_inspection(
            db_session,
            asset,
            code=code,
            inspection_id=str(inspection_id),
            correction=body,
            actor=actor,
            if_match=if_match,
            window=timedelta(hours=settings.visit_correction_hours),
        )
        await db_session.commit()
        response.headers["ETag"] = service.visit_etag(out["edit_count"])
        return out

    @router.get(
        asset_path + "/{code}/inspections",
        name=f"{asset.noun}_inspection_history",
        responses=answer(answers.history_of(asset.noun)),
    )
    async def inspection_history(
        code: code_param, _: CurrentUser, within: ReadWithin, db_session: SessionDep
    ):
        """Every visit, newest observation first."""
        return {
            asset.noun: code,
            "inspections": await service.inspection_history(db_session, asset, code=code, within=within),
        }


def _repair_routes(router, asset, repairs_path, field_user) -> None:
    @router.get(repairs_path, name=f"list_{asset.noun}_repairs", responses=answer(answers.Repairs))
    async def list_repairs(
        me: CurrentUser,
        within: ReadWithin,
        db_session: SessionDep,
        status: Literal["open", "closed"] | None = None,
        line: Annotated[str | None, Query(pattern=r"^\d{6}-\d{6}$", description="boundary line code")] = None,
        banner: Annotated[str | None, Query(pattern=r"^\d{6}$", description="banner/district code")] = None,
        assignee: Annotated[str | None, Query(max_length=80, description="user name")] = None,
    ):
        """Repair orders with the asset's position and the order's age in days: the
        caller's own assigned orders first, then the longest-waiting open ones."""
        rows = await service.list_repairs(
            db_session,
            asset,
            status=status,
            line=line,
            banner=banner,
            assignee=assignee,
            me=me,
            within=within,
        )
        return {"repairs": rows}

    @router.post(
        repairs_path + "/{repair_id}/assign",
        name=f"assign_{asset.noun}_repair",
        responses=answer(answers.Assignment),
    )
    async def assign_repair(repair_id: int, body: RepairAssign, admin: AdminUser, db_session: SessionDep):
        """Give an open repair order to an inspector (administrators); `null` takes it back."""
        out = await service.assign_repair(
            db_session, asset, repair_id=repair_id, assignee=body.assignee, actor=admin
        )
        await db_session.commit()
        return out

    @router.post(
        repairs_path + "/{repair_id}/close",
        name=f"close_{asset.noun}_repair",
        responses=answer(answers.Closing),
    )
    async def close_repair(
        repair_id: int, body: RepairClose, actor: field_user, db_session: SessionDep, response: Response
    ):
        """Close a repair as repaired, replaced or reset to the registered position. The
        condition after the work (`condition_after`, intact unless said) is recorded as a
        visit by the closer, so the asset's current condition shows the repair. Give the
        visit's `visit_id` to make the closing safe to send again; add photos to it with
        the visit-photo route."""
        out = await service.close_repair(
            db_session,
            asset,
            repair_id=repair_id,
            resolution=body.resolution,
            notes=body.notes,
            condition_after=body.condition_after,
            actor=actor,
            visit_id=body.visit_id,
            closed_at=body.closed_at,
            gnss=body.gnss,
        )
        await db_session.commit()
        if out.pop("duplicate", False):
            response.status_code = status.HTTP_200_OK
        return out
