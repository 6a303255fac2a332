"""A write served by this process is seen by this process's very next read.

Other processes learn of a commit from the database's notification; this one forgets its
in-memory table versions (and, for account changes, its cached sign-ins) as the write's
answer starts, which is after the commit and before the client can ask again.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ReadYourWritesMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        accounts = scope["path"].startswith("/api/v1/auth")

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state.table_versions.forget_all()
                if accounts:
                    state.token_cache.clear()
                    state.basic_cache.clear()
            await send(message)

        await self.app(scope, receive, _send)
