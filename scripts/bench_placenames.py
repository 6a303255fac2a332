"""Place-name search at scale: 1,000,000 names (the real register plus synthetic names,
labelled source='scale-test (synthetic)'), searched through the API, with the same tiered
query timed on the raw database and a naive substring scan for comparison, in one run.

    ./scripts/bench_placenames            # embedded PostGIS under /tmp, removed afterwards
    ./scripts/bench_placenames --keep     # keep the cluster for another run

Target (issue: place-name register): median < 30 ms and p95 < 60 ms over mixed queries
(Chinese substrings, full names, pinyin, initials, romanised forms, typos). Results are
printed and written to bench-results/placenames.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_support import http_latencies, p95, prepared_database, save_results, serve  # noqa: E402

from gis_service.placenames.romanize import pinyin_keys  # noqa: E402

NAMES = 1_000_000
SOURCE = "scale-test (synthetic)"
GENERICS = ["村", "嘎查", "社区", "营子", "湾", "梁", "沟"]


def scale_data(url: str) -> None:
    """Synthetic names built from pieces of the real ones (so they read and sound like
    Ordos names), with their pinyin keys, in SQL."""
    with psycopg.connect(url, autocommit=True) as con:
        have = con.execute("SELECT count(*) FROM place_name").fetchone()[0]
        if have >= NAMES:
            return
        t = time.perf_counter()
        specifics = {
            r[0] for r in con.execute("SELECT specific_part FROM place_name WHERE source <> %s", (SOURCE,))
        }
        pieces = sorted(
            {s[i : i + 2] for s in specifics for i in range(0, max(1, len(s) - 1), 2) if len(s) >= 2}
        )
        con.execute("CREATE TEMP TABLE piece (hanzi text, py text, ini text)")
        with con.cursor().copy("COPY piece FROM STDIN") as copy:
            for p in pieces:
                copy.write_row((p, *pinyin_keys(p)))
        con.execute("CREATE TEMP TABLE gen (hanzi text, py text, ini text)")
        with con.cursor().copy("COPY gen FROM STDIN") as copy:
            for g in GENERICS:
                copy.write_row((g, *pinyin_keys(g)))
        townships = [r[0] for r in con.execute("SELECT code FROM admin_unit WHERE level = 'township'")]
        need = NAMES - have
        con.execute(
            """
            INSERT INTO place_name (name, specific_part, generic_part, level, admin_code, status, source,
                                    pinyin, initials, origin_language)
            SELECT a.hanzi || b.hanzi || g.hanzi, a.hanzi || b.hanzi, g.hanzi, 'village',
                   (%(townships)s::text[])[1 + (n %% cardinality(%(townships)s::text[]))], 'pending', %(source)s,
                   a.py || b.py || g.py, a.ini || b.ini || g.ini, 'unknown'
            FROM (SELECT n, 1 + (n * 7919) %% %(pieces)s AS ia, 1 + (n * 104729 / 7) %% %(pieces)s AS ib,
                         1 + n %% %(gens)s AS ig
                  FROM generate_series(1::bigint, %(need)s) n) s
            JOIN (SELECT row_number() OVER (ORDER BY hanzi) AS i, * FROM piece) a ON a.i = s.ia
            JOIN (SELECT row_number() OVER (ORDER BY hanzi DESC) AS i, * FROM piece) b ON b.i = s.ib
            JOIN (SELECT row_number() OVER () AS i, * FROM gen) g ON g.i = s.ig
            """,
            {
                "townships": townships,
                "source": SOURCE,
                "pieces": len(pieces),
                "gens": len(GENERICS),
                "need": need,
            },
        )
        con.execute("VACUUM ANALYZE place_name")
        print(f"scale data: {need:,} synthetic names in {time.perf_counter() - t:.0f} s", flush=True)


def queries(url: str, n: int) -> list[str]:
    """A mix of what officers type, sampled from the corpus."""
    rng = random.Random(7)
    with psycopg.connect(url) as con:
        rows = con.execute(
            "SELECT name, pinyin, initials, coalesce(romanization, '') FROM place_name TABLESAMPLE SYSTEM (1)"
            " LIMIT 5000"
        ).fetchall()
        real = con.execute(
            "SELECT name, romanization FROM place_name WHERE romanization IS NOT NULL"
        ).fetchall()
    out = []
    for i in range(n):
        name, py, ini, _ = rng.choice(rows)
        kind = i % 7
        if kind == 0:
            out.append(name)  # a full name
        elif kind == 1:
            start = rng.randrange(0, max(1, len(name) - 2))
            out.append(name[start : start + rng.choice([2, 3])])  # a Chinese substring
        elif kind == 2:
            out.append(py[: rng.randint(5, max(5, len(py)))])  # pinyin, maybe partial
        elif kind == 3:
            out.append(ini[: rng.randint(2, max(2, len(ini)))])  # initials
        elif kind == 4:
            out.append(rng.choice(real)[1])  # a romanised official form
        elif kind == 5:
            j = rng.randrange(len(py))
            out.append(py[:j] + "x" + py[j + 1 :])  # a spelling typo
        else:
            out.append(name[0])  # one character
    return out


def raw_sql_ms(url: str, qs: list[str]) -> dict:
    """The same tiered search run directly on the database, and a naive scan."""
    from sqlalchemy import create_engine, text

    from gis_service.placenames.search import _tiers

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    tiered, naive = [], []
    with engine.connect() as con:
        for q in qs:
            tiers, params = _tiers(q)
            if not tiers:
                continue
            parts = " UNION ALL ".join(
                f"(SELECT p.id FROM place_name p WHERE {cond} LIMIT 500)" for _, cond in tiers
            )
            t0 = time.perf_counter()
            con.execute(text(f"SELECT count(*) FROM ({parts}) x"), params).scalar()
            tiered.append((time.perf_counter() - t0) * 1000)
        for q in qs[:60]:
            t0 = time.perf_counter()
            con.execute(
                text(
                    "SELECT id FROM place_name WHERE name LIKE :q OR pinyin LIKE :q OR romanization ILIKE :q LIMIT 20"
                ),
                {"q": f"%{q}%"},
            ).all()
            naive.append((time.perf_counter() - t0) * 1000)
    engine.dispose()
    return {
        "tiered_median_ms": round(statistics.median(tiered), 2),
        "naive_scan_median_ms": round(statistics.median(naive), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark cluster")
    parser.add_argument("--queries", type=int, default=700)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    pg, url = prepared_database(Path("/tmp/gis-service-bench"))
    scale_data(url)
    with psycopg.connect(url) as con:
        total = con.execute("SELECT count(*) FROM place_name").fetchone()[0]
    qs = queries(url, args.queries)

    server, base = serve(url, args.workers, DB_POOL_SIZE="10")
    try:
        token = httpx.post(
            base + "/api/v1/auth/token", data={"username": "demo_viewer", "password": "demo-viewer"}
        ).json()["access_token"]
        times = asyncio.run(http_latencies(base, token, [f"/api/v1/place-names?q={quote(q)}" for q in qs]))
    finally:
        server.terminate()
        server.wait(30)
    results = {
        "names": total,
        "queries": len(qs),
        "workers": args.workers,
        "search_ms": {
            "median": round(statistics.median(times), 2),
            "p95": round(p95(times), 2),
            "max": round(max(times), 2),
        },
        "raw_database": raw_sql_ms(url, qs),
        "targets": {"median_lt_ms": 30, "p95_lt_ms": 60},
    }
    results["met"] = results["search_ms"]["median"] < 30 and results["search_ms"]["p95"] < 60
    save_results("placenames", results)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if not args.keep and not os.environ.get("BENCH_DATABASE_URL"):
        pg.destroy()


if __name__ == "__main__":
    main()
