"""Serving stored photos to signed-in users, whole or as thumbnails for the phone."""

from __future__ import annotations

import os
import tempfile
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from PIL import Image

from gis_service.auth.dependencies import CurrentUser, ReadWithin
from gis_service.core.dependencies import SessionDep, SettingsDep
from gis_service.core.errors import NotFound
from gis_service.photos.records import readable
from gis_service.photos.store import path_for

router = APIRouter(prefix="/api/v1/photos", tags=["photos"])
THUMB_SIDE = 320
IMMUTABLE = {"Cache-Control": "private, max-age=31536000, immutable"}


def _thumbnail(path) -> str:
    """A 320-px JPEG beside the photo, made once (stored photos never change)."""
    thumb = path.with_name(path.stem + ".thumb.jpg")
    if not thumb.exists():
        with Image.open(path) as img:
            img.thumbnail((THUMB_SIDE, THUMB_SIDE))
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                img.convert("RGB").save(out, format="JPEG", quality=80)
            os.replace(tmp, thumb)  # atomic: a concurrent reader never sees half a file
    return str(thumb)


@router.get("/{sha256}", response_class=FileResponse)
async def get_photo(
    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
    user: CurrentUser,
    within: ReadWithin,
    db_session: SessionDep,
    settings: SettingsDep,
    size: Annotated[Literal["full", "thumb"], Query(description="thumb: at most 320 px")] = "full",
):
    """A stored photo (JPEG, EXIF removed), by its SHA-256; `size=thumb` for a thumbnail."""
    path = path_for(settings.photo_dir, sha256)
    if not path.exists() or (within is not None and not await readable(db_session, sha256, user, within)):
        raise NotFound("No such photo.", "照片不存在。")
    if size == "thumb":
        return FileResponse(
            await run_in_threadpool(_thumbnail, path), media_type="image/jpeg", headers=IMMUTABLE
        )
    return FileResponse(path, media_type="image/jpeg", headers=IMMUTABLE)
