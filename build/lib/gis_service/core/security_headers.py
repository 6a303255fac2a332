"""Security headers on every response; a strict CSP on the map pages."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Leaflet positions elements with inline styles, hence 'unsafe-inline' for styles
# only. Tianditu tiles are the one optional outside origin.
MAP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https://*.tianditu.gov.cn; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"geolocation=(self), camera=(self)"),
]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_map = scope["path"] == "/map" or scope["path"].startswith("/map/")

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend(COMMON)
                if is_map:
                    headers.append((b"content-security-policy", MAP_CSP.encode()))
            await send(message)

        await self.app(scope, receive, _send)
