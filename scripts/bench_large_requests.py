"""What the large requests of an attack campaign cost everyone else, on a default install
(2 workers, demo data, signed in):

1. Manifest flood: six viewers ask at once for the whole city's offline area at zoom 18
   (refused from an estimate), and six more for a banner at zoom 14 (prepared, at most
   two per user), while a bystander reads tiles and marker cards. Reported: the refusal's
   time, and the bystander's p50/p99/max quiet and during the flood.
2. Large bodies: a 23 MB GeoJSON import, a 40 MB JSON body, 10,000-feature pages and a
   GeoPackage export, several times each.
3. The workers' resident memory before, right after, and 30 s after (when a worker past
   WORKER_MAX_RSS_MB has given memory back or been replaced).

    ./scripts/bench_large_requests

Results are printed and written to bench-results/large_requests.json.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_support import prepared_database, report, serve  # noqa: E402

WORKERS = 2


def worker_rss(server_pid: int) -> list[int]:
    """Resident MB of the server's worker processes (children of the uvicorn parent)."""
    out = []
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for pid in children:
            try:
                pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
                out.append(pages * 4096 >> 20)
            except OSError:
                pass
    return sorted(out)


async def bystander(base: str, token: str, paths: list[str], stop: asyncio.Event) -> list[float]:
    times = []
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as c:
        while not stop.is_set():
            path = random.choice(paths)
            t = time.perf_counter()
            await c.get(path)
            times.append((time.perf_counter() - t) * 1000)
    return times


def summary(times: list[float]) -> dict:
    return {
        "n": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(sorted(times)[max(0, len(times) * 99 // 100 - 1)], 1),
        "max_ms": round(max(times), 1),
    }


async def timed_post(c: httpx.AsyncClient, url: str, **kw) -> tuple[int, float]:
    t = time.perf_counter()
    r = await c.post(url, **kw)
    return r.status_code, (time.perf_counter() - t) * 1000


async def run(base: str, tokens: dict[str, str], codes: list[str]) -> dict:
    paths = [f"/api/v1/markers/{c}" for c in codes] + [
        "/api/v1/layers/boundary_marker/tiles/12/3297/1553",
        "/api/v1/layers/county_boundary/tiles/8/205/97",
    ]
    results: dict = {}
    stop = asyncio.Event()
    quiet = asyncio.create_task(bystander(base, tokens["inspector"], paths, stop))
    await asyncio.sleep(10)
    stop.set()
    results["bystander_quiet"] = summary(await quiet)

    stop = asyncio.Event()
    during = asyncio.create_task(bystander(base, tokens["inspector"], paths, stop))
    city = {"kind": "banner", "code": "150600", "max_zoom": 18}
    banner = {"kind": "banner", "code": "150627", "max_zoom": 14}
    async with httpx.AsyncClient(base_url=base, timeout=120) as c:
        viewer = {"Authorization": f"Bearer {tokens['viewer']}"}
        planner = {"Authorization": f"Bearer {tokens['planner']}"}
        refused, prepared = [], []
        for _ in range(3):
            refused += await asyncio.gather(
                *[
                    timed_post(c, "/api/v1/offline-areas/manifest", json=city, headers=viewer)
                    for _ in range(6)
                ]
            )
            prepared += await asyncio.gather(
                *[
                    timed_post(c, "/api/v1/offline-areas/manifest", json=banner, headers=planner)
                    for _ in range(6)
                ]
            )
    stop.set()
    results["bystander_during_manifest_flood"] = summary(await during)
    results["city_z18_manifest"] = {
        "statuses": sorted({s for s, _ in refused}),
        "p50_ms": round(statistics.median([t for _, t in refused]), 1),
        "max_ms": round(max(t for _, t in refused), 1),
    }
    results["banner_z14_manifests"] = {
        "statuses": {str(s): sum(1 for x, _ in prepared if x == s) for s in {s for s, _ in prepared}},
        "p50_ms": round(statistics.median([t for _, t in prepared]), 1),
    }
    return results


def large_bodies(base: str, tokens: dict[str, str]) -> dict:
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    features = [
        {
            "type": "Feature",
            "properties": {"code": f"BENCH-{i}", "kind": "not-a-kind", "note": "x" * 40},
            "geometry": {"type": "Point", "coordinates": [109 + random.random(), 39 + random.random()]},
        }
        for i in range(140_000)
    ]
    upload = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    out = {"geojson_upload_mb": round(len(upload) / 2**20, 1)}
    with httpx.Client(base_url=base, timeout=300, headers=admin) as c:
        t = time.perf_counter()
        codes = [
            c.post("/api/v1/funeral/import/graves", files={"file": ("graves.geojson", upload)}).status_code
            for _ in range(3)
        ]
        out["geojson_upload"] = {"statuses": codes, "each_s": round((time.perf_counter() - t) / 3, 1)}
        big_json = b'{"name":"' + b"x" * (40 * 2**20) + b'"}'
        out["json_40mb_status"] = c.post(
            "/api/v1/place-names/check", content=big_json, headers={"Content-Type": "application/json"}
        ).status_code
        t = time.perf_counter()
        pages = [c.get("/api/v1/layers/grave/items", params={"limit": 10000}) for _ in range(5)]
        out["items_10000"] = {
            "statuses": sorted({p.status_code for p in pages}),
            "mb_each": round(len(pages[0].content) / 2**20, 1),
            "each_s": round((time.perf_counter() - t) / 5, 2),
        }
        exports = [c.get("/api/v1/layers/grave/export.gpkg") for _ in range(2)]
        out["gpkg_export"] = {
            "statuses": sorted({e.status_code for e in exports}),
            "mb": round(len(exports[0].content) / 2**20, 1),
        }
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pg, url = prepared_database(Path(tmp) / "pg")
        with psycopg.connect(url) as con:
            codes = [r[0] for r in con.execute("SELECT code FROM boundary_marker ORDER BY random() LIMIT 50")]
        server, base = serve(url, WORKERS)
        try:
            tokens = {
                role: httpx.post(
                    base + "/api/v1/auth/token",
                    data={"username": f"demo_{role}", "password": f"demo-{role}".replace("_", "-")},
                ).json()["access_token"]
                for role in ("admin", "inspector", "viewer", "planner")
            }
            results = {"rss_mb_before": worker_rss(server.pid)}
            results |= asyncio.run(run(base, tokens, codes))
            results |= large_bodies(base, tokens)
            results["rss_mb_after"] = worker_rss(server.pid)
            time.sleep(30)
            results["rss_mb_30s_after"] = worker_rss(server.pid)
        finally:
            server.terminate()
            server.wait(30)
            pg.stop()
    report("large_requests", results)


if __name__ == "__main__":
    main()
