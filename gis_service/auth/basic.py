"""HTTP Basic credentials, for GIS clients that cannot send a bearer token.

Debian's QGIS 3.22 and many other OGC clients can only send a user name and password
(`Authorization: Basic`). They are checked like a sign-in: each attempt is counted by the
same throttle before the password is hashed, and a wrong one is a 401. Accepted
credentials are kept per process for a few seconds, as validated tokens are (keyed by a
hash of the pair, never the password), and dropped at once when the account changes.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from datetime import UTC, datetime, timedelta

from fastapi import Request

from gis_service.auth import service, throttle
from gis_service.auth.models import AppUser
from gis_service.auth.security import token_digest
from gis_service.core.errors import Unauthorized

KEPT = timedelta(seconds=60)  # the cache's own TTL (seconds) ends it sooner, as does any account change


def credentials(header: str | None) -> tuple[str, str] | None:
    """(user name, password) from an `Authorization: Basic …` header, else None."""
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized(
            "The Basic credentials are not valid base64 text.", "Basic 凭据不是有效的 base64 文本。"
        ) from None
    username, sep, password = decoded.partition(":")
    if not sep or not username:
        raise Unauthorized("Basic credentials must be user:password.", "Basic 凭据必须为“用户名:密码”。")
    return username, password


async def user_for_basic(request: Request, username: str, password: str) -> AppUser:
    """The account for these credentials. Parallel requests with the same credentials (QGIS
    sends several at once) share one check in this process: one attempt is counted, not
    one per request, so the right password is never refused as "too many failures"."""
    state = request.app.state
    digest = token_digest("basic\0" + username + "\0" + password)
    user = state.basic_cache.get(digest)
    if user is not None:
        return user
    inflight: dict[str, asyncio.Future] = state.basic_inflight
    if digest in inflight:
        return await asyncio.shield(inflight[digest])
    future = asyncio.get_running_loop().create_future()
    inflight[digest] = future
    try:
        user = await _check(request, username, password)
        future.set_result(user)
    except BaseException as exc:
        future.set_exception(exc)
        future.exception()  # retrieved here: nobody may be waiting
        raise
    finally:
        del inflight[digest]
    state.basic_cache.put(digest, user, datetime.now(UTC) + KEPT)
    return user


async def _check(request: Request, username: str, password: str) -> AppUser:
    state = request.app.state
    async with state.sessionmaker() as db_session:
        attempt = await throttle.begin(db_session, request, state.settings, username)
        found = await service.check_password(db_session, username=username, password=password, door="basic")
        await throttle.succeeded(db_session, attempt)
        await db_session.commit()
    # a plain object outside any session: safe to share between requests
    return AppUser(
        id=found.id,
        username=found.username,
        display_name=found.display_name,
        role=found.role,
        is_active=found.is_active,
        is_demo=found.is_demo,
        unit_code=found.unit_code,
        password_change_required=found.password_change_required,
    )
