"""The address this service is reached at, for every absolute URL it writes (OGC links
and `next`, Location, TileJSON, layer links), never taken from a Host header an attacker
chose.

- `PUBLIC_URL` (scheme, host and an optional path prefix, e.g.
  https://mzj.example.gov.cn/gis) is the base of every link when set: behind a TLS proxy
  the links say https, whatever the proxy forwarded.
- Without it, a request's Host must be one of `ALLOWED_HOSTS` (the local names by
  default) or it gets a 400; the link base is then that host, with the scheme uvicorn
  took from X-Forwarded-Proto, which it believes only from `TRUSTED_PROXIES`.
- A path prefix in `PUBLIC_URL` (a bureau's host shared with other sites) works whether
  the proxy strips it or passes it on: the routes see paths without it either way, and
  the pages and links the service writes put it back (`path_prefix`)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from gis_service.core.errors import BadRequest, send_error


def public_base(request: Request) -> str:
    """scheme://host[/prefix] without a trailing slash."""
    configured = request.app.state.settings.public_url
    return configured.rstrip("/") if configured else str(request.base_url).rstrip("/")


def path_prefix(public_url: str | None) -> str:
    """The path the service is served under ("" or e.g. "/gis"), from PUBLIC_URL."""
    return urlsplit(public_url).path.rstrip("/") if public_url else ""


def app_root(request: Request) -> str:
    """The path prefix of this service's pages and files, for URLs written into HTML."""
    return path_prefix(request.app.state.settings.public_url)


def public_request_url(request: Request) -> str:
    """This request's URL as the public sees it (path and query on the public base)."""
    query = request.url.query
    return public_base(request) + request.url.path + (f"?{query}" if query else "")


def with_query(url: str, request: Request, **params) -> str:
    """`url` (a public_request_url) with these query parameters set: any of the same name
    left out, the new ones last (as Starlette's include_query_params, from the query the
    request already parsed: every page's `next` and `alternate` links come through here)."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in params]
    query = urlencode(pairs + [(k, str(v)) for k, v in params.items()])
    return url.split("?", 1)[0] + (f"?{query}" if query else "")


def host_names(public_url: str | None, allowed: list[str]) -> set[str]:
    names = {h.lower().strip("[]") for h in allowed}
    if public_url:
        names.add((urlsplit(public_url).hostname or "").lower())
    return names


def _host_of(header: str) -> str:
    if header.startswith("["):  # [::1]:8000
        return header[1 : header.find("]")].lower()
    return header.rsplit(":", 1)[0].lower() if header.count(":") == 1 else header.lower()


class UnknownHost(BadRequest):
    code = "unknown_host"

    def __init__(self) -> None:
        super().__init__(
            "This server is not reached under that name; set PUBLIC_URL or ALLOWED_HOSTS.",
            "不能通过该名称访问本服务器；请设置 PUBLIC_URL 或 ALLOWED_HOSTS。",
        )


class AllowedHostsMiddleware:
    """A request whose Host is not one of the service's names is refused (400), before any
    link could be built from it."""

    def __init__(self, app: ASGIApp, names: set[str]) -> None:
        self.app = app
        self.names = names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "*" in self.names:
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
        if _host_of(host) in self.names:
            await self.app(scope, receive, send)
            return
        await send_error(send, UnknownHost())


class PathPrefixMiddleware:
    """A request for `{prefix}/...` (a proxy that passes the prefix on) is routed as `/...`,
    as it is when the proxy strips the prefix itself."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.prefix and scope["type"] == "http":
            path = scope["path"]
            if path == self.prefix or path.startswith(self.prefix + "/"):
                scope = {**scope, "path": path[len(self.prefix) :] or "/"}
                scope.pop("raw_path", None)
        await self.app(scope, receive, send)
