"""Error hierarchy mapped to HTTP statuses in one place.

Every error carries an English and a Chinese message a person can act on.
Bad input is a 4xx with this body: {"code", "message", "message_zh"}.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import orjson
import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from psycopg_pool import PoolTimeout
from pydantic_core import PydanticCustomError
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("gis_service.errors")


class AppError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, message_zh: str | None = None, *, headers=None):
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message
        self.headers = headers

    def body(self) -> dict:
        return {"code": self.code, "message": self.message, "message_zh": self.message_zh}


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"

    def __init__(self, message: str, message_zh: str | None = None):
        super().__init__(message, message_zh, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class PasswordChangeRequired(Forbidden):
    code = "password_change_required"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class PreconditionFailed(AppError):
    """An If-Match for a version that is no longer current: the write changes nothing."""

    status_code = 412
    code = "precondition_failed"


class PreconditionRequired(AppError):
    """An update sent without If-Match: refused before anything is read or written."""

    status_code = 428
    code = "precondition_required"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "too_large"


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"


class InvalidRows(AppError):
    """A file import rejected as a whole, with a report row by row."""

    status_code = 422
    code = "invalid_rows"

    def __init__(self, rows: list[dict]):
        super().__init__(
            f"{len(rows)} row(s) have errors; nothing was imported. Fix them and send the file again.",
            f"{len(rows)} 行有错误，未导入任何数据。请修改后重新提交。",
        )
        self.rows = rows

    def body(self) -> dict:
        return {**super().body(), "rows": self.rows}


class Unavailable(AppError):
    status_code = 503
    code = "unavailable"


def _rejected(column: str | None, constraint: str | None) -> dict:
    """A value the database refused, naming the field (an empty NOT NULL column) or the
    rule it broke (a CHECK or unique constraint, named after its table and field)."""
    if column:
        en, zh = f"'{column}' must not be empty", f"“{column}”不能为空"
    elif constraint:
        en, zh = f"a value breaks the rule '{constraint}'", f"有值违反规则“{constraint}”"
    else:
        en, zh = "a value in the request was refused", "请求中的数据被拒绝"
    body = BadRequest(f"The database refused the request: {en}.", f"数据库拒绝了请求：{zh}。").body()
    return body | {k: v for k, v in (("field", column), ("rule", constraint)) if v}


async def send_error(send, exc: AppError) -> None:
    """Answer with the error body from an ASGI middleware (outside FastAPI's handlers)."""
    body = orjson.dumps(exc.body())
    await send(
        {
            "type": "http.response.start",
            "status": exc.status_code,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def invalid_fields(exc) -> BadRequest:
    """A pydantic ValidationError met inside a service (a model built from a write that did
    not come through FastAPI's own validation) as the 400 naming the first bad field."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    zh = (first.get("ctx") or {}).get("zh") or first["msg"]
    return BadRequest(f"{where}: {first['msg']}", f"{where}：取值无效（{zh}）")


def _json(status: int, body: dict, headers=None) -> JSONResponse:
    return JSONResponse(status_code=status, content=body, headers=headers)


def invalid_value(message: str, message_zh: str) -> PydanticCustomError:
    """A validation error for model validators that carries its Chinese message too, so
    the 422 answers in both languages."""
    return PydanticCustomError("invalid_value", message, {"zh": message_zh})


def _describe_validation(exc: RequestValidationError, *, zh: bool = False) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        msg = (zh and (err.get("ctx") or {}).get("zh")) or str(err.get("msg")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts) or "invalid request"


def install_error_handlers(
    app: FastAPI, html_page: Callable[[Request, AppError], str | None] | None = None
) -> None:
    """Register the handlers that turn exceptions into the common error body. `html_page`
    may answer a person's browser with a page instead (a sign-in for the OGC pages)."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError):
        page = html_page(request, exc) if html_page else None
        if page is not None:
            return HTMLResponse(page, status_code=exc.status_code, headers=exc.headers)
        return _json(exc.status_code, exc.body(), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        msg, msg_zh = _describe_validation(exc), _describe_validation(exc, zh=True)
        return _json(422, {"code": "invalid", "message": msg, "message_zh": f"请求参数无效：{msg_zh}"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        msg = str(exc.detail)
        zh = {404: "未找到该地址", 405: "不支持该请求方法"}.get(exc.status_code, msg)
        return _json(
            exc.status_code,
            {"code": "http_error", "message": msg, "message_zh": zh},
            getattr(exc, "headers", None),
        )

    @app.exception_handler(OperationalError)  # through SQLAlchemy
    @app.exception_handler(psycopg.OperationalError)  # through the plain pool (tiles)
    @app.exception_handler(PoolTimeout)
    async def _db_down(_: Request, exc: Exception):
        log.error("database unavailable: %s", exc.__class__.__name__)
        return _json(
            503,
            Unavailable(
                "The database is unavailable; retry in a moment.", "数据库暂时不可用，请稍后重试。"
            ).body(),
            {"Retry-After": "5"},
        )

    @app.exception_handler(DBAPIError)
    async def _db_error(_: Request, exc: DBAPIError):
        # Data errors that slipped past validation are still the caller's input.
        sqlstate = getattr(exc.orig, "sqlstate", "") or ""
        if sqlstate.startswith(("22", "23")):
            diag = getattr(exc.orig, "diag", None)
            # The primary message and constraint name carry no row values.
            log.info(
                "value rejected by the database",
                extra={
                    "sqlstate": sqlstate,
                    "constraint": getattr(diag, "constraint_name", None),
                    "reason": getattr(diag, "message_primary", None),
                },
            )
            return _json(
                400, _rejected(getattr(diag, "column_name", None), getattr(diag, "constraint_name", None))
            )
        log.exception("database error")
        return _json(500, {"code": "internal", "message": "internal error", "message_zh": "内部错误"})
