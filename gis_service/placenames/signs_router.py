"""HTTP layer of the place-name sign register; visits and repairs are the shared
inspection routes (the same as for boundary markers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from gis_service.auth.dependencies import CurrentUser, PlaceNameOfficer, ReadWithin, SignWorker
from gis_service.core.answers import answer
from gis_service.core.dependencies import SessionDep
from gis_service.core.openapi_links import record_link
from gis_service.inspections.assets import SIGN
from gis_service.inspections.routes import register_visit_routes
from gis_service.inspections.vocabulary import CONDITIONS
from gis_service.placenames import answers, signs
from gis_service.placenames.schemas import SignIn

router = APIRouter(prefix="/api/v1", tags=["place-name signs"])
# Signs are visited by boundary inspectors and place-name officers alike.
SignCode = Annotated[str, Path(min_length=3, max_length=40, pattern=r"^[0-9A-Za-z-]+$")]


@router.get(
    "/place-name-signs",
    responses=answer(
        answers.Signs, **record_link("/api/v1/place-name-signs/{code}", code="$response.body#/signs/0/code")
    ),
)
async def list_signs(
    _: CurrentUser,
    within: ReadWithin,
    db_session: SessionDep,
    place_name_id: int | None = None,
    condition: Annotated[str | None, Query(pattern="^(" + "|".join([*CONDITIONS, "unknown"]) + ")$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
):
    """Signs with their condition and the check of their text against the register."""
    return {
        "signs": await signs.list_signs(
            db_session, place_name_id=place_name_id, condition=condition, limit=limit, within=within
        )
    }


@router.post(
    "/place-name-signs",
    responses=answer(answers.Sign, 201),
    status_code=status.HTTP_201_CREATED,
)
async def create_sign(body: SignIn, officer: PlaceNameOfficer, db_session: SessionDep):
    """Register an installed sign (officer); the answer includes the text check."""
    out = await signs.create(db_session, body, officer)
    await db_session.commit()
    return out


@router.get("/place-name-signs/{code}", responses=answer(answers.Sign))
async def get_sign(code: SignCode, _: CurrentUser, within: ReadWithin, db_session: SessionDep):
    return await signs.get(db_session, code, within)


register_visit_routes(
    router,
    SIGN,
    asset_path="/place-name-signs",
    photos_path="/sign-inspections",
    repairs_path="/sign-repairs",
    code_param=SignCode,
    field_user=SignWorker,
)
