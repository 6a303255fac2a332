"""Marker API benchmark at scale: 100,000 markers and 1,000,000 visits (synthetic, labelled
source='scale-test'), measured against the raw database in the same run.

    ./scripts/bench_markers            # embedded durable PostGIS under /tmp, removed afterwards
    ./scripts/bench_markers --keep     # keep the cluster for another run

Targets (issue: boundary lines and markers): bbox query median < 20 ms, marker card
median < 20 ms, visit submission >= 200/s with durable commits (fsync and synchronous
commit on). Visits come from wrk (Debian's package, a separate process) for
--visit-seconds on --connections; afterwards every acknowledged visit is looked up in
the database. Results are printed and written to bench-results/markers.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_support import LUA_VISIT_PRELUDE, http_latencies, p95, prepared_database, save_results, serve  # noqa: E402

MARKERS = 100_000
VISITS = 1_000_000
BBOX_SIDE_DEG = 0.05  # ~5 km: what a phone shows at street-level zoom


def scale_data(url: str) -> None:
    """Synthetic markers along the real lines and a visit history, in SQL."""
    with psycopg.connect(url, autocommit=True) as con:
        have = con.execute("SELECT count(*) FROM boundary_marker WHERE source = 'scale-test'").fetchone()[0]
        if have >= MARKERS:
            return
        t = time.perf_counter()
        con.execute(
            """
            INSERT INTO boundary_marker (code, line_code, seq, type_suffix, marker_type, geom, gk_zone, gk_x, gk_y,
                                         source, reference_objects)
            SELECT 'S' || l.code || '-' || lpad(n::text, 5, '0') || 'Q', l.code, 1000 + n, 'Q', 'single',
                   ST_LineInterpolatePoint(ST_GeometryN(l.geom, 1), random()), 0, 0, 0, 'scale-test',
                   '[{"name":"synthetic","bearing_deg":10,"distance_m":50}]'
            FROM (SELECT code, geom, row_number() OVER () AS k, count(*) OVER () AS c
                  FROM boundary_line WHERE level = 'county' AND valid_to IS NULL) l,
                 generate_series(1, (%s / l.c)::int + 1) n""",
            (MARKERS,),
        )
        con.execute("""
            UPDATE boundary_marker SET gk_zone = round(ST_X(geom) / 3)::int,
                   gk_x = ST_Y(ST_Transform(geom, 4513 + round(ST_X(geom) / 3)::int - 25)),
                   gk_y = ST_X(ST_Transform(geom, 4513 + round(ST_X(geom) / 3)::int - 25))
            WHERE source = 'scale-test'""")
        inspector = con.execute("SELECT id FROM app_user WHERE username = 'demo_inspector'").fetchone()[0]
        con.execute(
            """
            INSERT INTO marker_inspection (id, marker_id, observed_at, condition, inspector_id, payload_hash)
            SELECT gen_random_uuid(), m.id, now() - (random() * interval '3 years'),
                   (ARRAY['intact','intact','intact','slightly_damaged','damaged','tilted','buried'])[1 + (random() * 6)::int],
                   %s, 'scale-test'
            FROM (SELECT id FROM boundary_marker WHERE source = 'scale-test') m, generate_series(1, %s) g""",
            (inspector, VISITS // MARKERS),
        )
        con.execute("""
            UPDATE boundary_marker m SET condition = i.condition, condition_observed_at = i.observed_at,
                   last_inspection_id = i.id
            FROM (SELECT DISTINCT ON (marker_id) marker_id, id, condition, observed_at FROM marker_inspection
                  ORDER BY marker_id, observed_at DESC) i
            WHERE i.marker_id = m.id AND m.source = 'scale-test'""")
        con.execute("VACUUM ANALYZE boundary_marker")
        con.execute("VACUUM ANALYZE marker_inspection")
        print(
            f"scale data: {MARKERS:,} markers, {VISITS:,} visits in {time.perf_counter() - t:.0f} s",
            flush=True,
        )


def raw_sql_ms(url: str, boxes: list, codes: list) -> dict:
    """The same queries straight against PostGIS (no HTTP, no Python JSON work)."""
    with psycopg.connect(url) as con:

        def timed(sql, args_list):
            out = []
            for args in args_list:
                t = time.perf_counter()
                con.execute(sql, args).fetchall()
                out.append((time.perf_counter() - t) * 1000)
            return statistics.median(out)

        bbox = timed(
            "SELECT code, condition, ST_AsGeoJSON(geom) FROM boundary_marker"
            " WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4490) ORDER BY code LIMIT 101",
            boxes,
        )
        card = timed(
            "SELECT m.*, i.* FROM boundary_marker m LEFT JOIN marker_inspection i"
            " ON i.id = m.last_inspection_id WHERE m.code = %s",
            [(c,) for c in codes],
        )
    return {"bbox_ms": round(bbox, 2), "card_ms": round(card, 2)}


VISIT_LUA = (
    LUA_VISIT_PRELUDE
    + """
local codes = {}
for line in io.lines(os.getenv("CODES")) do codes[#codes + 1] = line end
local conditions = {"intact", "slightly_damaged", "buried"}
init = function()
  start_thread()
end
request = function()
  local body = string.format(
    '{"id":"%s","condition":"%s","observed_at":"%s","notes":"%s","gnss":{"lon":109.5,"lat":39.5,"accuracy_m":5}}',
    uuid4(), conditions[math.random(#conditions)], os.date("!%Y-%m-%dT%H:%M:%SZ"), os.getenv("TAG"))
  return wrk.format("POST", "/api/v1/markers/" .. codes[math.random(#codes)] .. "/inspections", nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f\\n", summary.requests, summary.errors.status
    + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.duration / 1e6))
end
"""
)


def visit_throughput(
    base: str, url: str, token: str, codes: list[str], seconds: int, connections: int
) -> dict:
    """Submit visits from wrk (a separate process, so the load generator does not share the
    server's interpreter), then check that every acknowledged visit is in the database."""
    tag = f"bench-{uuid.uuid4()}"
    with tempfile.TemporaryDirectory() as tmp:
        codes_file, script = Path(tmp) / "codes.txt", Path(tmp) / "visits.lua"
        codes_file.write_text("\n".join(codes) + "\n")
        script.write_text(VISIT_LUA)
        env = {**os.environ, "CODES": str(codes_file), "TOKEN": token, "TAG": tag}
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), base],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
    requests, errors, p50, p95, elapsed = re.search(
        r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out
    ).groups()
    acknowledged = int(requests) - int(errors)
    with psycopg.connect(url) as con:
        stored = con.execute("SELECT count(*) FROM marker_inspection WHERE notes = %s", (tag,)).fetchone()[0]
    return {
        "acknowledged": acknowledged,
        "errors": int(errors),
        "seconds": round(float(elapsed), 2),
        "per_second": round(acknowledged / float(elapsed), 1),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        # requests still in flight when wrk stops may be stored without being counted
        "stored": stored,
        "connections": connections,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark cluster")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--visit-seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    pg, url = prepared_database(Path("/tmp/gis-service-bench"))
    scale_data(url)
    with psycopg.connect(url) as con:
        durable = con.execute(
            "SELECT current_setting('fsync'), current_setting('synchronous_commit')"
        ).fetchone()
        codes = [
            r[0]
            for r in con.execute(
                "SELECT code FROM boundary_marker WHERE source = 'scale-test' ORDER BY random() LIMIT %s",
                (args.requests,),
            )
        ]
        boxes = []
        for lon, lat in con.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM boundary_marker"
            " WHERE source = 'scale-test' ORDER BY random() LIMIT %s",
            (args.requests,),
        ):
            h = BBOX_SIDE_DEG / 2
            boxes.append((lon - h, lat - h, lon + h, lat + h))
        counts = con.execute(
            "SELECT (SELECT count(*) FROM boundary_marker), (SELECT count(*) FROM marker_inspection)"
        ).fetchone()

    server, base = serve(url, args.workers, DB_POOL_SIZE="10")
    try:
        token = httpx.post(
            base + "/api/v1/auth/token", data={"username": "demo_inspector", "password": "demo-inspector"}
        ).json()["access_token"]
        bbox_paths = [
            f"/api/v1/markers?bbox={a:.5f},{b:.5f},{c:.5f},{d:.5f}&limit=100" for a, b, c, d in boxes
        ]
        card_paths = [f"/api/v1/markers/{c}" for c in codes]
        bbox = asyncio.run(http_latencies(base, token, bbox_paths))
        card = asyncio.run(http_latencies(base, token, card_paths))
        visit_throughput(base, url, token, codes, 3, args.connections)  # warm-up
        visits = visit_throughput(base, url, token, codes, args.visit_seconds, args.connections)
    finally:
        server.terminate()
        server.wait(30)
    raw = raw_sql_ms(url, boxes, codes)
    results = {
        "data": {"markers": counts[0], "visits": counts[1]},
        "durable": {"fsync": durable[0], "synchronous_commit": durable[1]},
        "workers": args.workers,
        "bbox_query_ms": {
            "median": round(statistics.median(bbox), 2),
            "p95": round(p95(bbox), 2),
            "raw_sql_median": raw["bbox_ms"],
        },
        "marker_card_ms": {
            "median": round(statistics.median(card), 2),
            "p95": round(p95(card), 2),
            "raw_sql_median": raw["card_ms"],
        },
        "visit_submission": visits,
        "targets": {"bbox_median_lt_ms": 20, "card_median_lt_ms": 20, "visits_per_second_ge": 200},
    }
    results["met"] = {
        "bbox": results["bbox_query_ms"]["median"] < 20,
        "card": results["marker_card_ms"]["median"] < 20,
        "visits": visits["per_second"] >= 200
        and visits["errors"] == 0
        and visits["acknowledged"] <= visits["stored"] <= visits["acknowledged"] + args.connections,
    }
    save_results("markers", results)
    print(json.dumps(results, indent=2))
    if not args.keep and not os.environ.get("BENCH_DATABASE_URL"):
        pg.destroy()


if __name__ == "__main__":
    main()
