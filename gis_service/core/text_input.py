"""Text as it enters the service: normalised to NFC, and refused when it carries a
character a person cannot see or that changes how text is shown — control characters
(NUL among them; tab and line breaks excepted), format characters such as zero-width
spaces, joiners outside Mongolian script, the byte-order mark and bidirectional controls,
and line or paragraph separators. "东\\u200b胜区" would otherwise be a second 东胜区 that
no search or duplicate check finds.

`TextInputMiddleware` applies this to every query string, JSON body and form body; the
table reader and the multipart routes call `clean` and `clean_tree` on what they read."""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gis_service.core.errors import BadRequest, send_error

REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}
ALLOWED_CONTROLS = {"\t", "\n", "\r"}
# Mongolian script needs these between its letters (joiners, the vowel separator).
MONGOLIAN_JOINERS = {"\u200c", "\u200d", "\u180e"}


class UnsafeText(BadRequest):
    code = "unsafe_text"


def _mongolian(ch: str) -> bool:
    return "\u1800" <= ch <= "\u18af"


def _refused_at(text: str) -> int | None:
    # Every refused category is non-printable to Python, which checks in C: most text
    # (Chinese, Latin, digits) is printable and needs no walk character by character.
    if text.isprintable():
        return None
    for i, ch in enumerate(text):
        if ch in ALLOWED_CONTROLS or unicodedata.category(ch) not in REFUSED_CATEGORIES:
            continue
        if ch in MONGOLIAN_JOINERS and any(_mongolian(c) for c in text[max(0, i - 1) : i + 2]):
            continue
        return i
    return None


def clean(text: str, field: str) -> str:
    """The text in NFC; a 400 naming the field and the character if it carries one we refuse."""
    at = _refused_at(text)
    if at is not None:
        ch = text[at]
        name = unicodedata.name(ch, "control character")
        code = f"U+{ord(ch):04X}"
        raise UnsafeText(
            f"'{field}' contains {code} ({name}) at position {at + 1}, an invisible or control character; remove it.",
            f"“{field}”第 {at + 1} 个字符为 {code}（{name}），是不可见字符或控制字符，请删除。",
        )
    return unicodedata.normalize("NFC", text)


def clean_tree(value, field: str = "body"):
    """`clean` applied to every string (and key) of parsed JSON, naming where it stands."""
    if isinstance(value, str):
        return clean(value, field)
    if isinstance(value, dict):
        return {clean(k, field): clean_tree(v, f"{field}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [clean_tree(v, f"{field}[{i}]") for i, v in enumerate(value)]
    return value


def _clean_pairs(raw: bytes, where: str) -> bytes | None:
    """A query string or form body cleaned; None when it needs no change."""
    pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
    cleaned = [(clean(k, where), clean(v, f"{where}.{k}")) for k, v in pairs]
    return None if cleaned == pairs else urlencode(cleaned).encode()


class TextInputMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            qs = scope.get("query_string", b"")
            if qs and (b"%" in qs or not qs.isascii()):  # plain ASCII needs no look
                changed = _clean_pairs(qs, "query")
                if changed is not None:
                    scope = {**scope, "query_string": changed}
            writes = scope["method"] in ("POST", "PUT", "PATCH")  # reads (the hot path) skip this
            kind = (
                dict(scope["headers"]).get(b"content-type", b"").split(b";")[0].strip().lower()
                if writes
                else b""
            )
            if kind in (
                b"application/json",
                b"application/x-www-form-urlencoded",
                b"application/geo+json",
            ):
                body = await _read_body(receive)
                new_body = _clean_body(body, kind)
                receive = _replay(new_body if new_body is not None else body, receive)
                if new_body is not None:
                    scope = {
                        **scope,
                        "headers": [(k, v) for k, v in scope["headers"] if k != b"content-length"]
                        + [(b"content-length", str(len(new_body)).encode())],
                    }
        except UnsafeText as exc:
            await send_error(send, exc)
            return
        except UnicodeDecodeError:
            await send_error(
                send, BadRequest("The request is not UTF-8 text.", "请求不是 UTF-8 编码的文本。")
            )
            return
        await self.app(scope, receive, send)


def _clean_body(body: bytes, kind: bytes) -> bytes | None:
    if kind == b"application/x-www-form-urlencoded":
        return _clean_pairs(body, "form")
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None  # not JSON: the route answers for that
    cleaned = clean_tree(parsed)
    return None if cleaned == parsed else orjson.dumps(cleaned)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, upstream: Receive) -> Receive:
    """The body read once, handed on; then the connection's own messages (disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await upstream()

    return receive
