"""Entity tags: one hash for a version's text, the one If-Match check every update makes
(under the record's row lock, so check and write are atomic), and the one If-None-Match
check of every read that can answer 304."""

from __future__ import annotations

import hashlib

from gis_service.core.errors import PreconditionFailed


def etag_of(text: str) -> str:
    return '"' + hashlib.blake2b(text.encode(), digest_size=12).hexdigest() + '"'


def check_if_match(if_match: str, current: str) -> None:
    """A 412 unless If-Match names the current ETag ("*" is HTTP's explicit "whatever the
    current version is": the client chose to overwrite)."""
    if if_match != "*" and current not in [w.strip() for w in if_match.split(",")]:
        raise PreconditionFailed(
            "The record changed since you read it; fetch it again and retry.",
            "该记录在您读取后已被修改，请重新获取后再提交。",
        )


def revalidated(etag: str) -> dict[str, str]:
    """The caching headers of an answer that clients may keep and must revalidate with its
    ETag each time (tiles, the base map, pages of features): never kept past an edit."""
    return {"ETag": etag, "Cache-Control": "private, no-cache"}


def _opaque(tag: str) -> str:
    return tag.strip().removeprefix("W/")


def unchanged(if_none_match: str | None, current: str) -> bool:
    """Whether If-None-Match names the current ETag, so that a GET answers 304: a list,
    compared weakly (RFC 9110 13.1.2), `*` for any."""
    if not if_none_match:
        return False
    tags = if_none_match.split(",")
    return any(t.strip() == "*" for t in tags) or _opaque(current) in {_opaque(t) for t in tags}
