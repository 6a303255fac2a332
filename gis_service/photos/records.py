"""Taking a photo in: re-encode by the settings' limits, store by hash, and record it in
the `photo` table. Marker and sign visits and grave remediation all come through here and
link the photo to their own record."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth.models import AppUser
from gis_service.photos.store import StoredPhoto, reencode


def clean(data: bytes, settings) -> bytes:
    return reencode(
        data,
        max_bytes=settings.photo_max_bytes,
        max_pixels=settings.photo_max_pixels,
        max_side=settings.photo_max_side_px,
    )


async def register(db_session: AsyncSession, photo: StoredPhoto, actor: AppUser) -> dict:
    """Record a stored photo once (the same bytes are one row) and describe it."""
    await db_session.execute(
        text("""
        INSERT INTO photo (sha256, content_type, width, height, bytes, uploaded_by)
        VALUES (:sha, :ct, :w, :h, :b, :by) ON CONFLICT (sha256) DO NOTHING"""),
        {
            "sha": photo.sha256,
            "ct": photo.content_type,
            "w": photo.width,
            "h": photo.height,
            "b": photo.bytes,
            "by": actor.id,
        },
    )
    return {
        "sha256": photo.sha256,
        "url": f"/api/v1/photos/{photo.sha256}",
        "width": photo.width,
        "height": photo.height,
        "bytes": photo.bytes,
    }
