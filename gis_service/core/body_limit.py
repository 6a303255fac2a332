"""A bound on what one request may send, checked before the body is read: a declared
Content-Length over the limit is a 413 at once, and a body that streams past it is cut
off with a 413. JSON is parsed (and held several times over) in memory, so it gets a
smaller bound than multipart uploads, which Starlette spools to disk."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


def _reply(limit: int) -> tuple[dict, dict]:
    mb = limit // (1024 * 1024)
    body = json.dumps(
        {
            "code": "too_large",
            "message": f"The request body is larger than {mb} MB.",
            "message_zh": f"请求体超过 {mb} MB。",
        }
    ).encode()
    start = {
        "type": "http.response.start",
        "status": 413,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    }
    return start, {"type": "http.response.body", "body": body}


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, json_bytes: int, upload_bytes: int) -> None:
        self.app = app
        self.json_bytes = json_bytes
        self.upload_bytes = upload_bytes

    def _limit(self, scope: Scope) -> int:
        headers = dict(scope["headers"])
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        return self.upload_bytes if kind == b"multipart/form-data" else self.json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            for message in _reply(limit):
                await send(message)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                for message in _reply(limit):
                    await send(message)
