"""Taking a photo in: re-encode by the settings' limits, store by hash, and record it in
the `photo` table. Marker and sign visits and grave remediation all come through here and
link the photo to their own record."""

from __future__ import annotations

from pathlib import Path

import anyio.to_thread
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth.models import AppUser
from gis_service.photos.store import StoredPhoto, reencode, save


async def keep(folder: Path, data: bytes) -> StoredPhoto:
    """Store cleaned bytes (store.save) in a worker thread: its fsync waits on the disk,
    which must not hold up the other requests on the event loop."""
    return await anyio.to_thread.run_sync(save, folder, data)


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


async def readable(db_session: AsyncSession, sha256: str, user: AppUser, within: str) -> bool:
    """Whether a caller whose reads are limited to `within` (READ_SCOPE=unit) reads this
    photo: one they uploaded, or one of a visit or a remediation of a record they read."""
    return bool(
        await db_session.scalar(
            text("""
            SELECT EXISTS (SELECT 1 FROM photo WHERE sha256 = :s AND uploaded_by = :me)
                OR EXISTS (SELECT 1 FROM inspection_photo ip JOIN marker_inspection i ON i.id = ip.inspection_id
                           JOIN boundary_marker m ON m.id = i.marker_id
                           WHERE ip.photo_sha256 = :s AND units_within(m.line_code, :w))
                OR EXISTS (SELECT 1 FROM sign_inspection_photo ip JOIN sign_inspection i ON i.id = ip.inspection_id
                           JOIN place_name_sign m ON m.id = i.sign_id JOIN place_name p ON p.id = m.place_name_id
                           WHERE ip.photo_sha256 = :s AND units_within(p.admin_code, :w))
                OR EXISTS (SELECT 1 FROM grave_remediation_photo gp
                           JOIN grave_remediation r ON r.id = gp.remediation_id JOIN grave g ON g.id = r.grave_id
                           WHERE gp.photo_sha256 = :s AND units_within(g.county_code, :w))"""),
            {"s": sha256, "me": user.id, "w": within},
        )
    )
