"""Structured (JSON-lines) logging, with a request log that never records secrets."""

from __future__ import annotations

import itertools
import logging
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import unquote_plus

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gis_service.core.read_replica import served_by

_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
# Request ids: a random prefix per process and a counter, unique without a system call
# for randomness on every request.
_ID_PREFIX = secrets.token_hex(4)
_ID_COUNTER = itertools.count(1)


def new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_ID_COUNTER) & 0xFFFFFFFF:08x}"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(out, default=str).decode()


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (it may be replaced after set-up)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(level: str = "INFO", json_lines: bool = True, log_file: Path | None = None) -> None:
    """Log to stderr, and also append to `log_file` when one is set."""
    handlers: list[logging.Handler] = [_StderrHandler()]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, mode="a", encoding="utf-8"))
    for handler in handlers:
        if json_lines:
            handler.setFormatter(JsonFormatter())
        else:
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    for old in root.handlers:
        if isinstance(old, logging.FileHandler):
            old.close()
    root.handlers[:] = handlers
    root.setLevel(level.upper())
    # uvicorn's own access log would duplicate ours (and print query strings).
    logging.getLogger("uvicorn.access").disabled = True


def _param_names(query: bytes) -> list[str]:
    # bounded: a caller chooses these names, and a log line should stay a line
    names = {unquote_plus(part.split("=", 1)[0])[:40] for part in query.decode("latin-1").split("&") if part}
    return sorted(names)[:20]


class RequestLogMiddleware:
    """One structured line per request: method, path, the query parameters' names (not
    their values), status, time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("gis_service.request")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        start = time.perf_counter()
        status = 500

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        report: dict = {}
        served_by.set(report)
        try:
            await self.app(scope, receive, _send)
        finally:
            self.log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    # the parameters' names only: their values may be personal or secret
                    "params": _param_names(scope.get("query_string", b"")),
                    "status": status,
                    "ms": round((time.perf_counter() - start) * 1000, 2),
                    **report,  # "db": primary or replica, for reads that may use a replica
                },
            )
