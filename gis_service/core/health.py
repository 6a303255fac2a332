"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from gis_service.core.answers import Health, Readiness, answer

router = APIRouter(tags=["health"])


@router.get("/healthz", responses=answer(Health))
async def healthz():
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses=answer(Readiness) | {503: {"model": Readiness}})
async def readyz(request: Request):
    """The database answers, the schema is current and every catalogue source exists."""
    from gis_service.core.migrations import head_revision

    checks: dict[str, object] = {}
    try:
        async with request.app.state.sessionmaker() as session:
            checks["database"] = (await session.scalar(text("SELECT 1"))) == 1
            current = await session.scalar(text("SELECT version_num FROM alembic_version"))
            checks["schema"] = current == head_revision()
            sources = [layer.source for layer in request.app.state.catalogue.layers().values()]
            found = set(
                await session.scalars(
                    text(
                        "SELECT c.relname FROM pg_class c JOIN pg_namespace n"
                        " ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"
                        " AND c.relname = ANY(:names)"
                    ),
                    {"names": sources},
                )
            )
            missing = sorted(set(sources) - found)
            checks["catalogue"] = not missing
            if missing:
                checks["missing_sources"] = missing
    except Exception as exc:  # any failure means "not ready", with the reason
        checks["database"] = False
        checks["error"] = exc.__class__.__name__
    ready = all(v for k, v in checks.items() if k in ("database", "schema", "catalogue"))
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)
