"""HEAD is answered wherever GET is: the GET response's status and headers, no body.

FastAPI routes a HEAD only to routes that list it, so clients that probe with HEAD (GIS
clients checking a collection, link checkers) got 405 from every read route, while
OPTIONS advertised HEAD. Turning HEAD into GET here covers every route at once."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        body_sent = False

        async def headers_only(message: Message) -> None:
            nonlocal body_sent
            if message["type"] == "http.response.body":
                if body_sent:
                    return
                # the body is dropped; Content-Length stays that of the GET
                body_sent = True
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
