"""What the benchmark scripts share: a prepared database, starting a server and waiting
until it answers, timing requests, and the Lua prelude of wrk scripts that send visits."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
AUDIT_DIR = ROOT / ".bench" / "audit"  # the benchmark databases' audit key and checkpoints


def _exit_on_terminate(signum, frame) -> None:
    sys.exit(128 + signum)


# A benchmark stopped with SIGTERM (kill, timeout) exits through its `finally` blocks, which
# stop the servers it started; the default action ended Python there and left them running.
signal.signal(signal.SIGTERM, _exit_on_terminate)


def percentile(values, pct: int) -> float:
    """The pct-th percentile by nearest rank: a time that was actually measured. (The default
    of statistics.quantiles extrapolates past the slowest sample when there are few: six
    tiles timed 10-100 ms gave a "p95" of 150.)"""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * pct // 100) - 1)]


def p95(values) -> float:
    return percentile(values, 95)


def save_results(name: str, results) -> Path:
    """Write a benchmark's results to bench-results/<name>.json (kept out of git), or to
    BENCH_RESULTS_DIR (the suite's smoke runs, which must not replace measured figures)."""
    import json

    out = Path(os.environ.get("BENCH_RESULTS_DIR") or ROOT / "bench-results")
    out.mkdir(exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    return path


def report(name: str, results: dict) -> None:
    """Print a benchmark's flat results, a line each, and save them (save_results)."""
    width = max(map(len, results), default=0) + 2
    for key, value in results.items():
        print(f"{key:{width}} {value}")
    print("written to", save_results(name, results))


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
    """A durable embedded PostGIS at `root` (or BENCH_DATABASE_URL), set up as a default
    install is: migrated and loaded by the owner, with the reference and demo data, served
    through the service's own role. Returns (cluster, the service role's URL); the owner's
    is `cluster.url`."""
    from gis_service.core.settings import Settings
    from gis_service.ops.database_setup import setup_database
    from gis_service.ops.embedded_postgres import EmbeddedPostgres

    pg = EmbeddedPostgres(root, durable=True)
    external = os.environ.get("BENCH_DATABASE_URL")
    owner = external or pg.start()
    url = external or pg.service_url
    settings = Settings(
        database_url=url, database_owner_url=owner, _env_file=None, demo_mode=True, audit_dir=AUDIT_DIR
    )
    setup_database(settings, demo=True)
    return pg, url


def serve(url: str, workers: int, **extra_env: str) -> tuple[subprocess.Popen, str]:
    """Our service on a free loopback port; returns (process, base URL)."""
    from gis_service.ops.embedded_postgres import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # an external database (BENCH_DATABASE_URL) is reached as its owner, and the service
    # serves as the owner only when told so
    owner = {"DATABASE_OWNER_URL": url} if url == os.environ.get("BENCH_DATABASE_URL") else {}
    env = {
        **os.environ,
        "DATABASE_URL": url,
        **owner,
        "LOG_LEVEL": "WARNING",
        "AUDIT_DIR": str(AUDIT_DIR),
        **extra_env,
    }
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


# -- read throughput beside tipg (bench_ogc, soak) ------------------------------------
TIPG_VERSION = "1.6.1"
READ_LUA = """
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local token = os.getenv("TOKEN")
local i = 0
init = function(args)
  if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
  wrk.headers["Accept-Encoding"] = "gzip"
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.duration / 1e6))
end
"""


def ensure_tipg() -> Path:
    venv = ROOT / ".bench" / "tipg-venv"
    if not (venv / "bin" / "uvicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", f"tipg=={TIPG_VERSION}", "uvicorn"], check=True
        )
    return venv


def start_tipg(db_url: str, tables: list[str], workers: int) -> tuple[subprocess.Popen, str]:
    """tipg serving these tables and views with the same worker count; (process, base URL)."""
    from gis_service.ops.embedded_postgres import free_port

    venv, port = ensure_tipg(), free_port()
    cmd = [str(venv / "bin" / "uvicorn"), "tipg.main:app", "--port", str(port), "--workers", str(workers)]
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_DB_TABLES": "[" + ",".join(f'"{t}"' for t in tables) + "]",
        "TIPG_MAX_FEATURES_PER_TILE": "10000",
    }
    base = f"http://127.0.0.1:{port}"
    return start_server([*cmd, "--log-level", "warning"], env, f"{base}/collections", timeout_s=120), base


def run_wrk(base: str, paths: list[str], duration: int, connections: int, workdir: Path, token: str) -> dict:
    pfile, script = workdir / "paths.txt", workdir / "rotate.lua"
    pfile.write_text("\n".join(paths) + "\n")
    script.write_text(READ_LUA)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", str(script), base],
        capture_output=True,
        text=True,
        env={**os.environ, "PATHS": str(pfile), "TOKEN": token},
        check=True,
    ).stdout
    requests, errors, p50, p99, seconds = re.search(
        r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out
    ).groups()
    return {
        "rps": round(int(requests) / float(seconds), 1),
        "p50_ms": float(p50),
        "p99_ms": float(p99),
        "errors": int(errors),
    }


def wait_until_idle(url: str, limit_s: float = 120) -> None:
    """Let queries queued by the previous run finish, so they do not load the next one."""
    deadline = time.monotonic() + limit_s
    with psycopg.connect(url, autocommit=True) as con:
        while time.monotonic() < deadline:
            busy = con.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                " AND pid <> pg_backend_pid() AND datname = current_database()"
            ).fetchone()[0]
            if busy == 0:
                return
            time.sleep(0.5)


def measure(
    base: str, paths: list[str], token: str, *, duration: int, connections: int, workdir: Path, db_url: str
) -> dict:
    """wrk over `paths` (signed in with `token`, or anonymous when it is empty) after a
    3 s warm-up, each started with the database idle; requests/s, p50, p99, errors."""
    check = httpx.get(
        base + paths[0], headers={"Authorization": f"Bearer {token}"} if token else {}, timeout=60
    )
    assert check.status_code == 200, (base, paths[0], check.status_code, check.text[:300])
    wait_until_idle(db_url)
    run_wrk(base, paths, 3, connections, workdir, token)  # warm-up
    wait_until_idle(db_url)
    return run_wrk(base, paths, duration, connections, workdir, token)


def sign_in(base: str, username: str = "demo_admin") -> str:
    password = username.replace("_", "-")  # the demo accounts' passwords
    r = httpx.post(f"{base}/api/v1/auth/token", data={"username": username, "password": password})
    r.raise_for_status()
    return r.json()["access_token"]
