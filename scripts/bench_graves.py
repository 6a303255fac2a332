"""Classifying 1,000,000 graves against the "三沿七区" corridors and zones: the service's
SQL (gis_service.funeral.classification) against a naive GeoPandas pipeline in the same
run, on the same data.

The naive pipeline is what one would write first: read the graves, corridors and zones
into GeoPandas, project to a metric transverse Mercator, buffer each corridor by its
class width (after densifying the lines in longitude/latitude, so that both read a
long edge the same way), `sjoin` the graves with the buffers and with the zones, and measure the
distances of the matches. Its time is reported with and without reading from the
database (ours includes reading and writing the result rows). The two results are
compared pair by pair: differences come only from measuring in a projection instead of
on the ellipsoid, and only at the buffers' edges.

Usage: ./scripts/bench_graves [--graves 1000000] [--root /tmp/gis-service-bench]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_support import prepared_database  # noqa: E402

# Metres over the demo data (Ordos): a transverse Mercator between GK zones 36 and 37.
ORDOS_TM = "+proj=tmerc +lat_0=0 +lon_0=109 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"


async def ensure_graves(url: str, wanted: int) -> int:
    from sqlalchemy import text

    from gis_service.core.db import standalone_session
    from gis_service.core.settings import Settings
    from gis_service.funeral.demo import generate_graves

    settings = Settings(database_url=url, _env_file=None)
    async with standalone_session(settings) as db:
        have = await db.scalar(text("SELECT count(*) FROM grave"))
        if have < wanted:
            t = time.perf_counter()
            await generate_graves(db, count=wanted - have, prefix="BENCH-", seed=0.7)
            await db.commit()
            print(
                f"generated {wanted - have:,} synthetic graves (source='demo') in {time.perf_counter() - t:.1f} s"
            )
            await db.execute(text("ANALYZE grave"))
            await db.commit()
        return await db.scalar(text("SELECT count(*) FROM grave"))


async def ours(url: str) -> tuple[float, set, int]:
    from sqlalchemy import text

    from gis_service.core.db import standalone_session
    from gis_service.core.settings import Settings
    from gis_service.funeral.classification import classify

    settings = Settings(database_url=url, _env_file=None)
    async with standalone_session(settings) as db:
        t = time.perf_counter()
        written = await classify(db)
        await db.commit()
        seconds = time.perf_counter() - t
        pairs = {
            (r.grave_id, r.area_kind, r.area_id)
            for r in await db.execute(text("SELECT grave_id, area_kind, area_id FROM grave_restriction"))
        }
    return seconds, pairs, written["corridor"] + written["zone"]


async def reports(url: str) -> dict[str, float]:
    """Seconds for the planners' reports over all the graves."""
    from gis_service.auth.areas import Area
    from gis_service.core.db import standalone_session
    from gis_service.core.settings import Settings
    from gis_service.funeral import progress

    settings = Settings(database_url=url, _env_file=None)
    city = Area(settings.home_unit_code, "", "", whole=True)
    out = {}
    async with standalone_session(settings) as db:
        for name, call in (
            ("progress targets", lambda: progress.targets(db, city)),
            ("progress by banner (monthly series)", lambda: progress.series(db, by="banner", area=city)),
            ("progress by restriction class", lambda: progress.series(db, by="restriction", area=city)),
        ):
            t = time.perf_counter()
            await call()
            out[name] = time.perf_counter() - t
    return out


def naive(url: str) -> tuple[float, float, set]:
    import geopandas as gpd
    from sqlalchemy import create_engine

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    t0 = time.perf_counter()
    graves = gpd.read_postgis("SELECT id, geom FROM grave", engine, geom_col="geom")
    corridors = gpd.read_postgis(
        "SELECT c.id, k.width_m, c.geom FROM restricted_corridor c JOIN corridor_class k USING (corridor_class)",
        engine,
        geom_col="geom",
    )
    zones = gpd.read_postgis("SELECT id, geom FROM restricted_zone", engine, geom_col="geom")
    t1 = time.perf_counter()
    graves_m = graves.to_crs(ORDOS_TM)
    # Edges are straight in longitude/latitude, as stored and as the service reads them:
    # densify before projecting, or a long edge bends by up to ~100 m in the projection.
    corridors_m = corridors.set_geometry(corridors.segmentize(0.005)).to_crs(ORDOS_TM)
    buffers = corridors_m.copy()
    buffers["geometry"] = corridors_m.geometry.buffer(corridors_m["width_m"])
    buffers = buffers.set_geometry("geometry")[["id", "geometry"]]
    hits = gpd.sjoin(graves_m[["id", "geom"]], buffers, predicate="intersects", how="inner")
    lines = corridors_m.set_index("id").geometry
    hits["distance_m"] = [g.distance(lines[c]) for g, c in zip(hits.geometry, hits["id_right"], strict=True)]
    in_zones = gpd.sjoin(graves[["id", "geom"]], zones, predicate="intersects", how="inner")
    t2 = time.perf_counter()
    pairs = {(int(g), "corridor", int(c)) for g, c in zip(hits["id_left"], hits["id_right"], strict=True)}
    pairs |= {
        (int(g), "zone", int(z)) for g, z in zip(in_zones["id_left"], in_zones["id_right"], strict=True)
    }
    return t2 - t0, t2 - t1, pairs


def edge_gap(url: str, pairs: set) -> tuple[int, float | None]:
    """For differing grave–corridor pairs, how far each grave lies from its buffer's edge
    (|ellipsoidal distance − width|, metres): the number of zone pairs that differ and the
    largest gap."""
    import psycopg

    corridor = [(g, a) for g, kind, a in pairs if kind == "corridor"]
    zones = len(pairs) - len(corridor)
    if not corridor:
        return zones, None
    with psycopg.connect(url) as con:
        gap = con.execute(
            """SELECT max(abs(ST_Distance(g.geom::geography, ST_Segmentize(c.geom, 0.005)::geography) - k.width_m))
               FROM unnest(%s::bigint[], %s::bigint[]) AS p(grave_id, corridor_id)
               JOIN grave g ON g.id = p.grave_id JOIN restricted_corridor c ON c.id = p.corridor_id
               JOIN corridor_class k USING (corridor_class)""",
            ([g for g, _ in corridor], [a for _, a in corridor]),
        ).fetchone()[0]
    return zones, gap


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graves", type=int, default=1_000_000)
    ap.add_argument("--root", type=Path, default=Path("/tmp/gis-service-bench"))
    args = ap.parse_args()
    pg, url = prepared_database(args.root)
    try:
        n = asyncio.run(ensure_graves(url, args.graves))
        print(f"graves: {n:,}")
        seconds, our_pairs, rows = asyncio.run(ours(url))
        print(f"service classification (SQL, read + write {rows:,} rows): {seconds:.1f} s")
        total, compute, their_pairs = naive(url)
        print(
            f"naive GeoPandas sjoin: {total:.1f} s including reading, {compute:.1f} s computing only (no write)"
        )
        only_ours, only_theirs = our_pairs - their_pairs, their_pairs - our_pairs
        print(
            f"pairs: service {len(our_pairs):,}, GeoPandas {len(their_pairs):,}; "
            f"only in service {len(only_ours):,}, only in GeoPandas {len(only_theirs):,} "
        )
        zones, gap = edge_gap(url, only_ours | only_theirs)
        print(
            f"differing zone pairs: {zones}; differing corridor pairs lie within {gap or 0:.2f} m of the buffer edge"
        )
        for name, seconds_taken in asyncio.run(reports(url)).items():
            print(f"{name} over {n:,} graves: {seconds_taken:.2f} s")
        print(f"target: under 60 s for 1,000,000 graves -> {'met' if seconds < 60 else 'NOT met'}")
    finally:
        if not __import__("os").environ.get("BENCH_DATABASE_URL"):
            pg.stop()


if __name__ == "__main__":
    main()
