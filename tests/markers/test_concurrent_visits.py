"""Many visits at once, some opening repairs: none may fail (this once deadlocked on the
per-table data-version rows) and every acknowledged visit is stored."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx


def test_concurrent_visits_all_succeed(live_server, tokens, db):
    codes = [
        r[0] for r in db.execute("SELECT code FROM boundary_marker ORDER BY code DESC LIMIT 4").fetchall()
    ]
    start = datetime.now(UTC) - timedelta(days=2)

    async def run() -> list[tuple[int, str]]:
        headers = {"Authorization": f"Bearer {tokens['inspector']}"}
        async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=60) as client:

            async def visit(n: int):
                body = {
                    "id": str(uuid.uuid4()),
                    "condition": ("damaged", "intact", "moved")[n % 3],
                    "observed_at": (start + timedelta(seconds=n)).isoformat(),
                }
                r = await client.post(f"/api/v1/markers/{codes[n % len(codes)]}/inspections", json=body)
                return r.status_code, body["id"]

            return await asyncio.gather(*(visit(n) for n in range(120)))

    results = asyncio.run(run())
    assert [s for s, _ in results if s != 201] == []
    ids = [uuid.UUID(i) for _, i in results]
    assert (
        db.execute("SELECT count(*) FROM marker_inspection WHERE id = ANY(%s)", (ids,)).fetchone()[0] == 120
    )
