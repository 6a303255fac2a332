"""OGC API speed against developmentseed's tipg, side by side in one run.

    ./scripts/bench_ogc [--duration 20] [--connections 32] [--workers 2]

Both servers read the same table in the same PostGIS: 1,000,000 synthetic points
(`bench_point`, labelled as such) inside the Ordos extent, with a GiST index. Each runs
with the same number of uvicorn workers; wrk (Debian's package, a separate process)
drives the same mix of URLs at both: `items` with a small bbox and limit=100, z12 tiles
and z8 tiles. The raw SQL time of the same queries is measured too, so the HTTP and
Python overhead is visible. tipg is installed from PyPI into .bench/tipg-venv.
Results: bench-results/ogc.json and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_support import start_server  # noqa: E402

from gis_service.core.migrations import upgrade  # noqa: E402
from gis_service.core.settings import Settings  # noqa: E402
from gis_service.ops.embedded_postgres import EmbeddedPostgres, free_port  # noqa: E402

POINTS = 1_000_000
EXTENT = (106.7, 37.6, 111.5, 40.9)  # Ordos, lon/lat
TIPG_VERSION = "1.6.1"
LUA = """
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.duration / 1e6))
end
"""
LAYER = """id = "bench_point"
title = { zh = "基准测试点（合成）", en = "Benchmark points (synthetic)" }
source = "bench_point"
id_column = "id"
geometry_column = "geom"
geometry_type = "Point"
properties = ["id", "name", "value"]
min_zoom = 0
tile_feature_limit = 10000
"""


def ensure_tipg() -> Path:
    venv = ROOT / ".bench" / "tipg-venv"
    if not (venv / "bin" / "uvicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", f"tipg=={TIPG_VERSION}", "uvicorn"], check=True
        )
    return venv


def ensure_points(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as con:
        exists = con.execute("SELECT to_regclass('bench_point') IS NOT NULL").fetchone()[0]
        if exists and con.execute("SELECT count(*) FROM bench_point").fetchone()[0] == POINTS:
            return
        t = time.perf_counter()
        con.execute("DROP TABLE IF EXISTS bench_point")
        con.execute(
            "CREATE TABLE bench_point (id bigint PRIMARY KEY, name text, value integer,"
            " geom geometry(Point, 4490) NOT NULL)"
        )
        x0, y0, x1, y1 = EXTENT
        con.execute(f"""INSERT INTO bench_point SELECT g, 'synthetic ' || g, (random() * 1000)::int,
            ST_SetSRID(ST_MakePoint({x0} + random() * {x1 - x0}, {y0} + random() * {y1 - y0}), 4490)
            FROM generate_series(1, {POINTS}) g""")
        con.execute("CREATE INDEX bench_point_geom_idx ON bench_point USING gist (geom)")
        con.execute("VACUUM ANALYZE bench_point")
        print(f"bench_point: {POINTS:,} points in {time.perf_counter() - t:.0f} s", flush=True)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def workloads(seed: int = 7) -> dict[str, list[str]]:
    rnd = random.Random(seed)
    x0, y0, x1, y1 = EXTENT
    boxes, z12 = [], []
    for _ in range(500):
        lon, lat = rnd.uniform(x0, x1), rnd.uniform(y0, y1)
        boxes.append(f"{lon - 0.02:.4f},{lat - 0.02:.4f},{lon + 0.02:.4f},{lat + 0.02:.4f}")
        z12.append(tile_of(lon, lat, 12))
    (a, b), (c, d) = tile_of(x0, y1, 8), tile_of(x1, y0, 8)
    z8 = [(x, y) for x in range(a, c + 1) for y in range(b, d + 1)]
    return {
        "items": boxes,
        "tile_z12": [f"12/{x}/{y}" for x, y in z12],
        "tile_z8": [f"8/{x}/{y}" for x, y in z8],
    }


def paths_for(server: str, kind: str, values: list[str]) -> list[str]:
    col = "/ogc/collections/bench_point" if server == "ours" else "/collections/public.bench_point"
    if kind == "items":
        return [f"{col}/items?bbox={v}&limit=100" for v in values]
    return [f"{col}/tiles/WebMercatorQuad/{v}" for v in values]


def run_wrk(base: str, paths: list[str], duration: int, connections: int, workdir: Path) -> dict:
    pfile, script = workdir / "paths.txt", workdir / "rotate.lua"
    pfile.write_text("\n".join(paths) + "\n")
    script.write_text(LUA)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", str(script), base],
        capture_output=True,
        text=True,
        env={**os.environ, "PATHS": str(pfile)},
        check=True,
    ).stdout
    m = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out)
    requests, errors, p50, p95, seconds = m.groups()
    return {
        "rps": round(int(requests) / float(seconds), 1),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "errors": int(errors),
    }


def wait_until_idle(url: str, limit_s: float = 120) -> None:
    """Let queries queued by the previous run finish (a server may keep executing requests
    that wrk has already given up on), so they do not load the next measurement."""
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


def raw_sql_ms(url: str, work: dict[str, list[str]]) -> dict:
    with psycopg.connect(url) as con:

        def median(sql, args):
            times = []
            for a in args:
                t = time.perf_counter()
                con.execute(sql, a).fetchall()
                times.append((time.perf_counter() - t) * 1000)
            return round(statistics.median(times), 2)

        items = [tuple(map(float, b.split(","))) for b in work["items"][:200]]
        tiles = {k: [tuple(map(int, v.split("/"))) for v in work[k][:200]] for k in ("tile_z12", "tile_z8")}
        tile_sql = (
            "WITH b AS (SELECT ST_TileEnvelope(%s, %s, %s) e) SELECT ST_AsMVT(t.*, 'bench_point') FROM ("
            "SELECT ST_AsMVTGeom(ST_Transform(geom, 3857), b.e, 4096, 64, true) g, id, name, value "
            "FROM bench_point, b WHERE geom && ST_Transform(ST_TileEnvelope(%s, %s, %s, margin => 0.015625), 4490)"
            " LIMIT 10000) t"
        )
        return {
            "items": median(
                "SELECT id, name, value, ST_AsGeoJSON(geom) FROM bench_point WHERE geom &&"
                " ST_MakeEnvelope(%s, %s, %s, %s, 4490) ORDER BY id LIMIT 101",
                items,
            ),
            **{k: median(tile_sql, [(z, x, y, z, x, y) for z, x, y in v]) for k, v in tiles.items()},
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=["items", "tile_z12", "tile_z8"], help="run one workload")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    tipg = ensure_tipg()
    pg = EmbeddedPostgres(Path("/tmp/gis-service-bench"), durable=True)
    url = os.environ.get("BENCH_DATABASE_URL") or pg.start()
    upgrade(Settings(database_url=url, _env_file=None).sqlalchemy_url)
    ensure_points(url)
    work = workloads()
    if args.only:
        work = {args.only: work[args.only]}
    tmp = Path(tempfile.mkdtemp(prefix="bench-ogc-"))
    layers = tmp / "layers"
    layers.mkdir()
    (layers / "bench_point.toml").write_text(LAYER)
    ours_port, tipg_port = free_port(), free_port()
    ours = start_server(
        [
            sys.executable,
            "-m",
            "gis_service",
            "serve",
            "--port",
            str(ours_port),
            "--workers",
            str(args.workers),
        ],
        {
            **os.environ,
            "DATABASE_URL": url,
            "LAYERS_DIR": str(layers),
            "ANONYMOUS_LAYERS": "bench_point",
            "LOG_LEVEL": "WARNING",
        },
        f"http://127.0.0.1:{ours_port}/healthz",
    )
    tipg_proc = start_server(
        [
            str(tipg / "bin" / "uvicorn"),
            "tipg.main:app",
            "--port",
            str(tipg_port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        {
            **os.environ,
            "DATABASE_URL": url,
            "TIPG_DB_SCHEMAS": '["public"]',
            "TIPG_DB_TABLES": '["public.bench_point"]',
            "TIPG_MAX_FEATURES_PER_TILE": "10000",
        },
        f"http://127.0.0.1:{tipg_port}/collections",
    )
    results: dict = {
        "points": POINTS,
        "workers": args.workers,
        "connections": args.connections,
        "duration_s": args.duration,
        "tipg": TIPG_VERSION,
    }
    try:
        for kind, values in work.items():
            results[kind] = {}
            for server, port in (("tipg", tipg_port), ("ours", ours_port)):
                paths = paths_for(server, kind, values)
                check = httpx.get(f"http://127.0.0.1:{port}{paths[0]}", timeout=30)
                assert check.status_code == 200, (server, paths[0], check.status_code, check.text[:300])
                wait_until_idle(url)
                run_wrk(f"http://127.0.0.1:{port}", paths, 3, args.connections, tmp)  # warm-up
                wait_until_idle(url)
                results[kind][server] = run_wrk(
                    f"http://127.0.0.1:{port}", paths, args.duration, args.connections, tmp
                )
            t, o = results[kind]["tipg"], results[kind]["ours"]
            results[kind]["speedup"] = round(o["rps"] / t["rps"], 2) if t["rps"] else None
            results[kind]["p95_no_worse"] = o["p95_ms"] <= t["p95_ms"]
    finally:
        for proc in (ours, tipg_proc):
            proc.terminate()
            proc.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    results["raw_sql_median_ms"] = raw_sql_ms(url, workloads())
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / ("ogc.json" if not args.only else f"ogc-{args.only}.json")).write_text(
        json.dumps(results, indent=2)
    )
    print(f"{'workload':10} {'server':5} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for kind in work:
        for server in ("tipg", "ours"):
            r = results[kind][server]
            print(f"{kind:10} {server:5} {r['rps']:8.1f} {r['p50_ms']:8.2f} {r['p95_ms']:8.2f}")
        print(f"{'':10} speed-up {results[kind]['speedup']}x, p95 no worse: {results[kind]['p95_no_worse']}")
    print("raw SQL medians (ms):", results["raw_sql_median_ms"])


if __name__ == "__main__":
    main()
