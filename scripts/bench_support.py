"""What the benchmark scripts share: a prepared database, starting a server and waiting
until it answers, timing requests, and the Lua prelude of wrk scripts that send visits."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def save_results(name: str, results) -> Path:
    """Write a benchmark's results to bench-results/<name>.json (kept out of git)."""
    import json

    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    return path


def start_server(cmd: list[str], env: dict, health: str, timeout_s: float = 30) -> subprocess.Popen:
    """Start a server process and return once `health` answers (any non-5xx)."""
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(health, timeout=2).status_code < 500:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"server did not start: {cmd}")


async def http_latencies(base: str, token: str, paths: list[str]) -> list[float]:
    out = []
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as c:
        for p in paths[:20]:
            await c.get(p)  # warm the pools
        for p in paths:
            t = time.perf_counter()
            r = await c.get(p)
            out.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (p, r.status_code, r.text[:200])
    return out


def prepared_database(root: Path):
    """A durable embedded PostGIS at `root` (or BENCH_DATABASE_URL), migrated, with the
    reference and demo data. Returns (cluster, url)."""
    from gis_service.core.migrations import upgrade
    from gis_service.core.settings import Settings
    from gis_service.ops.embedded_postgres import EmbeddedPostgres
    from gis_service.reference_data.setup import prepare

    pg = EmbeddedPostgres(root, durable=True)
    url = os.environ.get("BENCH_DATABASE_URL") or pg.start()
    settings = Settings(database_url=url, _env_file=None, demo_mode=True)
    upgrade(settings.sqlalchemy_url)
    asyncio.run(prepare(settings, demo=True))
    return pg, url


def serve(url: str, workers: int, **extra_env: str) -> tuple[subprocess.Popen, str]:
    """Our service on a free loopback port; returns (process, base URL)."""
    from gis_service.ops.embedded_postgres import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", **extra_env}
    cmd = [sys.executable, "-m", "gis_service", "serve", "--port", str(port), "--workers", str(workers)]
    return start_server(cmd, env, base + "/healthz"), base


# The start of a wrk script whose threads send visits: each thread is seeded on its own,
# signs in with $TOKEN, and can make the client UUIDs visits carry.
LUA_VISIT_PRELUDE = """
local threads = {}
setup = function(thread)
  thread:set("seed", #threads + 1)
  threads[#threads + 1] = thread
end
local function start_thread()
  math.randomseed(os.time() * 1000 + seed)
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
  wrk.headers["Content-Type"] = "application/json"  -- wrk.format with its own headers would drop these
end
local function uuid4()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end
"""
