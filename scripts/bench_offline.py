"""Offline areas, measured the way an inspector gets them: the service as a default
install starts it (one worker, demo data, signed in as the demo inspector), the app's
own download code running in headless Chromium with the service worker on.

For the longest county-level line and for the whole of Ordos it reports the manifest
time, the size the phone is told beforehand against the browser storage the download
then takes, the area's size and the download time, then the refresh after one marker changes
(only the changed records and tiles move), against two floors, each a plain HTTP client
making six requests at a time, as a browser does: the area's tile URLs one by one (the
app's way before bundles), and the very requests the app's download sent (its bundles of
tiles, batches of records and start reads), recorded as it ran and sent again. The server's tile cache is off
(TILE_CACHE_MB=0), so no figure comes from a warm cache.

    ./scripts/bench_offline            # embedded durable PostGIS under /tmp, removed afterwards

Target (the offline issue): a line's area downloads in under 60 s on this machine.
Results are printed and written to bench-results/offline.json.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_support import prepared_database, save_results, serve  # noqa: E402

from tests.web.field_browser import ARGS, CHROMIUM  # noqa: E402

LINE_TARGET_S = 60


async def raw_fetch(base: str, token: str, urls: list[str]) -> float:
    """Seconds to GET every tile URL, six at a time: the floor of fetching an area tile by
    tile, the app's way before bundles."""
    return await replay(base, token, [("GET", url, None, None) for url in urls])


async def replay(base: str, token: str, requests: list[tuple]) -> float:
    """Seconds to send these requests (method, URL, body, content type), six at a time
    (a browser's connections to one host): the HTTP floor under the app's download."""
    queue = list(reversed(requests))
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as c:

        async def worker():
            while queue:
                method, url, body, content_type = queue.pop()
                headers = {"Content-Type": content_type} if content_type else {}
                r = await c.request(method, url, content=body, headers=headers)
                assert r.status_code in (200, 204), (url, r.status_code)

        t = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(6)))
        return time.perf_counter() - t


def app_download(page, spec: dict) -> dict:
    """The app plans and downloads the area; `requests` are the ones its download sent
    (the service's, not the manifest's), to be replayed as the floor."""
    sent = []

    def record(request) -> None:
        path = request.url.split("://", 1)[-1].partition("/")[2]
        if path.startswith(("api/", "basemap/")) and not path.endswith("offline-areas/manifest"):
            sent.append(
                (request.method, request.url, request.post_data_buffer, request.headers.get("content-type"))
            )

    page.on("request", record)
    try:
        out = page.evaluate(
            """async (spec) => {
        const store = await import('/map/static/js/offline_store.js');
        const usage = async () => (await navigator.storage.estimate()).usage;
        const before = await usage();
        const t0 = performance.now();
        const manifest = await store.plan(spec);
        const t1 = performance.now();
        const out = await store.download(spec, () => {}, manifest);
        return { manifest_s: (t1 - t0) / 1000, download_s: (performance.now() - t1) / 1000,
                 tiles: manifest.counts.tiles, records: manifest.records.length, estimated: manifest.estimated_bytes,
                 fetched_tiles: out.fetched, fetched_records: out.records, moved_bytes: out.bytes,
                 stored_bytes: out.area.bytes, storage_used: (await usage()) - before,
                 record_bytes: out.record_bytes, estimate: manifest.estimate,
                 tile_urls: manifest.tiles.map((t) => t[0]) };
    }""",
            spec,
        )
    finally:
        page.remove_listener("request", record)
    return out | {"requests": sent}


def change_one_marker(base: str, token: str, code: str) -> None:
    visit = {
        "id": str(uuid.uuid4()),
        "condition": "tilted",
        "observed_at": datetime.now(UTC).isoformat(),
        "notes": "bench: one marker changes",
    }
    r = httpx.post(
        f"{base}/api/v1/markers/{code}/inspections", json=visit, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 201, r.text


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-offline-"))
    pg, url = prepared_database(root / "pg")
    proc, base = serve(url, 1, TILE_CACHE_MB="0", DEMO_MODE="true")
    results = {}
    try:
        with psycopg.connect(url) as con:
            line, name, km = con.execute(
                "SELECT code, name, round(length_m::numeric / 1000, 1) FROM boundary_line"
                " WHERE level = 'county' AND valid_to IS NULL ORDER BY length_m DESC LIMIT 1"
            ).fetchone()
            marker_on = lambda where, arg: con.execute(  # noqa: E731
                f"SELECT code FROM boundary_marker WHERE {where} ORDER BY seq LIMIT 1", (arg,)
            ).fetchone()[0]
            areas = [
                (
                    f"longest county-level line: {name} ({km} km)",
                    {"kind": "line", "code": line},
                    marker_on("line_code = %s", line),
                ),
                (
                    "whole of Ordos (150600), to zoom 12",
                    {"kind": "banner", "code": "150600", "max_zoom": 12},
                    marker_on("line_code LIKE %s", "150622-%"),
                ),
            ]
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                str(root / "profile"),
                executable_path=CHROMIUM,
                args=ARGS,
                viewport={"width": 390, "height": 800},
            )
            page = ctx.pages[0]
            page.goto(base + "/map")
            page.fill("#username", "demo_inspector")
            page.fill("#password", "demo-inspector")
            page.click("#sign-in-form button[type=submit]")
            page.wait_for_selector("body[data-layers-ready=true]", timeout=60_000)
            page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
            token = page.evaluate("() => JSON.parse(localStorage.getItem('gis_token')).value")
            for label, spec, marker in areas:
                first = app_download(page, spec)
                urls, sent = first.pop("tile_urls"), first.pop("requests")
                # in its own thread: Playwright's sync API holds this thread's event loop
                with ThreadPoolExecutor(1) as pool:
                    floor = pool.submit(asyncio.run, raw_fetch(base, token, urls)).result()
                    bundled = pool.submit(asyncio.run, replay(base, token, sent)).result()
                print(
                    f"{label}: downloaded in {first['download_s']:.1f} s; HTTP floor {floor:.1f} s"
                    f" tile by tile, {bundled:.1f} s for the app's own {len(sent)} requests",
                    flush=True,
                )
                change_one_marker(base, token, marker)
                refresh = app_download(page, spec)
                refresh.pop("tile_urls"), refresh.pop("requests")
                results[label] = {
                    "spec": spec,
                    "download": first,
                    "raw_tile_fetch_s": round(floor, 2),
                    "raw_app_requests_s": round(bundled, 2),
                    "app_requests": len(sent),
                    "refresh_after_one_marker": refresh,
                }
            ctx.close()
    finally:
        proc.terminate()
        proc.wait(10)
        pg.destroy()
    print(
        f"\n{'area':52} {'size':>9} {'tiles':>6} {'records':>7} {'download':>9} {'by tile':>8} {'requests':>8}"
        f" {'refresh':>8} {'moved':>14}"
    )
    for label, r in results.items():
        d, f = r["download"], r["refresh_after_one_marker"]
        print(
            f"{label:52} {d['stored_bytes'] / 1e6:7.1f}MB {d['tiles']:6} {d['records']:7} {d['download_s']:8.1f}s"
            f" {r['raw_tile_fetch_s']:7.1f}s {r['raw_app_requests_s']:7.1f}s {f['download_s']:7.1f}s"
            f" {f['fetched_tiles']:4}t/{f['fetched_records']}r {f['moved_bytes'] / 1e3:5.0f}kB"
        )
    print(f"\n{'area':52} {'told':>9} {'storage used':>13} {'told/used':>9} {'manifest':>9}")
    for label, r in results.items():
        d = r["download"]
        print(
            f"{label:52} {d['estimated'] / 1e6:7.1f}MB {d['storage_used'] / 1e6:11.1f}MB"
            f" {d['estimated'] / max(d['storage_used'], 1):9.2f} {d['manifest_s']:8.1f}s"
        )
    line_s = next(iter(results.values()))["download"]["download_s"]
    print(
        f"\nline target: download under {LINE_TARGET_S} s — {'met' if line_s < LINE_TARGET_S else 'NOT met'} ({line_s:.1f} s)"
    )
    save_results("offline", results)


if __name__ == "__main__":
    main()
