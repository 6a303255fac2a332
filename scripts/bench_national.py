"""National scale on one machine: setting up a prefecture, a province and the whole
country from the registry packages, deriving every county-level line in the country,
searching every township and village name, and cutting county tiles at z3-z8.

    ./scripts/bench_national                      # 150200, 150000 and 100000
    ./scripts/bench_national --units 150200       # one unit only
    ./scripts/bench_national --keep               # keep the cluster for another run

Each unit is set up in a fresh database of one durable embedded PostGIS under /tmp, in
a process of its own (its peak memory is the setup's). Preparation is timed in two parts:
building the reference folder from the packages and loading it (polygons, register,
place names, GeoNames suggestions, derived lines; no demo data). For the whole country
the script then re-derives every line (the derivation's own time), serves the database
with two workers, signed in, and measures:

- place-name search over the real national register, with bench_placenames' query mix,
  beside the /healthz floor and the same tiered query on the raw database;
- county_boundary tiles at z3-z8 over China, cold (tile cache off), per zoom, and whether
  the outlines drawn at each zoom still fit together (no gap, no overlap);
- the serving workers' resident memory after the run.

Targets (issue: any unit at national scale): country < 30 min, province < 3 min,
prefecture < 1 min; search median < 30 ms and p95 < 60 ms; tiles p95 < 150 ms cold.
Results are printed and written to bench-results/national.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_placenames import queries, raw_sql_ms  # noqa: E402
from bench_support import AUDIT_DIR, http_latencies, p95, save_results, serve  # noqa: E402

from gis_service.offline.tiles import lonlat_to_tile  # noqa: E402

TARGET_S = {"city": 60, "province": 180, "country": 1800}
CHINA = (73.5, 18.0, 135.0, 53.6)  # lon/lat extent of the county tiles measured
TILES_PER_ZOOM = 120

# Run in a child process per unit: build, then load; prints one JSON line.
_SETUP_CHILD = """
import json, resource, sys, time
from pathlib import Path
from gis_service.core.settings import Settings
from gis_service.ops.database_setup import setup_database
from gis_service.reference_data.registry import build
code, url, folder, audit = sys.argv[1:5]
t0 = time.perf_counter()
built = build(code, Path(folder))
t1 = time.perf_counter()
settings = Settings(database_url=url, database_owner_url=url, home_unit_code=code, reference_dir=Path(folder),
                    audit_dir=Path(audit), _env_file=None)
done = setup_database(settings, demo=False)
t2 = time.perf_counter()
print(json.dumps({"build_s": round(t1 - t0, 1), "load_s": round(t2 - t1, 1), "built": built, "loaded": done,
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}, default=str))
"""


def _database(owner_url: str, name: str) -> str:
    with psycopg.connect(owner_url, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {name}")
    return f"{owner_url.rpartition('/')[0]}/{name}"


def set_up(code: str, owner_url: str, work: Path) -> tuple[str, dict]:
    url = _database(owner_url, f"unit_{code}")
    folder = work / "reference" / code
    out = subprocess.run(
        [sys.executable, "-c", _SETUP_CHILD, code, url, str(folder), str(AUDIT_DIR)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    level = {"100000": "country"}.get(code) or ("province" if code.endswith("0000") else "city")
    result["total_s"] = round(result["build_s"] + result["load_s"], 1)
    result["target_s"] = TARGET_S.get(level)
    result["met"] = result["target_s"] is None or result["total_s"] < result["target_s"]
    return url, result


def rederive(url: str) -> dict:
    """Every county-level line of the country derived again, timed (unchanged lines keep
    their version: the work is the derivation itself)."""
    code = (
        "import asyncio, json, sys, time\n"
        "from gis_service.core.settings import Settings\n"
        "from gis_service.core.db import standalone_session\n"
        "from gis_service.boundaries.derive import derive_lines\n"
        "async def main():\n"
        "    s = Settings(database_url=sys.argv[1], home_unit_code='100000', _env_file=None)\n"
        "    async with standalone_session(s) as session:\n"
        "        t = time.perf_counter()\n"
        "        counts = await derive_lines(session, home_code='100000', tolerance_m=50, actor='bench')\n"
        "        await session.commit()\n"
        "        print(json.dumps({'seconds': round(time.perf_counter() - t, 1), 'lines': counts}))\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, url], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _tiles(z: int, rng: random.Random) -> list[tuple[int, int, int]]:
    (x0, y0), (x1, y1) = lonlat_to_tile(CHINA[0], CHINA[3], z), lonlat_to_tile(CHINA[2], CHINA[1], z)
    every = [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    return rng.sample(every, min(TILES_PER_ZOOM, len(every)))


async def tile_latencies(base: str, token: str) -> dict:
    rng = random.Random(3)
    out = {}
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as c:
        for z in range(3, 9):
            times, sizes = [], []
            for _, x, y in _tiles(z, rng):
                t = time.perf_counter()
                r = await c.get(f"/api/v1/layers/county_boundary/tiles/{z}/{x}/{y}")
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code in (200, 204), (z, x, y, r.status_code)
                sizes.append(len(r.content))
            out[f"z{z}"] = {
                "tiles": len(times),
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95(times), 1),
                "max_ms": round(max(times), 1),
                "max_kb": round(max(sizes) / 1024, 1),
            }
    return out


def outline_gaps(url: str) -> dict:
    """Whether the county outlines drawn at each generalised zoom still fit together: read back
    from the database, each zoom's set must be a valid coverage (shared edges identical, no
    overlap) whose union has no hole the source polygons' union lacks."""
    import shapely

    from gis_service.admin_units.generalise import ZOOMS, holes

    with psycopg.connect(url) as con:
        source = dict(
            con.execute(
                "SELECT code, ST_AsBinary(geom) FROM admin_unit"
                " WHERE level = 'county' AND valid_to IS NULL AND geom IS NOT NULL"
            ).fetchall()
        )
        codes = sorted(source)
        polygons = shapely.from_wkb([bytes(source[c]) for c in codes])
        out: dict = {
            "source": {"vertices": int(shapely.get_num_coordinates(polygons).sum()), "holes": holes(polygons)}
        }
        for zoom in ZOOMS:
            drawn = dict(
                con.execute(
                    "SELECT code, ST_AsBinary(geom) FROM admin_unit_generalised WHERE zoom = %s", (zoom,)
                ).fetchall()
            )
            polygons = shapely.from_wkb([bytes(drawn[c]) for c in codes])
            out[f"z{zoom}"] = {
                "vertices": int(shapely.get_num_coordinates(polygons).sum()),
                "valid_coverage": bool(shapely.coverage_is_valid(polygons)),
                "holes": holes(polygons),
            }
    out["no_gaps"] = all(
        v["valid_coverage"] and v["holes"] <= out["source"]["holes"]
        for k, v in out.items()
        if k.startswith("z")
    )
    return out


def _worker_rss_mb(server: subprocess.Popen) -> int:
    """Resident memory of the server process and its workers, in MB."""
    pids = [str(server.pid)]
    children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    kb = 0
    for pid in pids + children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        kb += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return round(kb / 1024)


def serve_country(url: str, owner_url: str, args) -> dict:
    with psycopg.connect(url) as con:
        names = con.execute("SELECT count(*) FROM place_name").fetchone()[0]
        lines = dict(
            con.execute(
                "SELECT level, count(*) FROM boundary_line WHERE valid_to IS NULL GROUP BY 1"
            ).fetchall()
        )
        sizes = dict(
            con.execute(
                "SELECT t, round(pg_total_relation_size(t::regclass) / 1048576.0) FROM unnest("
                "ARRAY['admin_unit', 'admin_unit_piece', 'admin_unit_generalised', 'place_name', 'place_name_version',"
                " 'boundary_line']) t"
            ).fetchall()
        )
        sizes["database"] = con.execute(
            "SELECT round(pg_database_size(current_database()) / 1048576.0)"
        ).fetchone()[0]
        known = con.execute("SELECT count(*) FROM app_user WHERE username = 'bench_viewer'").fetchone()[0]
    # an account to sign in with, as the map's users do (kept from an earlier run of --keep)
    if not known:
        subprocess.run(
            [sys.executable, "-m", "gis_service", "users", "create", "bench_viewer", "--role", "viewer"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url, "DATABASE_OWNER_URL": url, "AUDIT_DIR": str(AUDIT_DIR)},
            input="bench-viewer-pw\n",
            capture_output=True,
            text=True,
            check=True,
        )
    qs = queries(url, args.queries)
    server, base = serve(url, 2, DB_POOL_SIZE="10", HOME_UNIT_CODE="100000", TILE_CACHE_MB="0")
    try:
        token = httpx.post(
            base + "/api/v1/auth/token", data={"username": "bench_viewer", "password": "bench-viewer-pw"}
        ).json()["access_token"]
        floor = asyncio.run(http_latencies(base, token, ["/healthz"] * 200))
        search = asyncio.run(http_latencies(base, token, [f"/api/v1/place-names?q={quote(q)}" for q in qs]))
        tiles = asyncio.run(tile_latencies(base, token))
        rss = _worker_rss_mb(server)
    finally:
        server.terminate()
        server.wait(30)
    worst = max(v["p95_ms"] for v in tiles.values())
    return {
        "names": names,
        "current_lines": lines,
        "sizes_mb": {k: float(v) for k, v in sizes.items()},
        "healthz_median_ms": round(statistics.median(floor), 2),
        "search_ms": {
            "queries": len(qs),
            "median": round(statistics.median(search), 2),
            "p95": round(p95(search), 2),
            "met": statistics.median(search) < 30 and p95(search) < 60,
        },
        "search_raw_database": raw_sql_ms(url, qs),
        "tiles_cold": {**tiles, "worst_p95_ms": worst, "met": worst < 150},
        "county_outlines_per_zoom": outline_gaps(url),
        "serving_rss_mb": rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", default="150200,150000,100000")
    parser.add_argument("--queries", type=int, default=700)
    parser.add_argument("--keep", action="store_true", help="keep the cluster and the unit databases")
    parser.add_argument(
        "--no-rederive", action="store_true", help="skip timing the national derivation again"
    )
    args = parser.parse_args()

    from gis_service.ops.embedded_postgres import EmbeddedPostgres

    work = Path("/tmp/gis-service-bench-national")
    pg = EmbeddedPostgres(work / "cluster", durable=True)
    owner_url = pg.start()
    results: dict = {"machine": {"cores": os.cpu_count()}, "preparation": {}}
    try:
        for code in args.units.split(","):
            url, prepared = set_up(code, owner_url, work)
            results["preparation"][code] = prepared
            print(code, json.dumps(prepared, ensure_ascii=False), flush=True)
            if code == "100000":
                if not args.no_rederive:
                    results["line_derivation"] = rederive(url)
                    print("lines", results["line_derivation"], flush=True)
                results["country_served"] = serve_country(url, owner_url, args)
        path = save_results("national", results)
        print(json.dumps(results, indent=2, ensure_ascii=False))
        print(f"written to {path}")
    finally:
        if args.keep:
            print(f"kept: {owner_url} (databases unit_<code>), reference folders in {work / 'reference'}")
        else:
            pg.destroy()


if __name__ == "__main__":
    main()
