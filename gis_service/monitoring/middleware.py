"""Requests counted and timed by the route that answered them (its template, e.g.
/api/v1/markers/{code}), so that a million marker codes make one series, not a million."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gis_service.monitoring import metrics


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or (
                "static" if scope["path"].startswith("/map/") else "unmatched"
            )
            metrics.REQUESTS.labels(template, scope["method"], str(status)).inc()
            metrics.LATENCY.labels(template, scope["method"]).observe(time.perf_counter() - started)
