"""What the benchmark scripts share: starting a server, waiting until it answers, timing requests."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


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
