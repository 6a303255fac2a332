"""A bureau's working day, compressed into `minutes`: every kind of user at once, each as
its own client with its own account, pausing between actions as a person does.

- 40 inspectors: open a marker's card, send a visit (a third with a photo);
- 10 place-name officers: search, check a proposed name, read a record, and now and then
  edit it (If-Match);
- 5 planners: pan the map (a 3 x 3 block of tiles of two layers) and read the
  indicators and the remediation progress;
- one offline area (a line: its manifest, then every tile in bundles and every record, as
  the app fetches them) and one import of place names, while the rest goes on;
- the floor: `/healthz` twice a second through the whole day.

Every answer is timed by route class. Afterwards every acknowledged visit and edit is looked
up in the database. Used by `scripts/soak --profile day`.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import psycopg
from PIL import Image

from gis_service.offline.tiles import lonlat_to_tile

INSPECTORS, OFFICERS, PLANNERS = 40, 10, 5
THINK_S = {"inspector": (2.0, 6.0), "officer": (1.0, 3.0), "planner": (1.0, 2.0)}
INTERACTIVE_P99_MS = 150  # the target for every class a person waits on
# one-off heavy operations, reported but not held to the interactive target
BULK = {"offline manifest", "offline tile bundle", "offline records", "import"}
TILES_PER_BUNDLE = 128  # as the app asks for them (web_map/static/js/offline_store.js)


@dataclass
class Day:
    base: str
    rng: random.Random
    markers: list[str]
    names: list[tuple[int, str, str]]
    tiles: list[tuple[float, float]]
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    visits: list[str] = field(default_factory=list)
    edits: list[tuple[int, str]] = field(default_factory=list)

    async def call(self, kind: str, client: httpx.AsyncClient, method: str, path: str, ok=(200,), **kw):
        start = time.perf_counter()
        try:
            r = await client.request(method, path, **kw)
        except httpx.HTTPError as exc:
            self.errors.setdefault(kind, []).append(f"{path}: {exc!r}")
            return None
        self.times.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
        if r.status_code not in ok:
            self.errors.setdefault(kind, []).append(f"{method} {path}: {r.status_code} {r.text[:120]}")
        return r


def _photo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1600, 1200), (120, 140, 90)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


async def _accounts(base: str, admin: str, role: str, count: int) -> list[str]:
    """Tokens of `count` new accounts with `role`."""
    tokens = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        for _ in range(count):
            name, password = f"day_{role}_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
            made = await c.post(
                "/api/v1/users",
                json={"username": name, "role": role, "password": password},
                headers={"Authorization": f"Bearer {admin}"},
            )
            made.raise_for_status()
            signed = await c.post("/api/v1/auth/token", data={"username": name, "password": password})
            tokens.append(signed.json()["access_token"])
    return tokens


def _client(day: Day, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=day.base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


async def inspector(day: Day, token: str, until: float, photo: bytes) -> None:
    async with _client(day, token) as c:
        while time.monotonic() < until:
            code = day.rng.choice(day.markers)
            await day.call("marker card", c, "GET", f"/api/v1/markers/{code}")
            visit = {
                "id": str(uuid.uuid4()),
                "condition": day.rng.choice(["intact", "intact", "intact", "slightly_damaged"]),
                "observed_at": datetime.now(UTC).isoformat(),
                "notes": "bureau day",
            }
            path = f"/api/v1/markers/{code}/inspections"
            if day.rng.random() < 1 / 3:
                r = await day.call(
                    "visit with photo",
                    c,
                    "POST",
                    path,
                    ok=(201,),
                    data={"visit": json.dumps(visit)},
                    files={"photos": ("p.jpg", photo, "image/jpeg")},
                )
            else:
                r = await day.call("visit", c, "POST", path, ok=(201,), json=visit)
            if r is not None and r.status_code == 201:
                day.visits.append(visit["id"])
            await asyncio.sleep(day.rng.uniform(*THINK_S["inspector"]))


async def officer(day: Day, token: str, until: float) -> None:
    async with _client(day, token) as c:
        while time.monotonic() < until:
            place_id, name, admin_code = day.rng.choice(day.names)
            await day.call("name search", c, "GET", "/api/v1/place-names", params={"q": name[:2]})
            proposed = {"name": name[:-1] + "新村", "admin_code": admin_code, "level": "village"}
            await day.call("name check", c, "POST", "/api/v1/place-names/check", json=proposed)
            r = await day.call("name record", c, "GET", f"/api/v1/place-names/{place_id}")
            if r is not None and r.status_code == 200 and day.rng.random() < 0.3:
                note = f"bureau day {uuid.uuid4().hex[:8]}"
                edited = await day.call(
                    "name edit",
                    c,
                    "PATCH",
                    f"/api/v1/place-names/{place_id}",
                    # another officer may have edited it since: a 412 is the lost update refused
                    ok=(200, 412),
                    json={"location_description": note, "reason": "bureau day"},
                    headers={"If-Match": r.headers["etag"]},
                )
                if edited is not None and edited.status_code == 200:
                    day.edits.append((place_id, note))
            await asyncio.sleep(day.rng.uniform(*THINK_S["officer"]))


def _tile_block(lon: float, lat: float, z: int) -> list[str]:
    x, y = lonlat_to_tile(lon, lat, z)
    return [f"{z}/{x + dx}/{y + dy}" for dx in (-1, 0, 1) for dy in (-1, 0, 1)]


async def planner(day: Day, token: str, until: float) -> None:
    async with _client(day, token) as c:
        while time.monotonic() < until:
            lon, lat = day.rng.choice(day.tiles)
            z = day.rng.choice([8, 9, 10, 11, 12])
            pan = [
                day.call("tile", c, "GET", f"/api/v1/layers/{layer}/tiles/{zxy}", ok=(200, 204))
                for layer in ("county_boundary", "grave")
                for zxy in _tile_block(lon, lat, z)
            ]
            await asyncio.gather(*pan)
            if day.rng.random() < 0.3:
                await day.call("indicators", c, "GET", "/api/v1/indicators")
                await day.call("remediation progress", c, "GET", "/api/v1/funeral/progress")
            await asyncio.sleep(day.rng.uniform(*THINK_S["planner"]))


async def offline_area(day: Day, token: str, line: str, after_s: float) -> None:
    await asyncio.sleep(after_s)
    async with _client(day, token) as c:
        r = await day.call(
            "offline manifest",
            c,
            "POST",
            "/api/v1/offline-areas/manifest",
            json={"kind": "line", "code": line},
        )
        if r is None or r.status_code != 200:
            return
        manifest = r.json()
        urls = [url.removeprefix(day.base) for url, *_ in manifest["tiles"]]
        bundles = [urls[i : i + TILES_PER_BUNDLE] for i in range(0, len(urls), TILES_PER_BUNDLE)]

        async def lane():
            while bundles:
                tiles = bundles.pop()
                await day.call(
                    "offline tile bundle", c, "POST", "/api/v1/offline-areas/tiles", json={"tiles": tiles}
                )

        async def records():
            keys = [k for k, _ in manifest["records"]]
            for i in range(0, len(keys), 500):
                await day.call(
                    "offline records",
                    c,
                    "POST",
                    "/api/v1/offline-areas/records",
                    json={"keys": keys[i : i + 500]},
                )

        await asyncio.gather(*(lane() for _ in range(6)), records())


async def import_names(day: Day, token: str, after_s: float) -> None:
    await asyncio.sleep(after_s)
    tag = "".join("甲乙丙丁戊己庚辛壬癸"[int(d)] for d in str(uuid.uuid4().int)[:5])
    rows = [
        {
            "标准名称": f"{tag}{'一二三四五六七八九十'[i % 10]}{i}村",
            "所在行政区划代码": "150602001",
            "经度": f"{109.9 + i * 0.001:.4f}",
            "纬度": "39.82",
            "地名含义": "bureau day import (synthetic)",
            "地名状态": "pending",
        }
        for i in range(50)
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    async with _client(day, token) as c:
        await day.call(
            "import",
            c,
            "POST",
            "/api/v1/place-names/import",
            ok=(201,),
            files={"file": ("names.csv", out.getvalue().encode("utf-8"))},
        )


async def floor(day: Day, until: float) -> None:
    async with httpx.AsyncClient(base_url=day.base, timeout=30) as c:
        while time.monotonic() < until:
            await day.call("/healthz (floor)", c, "GET", "/healthz")
            await asyncio.sleep(0.5)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


async def _run(base: str, url: str, minutes: float, admin: str, sample_rss) -> dict:
    with psycopg.connect(url) as con:
        markers = [r[0] for r in con.execute("SELECT code FROM boundary_marker ORDER BY code")]
        names = [
            tuple(r)
            for r in con.execute(
                "SELECT id, name, admin_code FROM place_name WHERE level = 'village' ORDER BY id"
            )
        ]
        tiles = [
            tuple(r) for r in con.execute("SELECT ST_X(geom), ST_Y(geom) FROM grave ORDER BY id LIMIT 2000")
        ]
        line = con.execute(
            "SELECT code FROM boundary_line WHERE level = 'county' AND valid_to IS NULL ORDER BY length_m LIMIT 1"
        ).fetchone()[0]
    day = Day(base, random.Random(4490), markers, names, tiles)
    inspectors = await _accounts(base, admin, "inspector", INSPECTORS)
    officers = await _accounts(base, admin, "placename_officer", OFFICERS)
    planners = await _accounts(base, admin, "planner", PLANNERS)
    photo = _photo()
    started = time.monotonic()
    until = started + minutes * 60
    rss = [sample_rss()]

    async def memory():
        while time.monotonic() < until:
            await asyncio.sleep(min(60, max(1, until - time.monotonic())))
            rss.append(sample_rss())

    await asyncio.gather(
        *(inspector(day, t, until, photo) for t in inspectors),
        *(officer(day, t, until) for t in officers),
        *(planner(day, t, until) for t in planners),
        offline_area(day, inspectors[0], line, minutes * 60 * 0.2),
        import_names(day, officers[0], minutes * 60 * 0.5),
        floor(day, until),
        memory(),
    )
    elapsed = time.monotonic() - started
    with psycopg.connect(url) as con:
        stored_visits = con.execute(
            "SELECT count(*) FROM marker_inspection WHERE id = ANY(%s::uuid[])", (day.visits,)
        ).fetchone()[0]
        stored_edits = sum(
            con.execute(
                "SELECT count(*) FROM place_name_version WHERE place_name_id = %s AND diff::text LIKE %s",
                (pid, f"%{note}%"),
            ).fetchone()[0]
            > 0
            for pid, note in day.edits
        )
    classes = {
        kind: {
            "requests": len(t),
            "p50_ms": _quantile(t, 0.5),
            "p99_ms": _quantile(t, 0.99),
            "errors": len(day.errors.get(kind, [])),
        }
        for kind, t in sorted(day.times.items())
    }
    half = rss[len(rss) // 2]
    slow = [k for k, c in classes.items() if k not in BULK and c["p99_ms"] >= INTERACTIVE_P99_MS]
    results = {
        "minutes": round(elapsed / 60, 1),
        "users": {"inspectors": INSPECTORS, "officers": OFFICERS, "planners": PLANNERS},
        "requests": sum(c["requests"] for c in classes.values()),
        "per_second": round(sum(c["requests"] for c in classes.values()) / elapsed, 1),
        "classes": classes,
        "error_samples": {k: v[:3] for k, v in day.errors.items()},
        "visits_acknowledged": len(day.visits),
        "visits_stored": stored_visits,
        "edits_acknowledged": len(day.edits),
        "edits_stored": stored_edits,
        "rss_mb": {
            "every_minute": rss,
            "second_half_growth_percent": round(100 * (rss[-1] - half) / half, 1),
        },
        "interactive_p99_over_150_ms": slow,
    }
    results["ok"] = (
        not day.errors
        and not slow
        and stored_visits == len(day.visits)
        and stored_edits == len(day.edits)
        and results["rss_mb"]["second_half_growth_percent"] < 10
    )
    return results


def run(base: str, url: str, minutes: float, admin_token: str, sample_rss) -> dict:
    """The day against the service at `base` (database `url`); `sample_rss()` gives the
    service's memory in MB."""
    return asyncio.run(_run(base, url, minutes, admin_token, sample_rss))
