"""Serving stored photos to signed-in users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse

from gis_service.core.dependencies import CurrentUser, SettingsDep
from gis_service.core.errors import NotFound
from gis_service.photos.store import path_for

router = APIRouter(prefix="/api/v1/photos", tags=["photos"])


@router.get("/{sha256}", response_class=FileResponse)
async def get_photo(
    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")], _: CurrentUser, settings: SettingsDep
):
    """A stored photo (JPEG, EXIF removed), by its SHA-256."""
    path = path_for(settings.photo_dir, sha256)
    if not path.exists():
        raise NotFound("No such photo.", "照片不存在。")
    return FileResponse(
        path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=31536000, immutable"}
    )
