"""Jobs: work too long to hold a request (re-deriving every boundary line, tens of
seconds for a province) runs in the worker's event loop after the request has answered
202 with the job's address. Its state lives in `background_job`, so whichever worker a
client asks next answers; one job of a kind runs at a time (a second start returns the
running one). A job whose worker died is reported failed after STALE."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gis_service.core.answers import Answer
from gis_service.core.errors import NotFound

log = logging.getLogger("gis_service.jobs")
STALE = timedelta(hours=1)
_running: set[asyncio.Task] = set()  # kept referenced until done


async def start(
    sessionmaker: async_sessionmaker,
    *,
    kind: str,
    user: str,
    work: Callable[[AsyncSession], Awaitable[dict]],
) -> str:
    """The id of the running job of this kind, or of a new one started now."""
    async with sessionmaker() as db_session:
        await db_session.execute(text("SELECT pg_advisory_xact_lock(hashtext('job:' || :k))"), {"k": kind})
        running = await db_session.scalar(
            text("""SELECT id::text FROM background_job WHERE kind = :k AND status = 'running'
                    AND created_at > now() - :stale"""),
            {"k": kind, "stale": STALE},
        )
        if running:
            return running
        job_id = str(uuid.uuid4())
        await db_session.execute(
            text("INSERT INTO background_job (id, kind, created_by) VALUES (:id, :k, :u)"),
            {"id": job_id, "k": kind, "u": user},
        )
        await db_session.commit()
    task = asyncio.create_task(_run(sessionmaker, job_id, work))
    _running.add(task)
    task.add_done_callback(_running.discard)
    return job_id


async def _run(sessionmaker, job_id: str, work) -> None:
    status, result, error = "done", None, None
    try:
        async with sessionmaker() as db_session:
            result = await work(db_session)
            await db_session.commit()
    except Exception as exc:  # the job's failure is its status, not a crash of the worker
        log.exception("job %s failed", job_id)
        status, error = "failed", type(exc).__name__
    async with sessionmaker() as db_session:
        await db_session.execute(
            text("""UPDATE background_job SET status = :s, result = CAST(:r AS jsonb), error = :e,
                    finished_at = now() WHERE id = :id"""),
            {
                "s": status,
                "r": orjson.dumps(result).decode() if result is not None else None,
                "e": error,
                "id": job_id,
            },
        )
        await db_session.commit()


async def status(db_session: AsyncSession, *, kind: str, job_id: uuid.UUID) -> dict:
    row = (
        await db_session.execute(
            text("""SELECT id::text AS id, kind, CASE WHEN status = 'running' AND created_at < now() - :stale
                           THEN 'failed' ELSE status END AS status,
                           result, error, created_by, created_at, finished_at
                    FROM background_job WHERE id = :id AND kind = :k"""),
            {"id": job_id, "k": kind, "stale": STALE},
        )
    ).first()
    if row is None:
        raise NotFound(f"No {kind} job {job_id}.", f"任务 {job_id} 不存在。")
    return dict(row._mapping)


class JobStarted(Answer):
    """202: the job runs; its status is read at `status_url` (also the `Location`)."""

    job: str
    status: str
    status_url: str


class JobStatus(Answer):
    id: str
    kind: str
    status: str
    result: dict | None
    error: str | None
    created_by: str | None
    created_at: datetime
    finished_at: datetime | None
