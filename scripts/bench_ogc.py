"""OGC API speed as users meet it, against developmentseed's tipg, side by side in one run.

    ./scripts/bench_ogc [--duration 10] [--connections 16] [--workers N]

The service runs as a default install does: the embedded database set up by its owner and
served through the service's own role, the reference and demo data, the real layers, and
one worker per core (the `./scripts/run` default; `--workers` sets both servers). Every
request of ours is signed in with a bearer token, as the map and QGIS send them; the same
reads made anonymously (`ANONYMOUS_LAYERS`) are a second row. tipg (from PyPI, in
.bench/tipg-venv) serves the same views of the same database with the same worker count.
wrk (2 threads) drives the same URLs at both.

Rows:
- items: a 0.04° box, limit=100, on the graves (real layer) and on 1,000,000 synthetic
  points (`bench_point`, labelled synthetic): 500 boxes asked over and over, as users get
  them (pages kept by each worker under their data versions);
- computed items: the same boxes from a second server of ours with its caches off, so
  that every page is read from the database;
- fresh tiles: z12 and z9 graves, z9 county boundaries, z12 and z8 synthetic points, from
  that second server, so that every tile is computed;
- a repeated tile: one z12 grave tile again and again (ours from its cache);
- the floor: `/healthz`, and `/api/v1/auth/me` signed in;
- beside each computed items row, the raw database: the same statement sent by pgbench
  (scripts/bench_raw_items.py), so that what the HTTP path adds is seen.

Results: bench-results/ogc.json and a table with the targets on stdout.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bench_raw_items  # noqa: E402
from bench_support import (  # noqa: E402
    AUDIT_DIR,
    TIPG_VERSION,
    measure,
    prepared_database,
    save_results,
    sign_in,
    start_server,
    start_tipg,
)

from gis_service.core.settings import Settings  # noqa: E402
from gis_service.offline.tiles import lonlat_to_tile  # noqa: E402
from gis_service.ops.db_roles import grant_service_role, role_of  # noqa: E402
from gis_service.ops.embedded_postgres import free_port  # noqa: E402

POINTS = 1_000_000
EXTENT = (106.7, 37.6, 111.5, 40.9)  # Ordos, lon/lat
BENCH_LAYER = """id = "bench_point"
title = { zh = "基准测试点（合成）", en = "Benchmark points (synthetic)" }
source = "bench_point"
id_column = "id"
geometry_column = "geom"
geometry_type = "Point"
properties = ["id", "name", "value"]
min_zoom = 0
tile_feature_limit = 10000
"""
# our layer id -> the view tipg serves for it
TIPG_NAMES = {"grave": "grave_map", "county_boundary": "county_boundary", "bench_point": "bench_point"}


def ensure_points(owner_url: str, service_role: str) -> None:
    """1,000,000 synthetic points (labelled synthetic) for the scale rows."""
    with psycopg.connect(owner_url, autocommit=True) as con:
        exists = con.execute("SELECT to_regclass('bench_point') IS NOT NULL").fetchone()[0]
        if not exists or con.execute("SELECT count(*) FROM bench_point").fetchone()[0] != POINTS:
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
            print(f"bench_point: {POINTS:,} synthetic points in {time.perf_counter() - t:.0f} s", flush=True)
    if service_role != role_of(owner_url):
        grant_service_role(owner_url, service_role)


def grave_extent(url: str) -> tuple[float, float, float, float]:
    with psycopg.connect(url) as con:
        return tuple(
            con.execute(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM grave) s"
            ).fetchone()
        )


def boxes_and_tiles(extent, seed: int = 7) -> tuple[list[str], list[tuple[int, int]], list[tuple[int, int]]]:
    rnd = random.Random(seed)
    x0, y0, x1, y1 = extent
    boxes, z12 = [], []
    for _ in range(500):
        lon, lat = rnd.uniform(x0, x1), rnd.uniform(y0, y1)
        boxes.append(f"{lon - 0.02:.4f},{lat - 0.02:.4f},{lon + 0.02:.4f},{lat + 0.02:.4f}")
        z12.append(lonlat_to_tile(lon, lat, 12))
    return boxes, z12, _all_tiles(extent, 9)


def _all_tiles(extent, z: int) -> list[tuple[int, int]]:
    x0, y0, x1, y1 = extent
    (a, b), (c, d) = lonlat_to_tile(x0, y1, z), lonlat_to_tile(x1, y0, z)
    return [(x, y) for x in range(a, c + 1) for y in range(b, d + 1)]


def workloads(url: str) -> dict[str, dict]:
    """Each row: the paths per layer, which servers run it, and what kind of figure it is."""
    graves = grave_extent(url)
    boxes, z12, z9 = boxes_and_tiles(graves)
    pboxes, pz12, _ = boxes_and_tiles(EXTENT)
    ordos_z9 = _all_tiles((106.7, 37.6, 111.5, 40.9), 9)

    def items(layer, bxs, extent):
        return {"layer": layer, "items": bxs, "extent": extent}

    def tiles(layer, z, xy):
        return {"layer": layer, "tiles": [f"{z}/{x}/{y}" for x, y in xy]}

    return {
        "items: graves, 0.04° box, limit=100": {**items("grave", boxes, graves), "kind": "items"},
        "items: 1M synthetic points": {**items("bench_point", pboxes, EXTENT), "kind": "items"},
        "computed items: graves": {**items("grave", boxes, graves), "kind": "computed"},
        "computed items: 1M synthetic points": {**items("bench_point", pboxes, EXTENT), "kind": "computed"},
        "fresh tiles: graves z12": {**tiles("grave", 12, z12), "kind": "fresh"},
        "fresh tiles: graves z9": {**tiles("grave", 9, z9), "kind": "fresh"},
        "fresh tiles: county boundaries z9": {**tiles("county_boundary", 9, ordos_z9), "kind": "fresh"},
        "fresh tiles: synthetic points z12": {**tiles("bench_point", 12, pz12), "kind": "fresh"},
        "fresh tiles: synthetic points z8": {
            **tiles("bench_point", 8, _all_tiles(EXTENT, 8)),
            "kind": "fresh",
        },
        "repeated tile: graves z12 (ours cached)": {**tiles("grave", 12, z12[:1]), "kind": "cached"},
    }


def paths_for(server: str, row: dict) -> list[str]:
    layer = row["layer"]
    col = f"/ogc/collections/{layer}" if server != "tipg" else f"/collections/public.{TIPG_NAMES[layer]}"
    if "items" in row:
        return [f"{col}/items?bbox={b}&limit=100" for b in row["items"]]
    if server == "tipg":  # tipg's tiles are z/x/y under the collection
        return [f"{col}/tiles/WebMercatorQuad/{t}" for t in row["tiles"]]
    return [f"/api/v1/layers/{layer}/tiles/{t}" for t in row["tiles"]]  # the map's z/x/y route


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=Settings(_env_file=None).worker_count)
    parser.add_argument("--only", help="run the rows whose name contains this")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    pg, url = prepared_database(Path("/tmp/gis-service-bench"))
    owner = os.environ.get("BENCH_DATABASE_URL") or pg.url
    ensure_points(owner, role_of(url))
    rows = {k: v for k, v in workloads(url).items() if not args.only or args.only in k}
    tmp = Path(tempfile.mkdtemp(prefix="bench-ogc-"))
    layers = tmp / "layers"
    shutil.copytree(ROOT / "layers", layers)
    (layers / "bench_point.toml").write_text(BENCH_LAYER)

    def ours(**env) -> tuple[subprocess.Popen, str]:
        port = free_port()
        cmd = [
            sys.executable,
            "-m",
            "gis_service",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ]
        proc = start_server(
            cmd,
            {
                **os.environ,
                "DATABASE_URL": url,
                "AUDIT_DIR": str(AUDIT_DIR),
                "LAYERS_DIR": str(layers),
                # the anonymous row; signed-in requests take the same path as in a default install
                "ANONYMOUS_LAYERS": "grave,county_boundary,bench_point",
                "LOG_LEVEL": "WARNING",
                **env,
            },
            f"http://127.0.0.1:{port}/healthz",
            timeout_s=60,
        )
        return proc, f"http://127.0.0.1:{port}"

    servers = {"ours": ours(), "ours, caches off": ours(TILE_CACHE_MB="0", PAGE_CACHE_MB="0")}
    tables = sorted({f"public.{TIPG_NAMES[r['layer']]}" for r in rows.values()} | {"public.grave_map"})
    servers["tipg"] = start_tipg(owner, tables, args.workers)
    token = sign_in(servers["ours"][1])

    def timed(base: str, paths: list[str], token: str) -> dict:
        return measure(
            base,
            paths,
            token,
            duration=args.duration,
            connections=args.connections,
            workdir=tmp,
            db_url=owner,
        )

    results: dict = {
        "workers": args.workers,
        "connections": args.connections,
        "duration_s": args.duration,
        "tipg": TIPG_VERSION,
        "synthetic_points": POINTS,
        "rows": {},
    }
    try:
        base = servers["ours"][1]
        floor = {
            "GET /healthz": timed(base, ["/healthz"], ""),
            "GET /api/v1/auth/me, signed in": timed(base, ["/api/v1/auth/me"], token),
        }
        results["floor"] = floor
        for name, row in rows.items():
            ours_base = servers["ours, caches off" if row["kind"] in ("fresh", "computed") else "ours"][1]
            out = {
                "ours signed in": timed(ours_base, paths_for("ours", row), token),
                "ours anonymous": timed(ours_base, paths_for("ours", row), ""),
                "tipg": timed(servers["tipg"][1], paths_for("tipg", row), ""),
            }
            if row["kind"] == "computed":  # the same statement on the raw database
                out["raw database"] = bench_raw_items.run(
                    url,
                    layers,
                    row["layer"],
                    row["extent"],
                    duration=args.duration,
                    connections=args.connections,
                )
            out["kind"] = row["kind"]
            results["rows"][name] = out
            print(f"{name}: {out}", flush=True)
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    results["targets"] = targets(results)
    save_results("ogc", results)
    print_table(results)


# per kind of row: (times tipg's req/s, share of tipg's p99 at most); computed items are
# shown beside the raw database, without a target of their own
NEEDS = {"items": (10, 0.1), "fresh": (2, 1.0), "cached": (15, 1.0)}


def targets(results: dict) -> list[dict]:
    """The issue's targets, each with its figure and whether it was met."""
    healthz = results["floor"]["GET /healthz"]["rps"]
    me = results["floor"]["GET /api/v1/auth/me, signed in"]["rps"]
    out = [
        {
            "target": "signed-in trivial endpoint >= 70% of /healthz",
            "value": me / healthz,
            "met": me >= 0.7 * healthz,
        }
    ]
    for name, row in results["rows"].items():
        if row["kind"] not in NEEDS:
            continue
        ours, tipg = row["ours signed in"], row["tipg"]
        ratio = ours["rps"] / tipg["rps"] if tipg["rps"] else float("inf")
        need, p99_share = NEEDS[row["kind"]]
        out.append({"target": f"{name}: >= {need}x tipg", "value": ratio, "met": ratio >= need})
        out.append(
            {
                "target": f"{name}: p99 at most {p99_share:g}x tipg's ({tipg['p99_ms']:.0f} ms)",
                "value": ours["p99_ms"],
                "met": ours["p99_ms"] <= p99_share * tipg["p99_ms"],
            }
        )
        if row["kind"] == "cached":
            share = ours["rps"] / healthz
            out.append({"target": f"{name}: >= 80% of /healthz", "value": share, "met": share >= 0.8})
    return out


def print_table(results: dict) -> None:
    print(f"\nworkers {results['workers']}, wrk -t2 -c{results['connections']} -d{results['duration_s']}s")
    print(f"{'row':46} {'server':16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, r in results["floor"].items():
        print(f"{name:46} {'ours':16} {r['rps']:8.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f}")
    for name, row in results["rows"].items():
        for server in ("ours signed in", "ours anonymous", "tipg", "raw database"):
            if server not in row:
                continue
            r = row[server]
            print(f"{name:46} {server:16} {r['rps']:8.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f}")
    print("\ntargets:")
    for t in results["targets"]:
        print(f"  {'met ' if t['met'] else 'MISS'} {t['target']}: {t['value']:.2f}")


if __name__ == "__main__":
    main()
