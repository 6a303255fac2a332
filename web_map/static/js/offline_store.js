// Offline areas on the phone: the server's manifest lists an area's tiles and records,
// each with an ETag. Tiles come in bundles (many tiles an answer) and go into IndexedDB,
// a bundle a transaction, under their service path; the service worker answers from
// there without network. Records (marker cards with their last visits, signs, graves)
// and the areas themselves go into IndexedDB too; photo thumbnails into Cache Storage.
// A refresh fetches only the entries whose ETag changed; deleting an area keeps what
// another area still uses.
import { appPath, appUrl, authHeaders, ApiError, sendJson } from "./api.js";
import { inStore, openDb } from "./idb.js";

const LEGACY_TILE_CACHE = "gis-tiles";  // where areas stored tiles before bundles: still read and cleared
const PHOTO_CACHE = "gis-photos";
const PARALLEL = 6;
// Tiles a request: a few dozen requests for a line's area instead of thousands. Each
// bundle is written while the next ones are fetched.
export const TILES_PER_BUNDLE = 128;
export const RECORDS_PER_REQUEST = 500;
// `pending`: the tiles a download is fetching, until its area is saved. What an interrupted
// download left is found from there, never by listing the tile cache: Chromium refuses
// Cache.keys() on a cache of some 20,000 tiles ("Operation too large").
const db = () => openDb("gis-offline", 3, { areas: "id", records: "key", pending: "id", tiles: "key" });

export const areaId = (spec) => spec.kind === "bbox" ? `bbox:${spec.bbox.map((v) => v.toFixed(4)).join(",")}` : `${spec.kind}:${spec.code}`;
export const listAreas = () => inStore(db, "areas", "readonly", (s) => s.getAll());
export const getRecord = (key) => inStore(db, "records", "readonly", (s) => s.get(key));
export const allRecords = () => inStore(db, "records", "readonly", (s) => s.getAll());
/** The service paths of every tile held for offline use. */
export const storedTileKeys = () => inStore(db, "tiles", "readonly", (s) => s.getAllKeys());

/** The records of one kind ("marker", "sign", "grave") held for offline use. */
export async function recordsOf(kind) {
  return (await allRecords()).filter((r) => r.key.startsWith(kind + ":"));
}

/** Ask the server what an area holds: sizes before downloading. */
export async function plan(spec) {
  if (!navigator.onLine) throw new ApiError(0, { code: "offline" });
  const manifest = (await sendJson("POST", "/api/v1/offline-areas/manifest", spec)).body;
  // tiles are listed at their public address and kept under their service path, as areas
  // stored before were: a refresh compares like with like and re-downloads nothing
  manifest.tiles = manifest.tiles.map(([url, ...rest]) => [appPath(url), ...rest]);
  return manifest;
}

async function pool(items, worker) {
  let next = 0;
  const run = async () => { while (next < items.length) { const i = next++; await worker(items[i], i); } };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, run));
}

async function fetchInto(cache, url) {
  // straight to the network: the service worker stays out of the way of a bulk download
  const response = await fetch(appUrl(url), { headers: { ...authHeaders(), "X-Offline-Download": "1" }, cache: "no-store" });
  if (response.status === 204) return 0;
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const blob = await response.blob();
  await cache.put(appUrl(url), new Response(blob, { headers: { "Content-Type": response.headers.get("Content-Type") || "", ETag: response.headers.get("ETag") || "" } }));
  return blob.size;
}

/** A bundle of tiles from the service (format in the service's offline/bundles.py):
 *  [{path, status, etag, type, length, data}], data an ArrayBuffer of the tile's bytes. */
async function fetchBundle(paths) {
  const response = await fetch(appUrl("/api/v1/offline-areas/tiles"), {
    method: "POST", cache: "no-store",
    headers: { ...authHeaders(), "Content-Type": "application/json" },
    body: JSON.stringify({ tiles: paths }),
  });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const body = await response.arrayBuffer();
  const headLength = new DataView(body).getUint32(0);
  const { tiles } = JSON.parse(new TextDecoder().decode(new Uint8Array(body, 4, headLength)));
  let at = 4 + headLength;
  return tiles.map((t) => { const data = body.slice(at, at + t.length); at += t.length; return { ...t, data }; });
}

/** Store a bundle's tiles, one transaction for all (204s hold nothing to store). */
function storeTiles(tiles) {
  return inStore(db, "tiles", "readwrite", (s) => tiles.forEach((t) => {
    if (t.status === 200) s.put({ key: t.path, etag: t.etag, type: t.type, data: t.data });
  }));
}

/** Writes that run while the next tiles are fetched: a lane that waited for its own
 *  write left the connection idle. At most MAX_WRITES are in flight (each holds its
 *  bundle in memory); the first failure (a full disk) fails the download. */
const MAX_WRITES = 8;
function backgroundWrites() {
  const running = new Set();
  let failure = null;
  return {
    async add(put) {
      if (failure) throw failure;
      const tracked = put.catch((err) => { failure = failure || err; }).finally(() => running.delete(tracked));
      running.add(tracked);
      if (running.size >= MAX_WRITES) await Promise.race(running);
    },
    async settled() {
      await Promise.all(running);
      if (failure) throw failure;
    },
  };
}

/** Fetch these tiles in bundles, PARALLEL requests at a time, and store them; `sizes`
 *  gets each tile's size. */
async function fetchTiles(urls, sizes, progress, tick) {
  const writes = backgroundWrites();
  const bundles = [];
  for (let i = 0; i < urls.length; i += TILES_PER_BUNDLE) bundles.push(urls.slice(i, i + TILES_PER_BUNDLE));
  await pool(bundles, async (paths) => {
    const got = await fetchBundle(paths);
    await writes.add(storeTiles(got));
    got.forEach((t, i) => { sizes.set(paths[i], t.length); progress.bytes += t.length; progress.moved += t.length; });
    progress.done += got.length;
    tick();
  });
  await writes.settled();
}

/** Fetch these records (and their photos' thumbnails) into IndexedDB, a batch per
 *  transaction, as belonging to area `id`; `stored` (key -> record) is kept current. */
async function fetchRecords(keys, stored, id, progress, tick) {
  const photos = await caches.open(PHOTO_CACHE);
  for (let i = 0; i < keys.length; i += RECORDS_PER_REQUEST) {
    const { body } = await sendJson("POST", "/api/v1/offline-areas/records", { keys: keys.slice(i, i + RECORDS_PER_REQUEST) });
    const fresh = body.records.map((r) => ({
      key: r.key, etag: r.etag, data: r.data, size: JSON.stringify(r.data).length,
      areas: [...new Set([...(stored.get(r.key)?.areas || []), id])],
    }));
    await inStore(db, "records", "readwrite", (s) => fresh.forEach((r) => s.put(r)));  // one transaction a batch
    for (const r of fresh) { stored.set(r.key, r); progress.moved += r.size; }
    const thumbs = [...new Set(fresh.flatMap((r) => r.data.thumbs || []))];
    await pool(thumbs, async (url) => { if (!(await photos.match(appUrl(url)))) progress.moved += await fetchInto(photos, url).catch(() => 0); });
    progress.done += body.records.length + body.gone.length;
    tick();
  }
}

/** Download (or refresh) an area. onProgress({done, total, bytes, phase}). Only tiles and
 *  records whose ETag differs from what the phone holds are fetched. */
export async function download(spec, onProgress = () => {}, manifest = null) {
  manifest = manifest || await plan(spec);
  await sweep();  // what an interrupted download left behind
  const id = areaId(spec);
  const areas = await listAreas();
  const old = areas.find((a) => a.id === id);
  const held = new Map();  // url -> [etag, size] of every tile any area holds
  for (const a of areas) for (const [url, etag, size] of a.tiles) held.set(url, [etag, size]);
  const todo = manifest.tiles.filter(([url, etag]) => held.get(url)?.[0] !== etag);
  const sizes = new Map(manifest.tiles.map(([url]) => [url, held.get(url)?.[1] || 0]));
  const stored = new Map((await allRecords()).map((r) => [r.key, r]));
  const changedKeys = manifest.records.filter(([key, etag]) => stored.get(key)?.etag !== etag).map(([key]) => key);
  const progress = { done: 0, total: todo.length + changedKeys.length, bytes: 0, moved: 0 };
  const tick = (phase) => onProgress({ done: progress.done, total: progress.total, bytes: progress.bytes, phase });
  await inStore(db, "pending", "readwrite", (s) => s.put({ id, urls: todo.map(([url]) => url) }));
  tick("tiles");
  // tiles, records and the app's own start reads at once: each waits on a different
  // part of the way (the database, the phone's storage), and together they keep all
  // of it busy
  await Promise.all([
    fetchTiles(todo.map(([url]) => url), sizes, progress, () => tick("tiles")),
    fetchRecords(changedKeys, stored, id, progress, () => tick("records")),
    warmApiCache(),  // so that the app starts offline with this user's catalogue and labels
  ]);
  const moved = progress.moved;
  // unchanged records now also belong to this area; records that left it lose it
  const keep = new Set(manifest.records.map(([key]) => key));
  const joined = [...stored.values()].filter((r) => keep.has(r.key) && !r.areas.includes(id));
  await inStore(db, "records", "readwrite", (s) => joined.forEach((r) => s.put({ ...r, areas: [...r.areas, id] })));
  await dropArea([...stored.values()].filter((r) => !keep.has(r.key) && r.areas.includes(id)), id);
  const recordBytes = manifest.records.reduce((sum, [key]) => sum + (stored.get(key)?.size || 0), 0);
  const area = {
    id, spec, name: manifest.area.name, bbox: manifest.area.bbox, max_zoom: manifest.area.max_zoom,
    etag: manifest.etag, counts: manifest.counts, created_at: old?.created_at || new Date().toISOString(),
    refreshed_at: new Date().toISOString(),
    tiles: manifest.tiles.map(([url, etag]) => [url, etag, sizes.get(url) || 0]),
    bytes: [...sizes.values()].reduce((a, b) => a + b, 0) + recordBytes,
  };
  await inStore(db, "areas", "readwrite", (s) => s.put(area));
  await inStore(db, "pending", "readwrite", (s) => s.delete(id));
  await evictUnused(old ? old.tiles.map(([url]) => url).filter((u) => !sizes.has(u)) : []);
  tick("done");
  return { area, fetched: todo.length, records: changedKeys.length, bytes: moved, record_bytes: recordBytes };
}

/** These records no longer belong to area `id`; those of no other area are deleted. */
function dropArea(records, id) {
  return inStore(db, "records", "readwrite", (s) => records.forEach((r) => {
    const rest = r.areas.filter((a) => a !== id);
    if (rest.length) s.put({ ...r, areas: rest }); else s.delete(r.key);
  }));
}

/** Remove stored tiles that no remaining area lists. */
async function evictUnused(candidates) {
  if (!candidates.length) return;
  const used = new Set((await listAreas()).flatMap((a) => a.tiles.map(([url]) => url)));
  const unused = candidates.filter((url) => !used.has(url));
  await inStore(db, "tiles", "readwrite", (s) => unused.forEach((url) => s.delete(url)));
  if (await caches.has(LEGACY_TILE_CACHE)) {
    const legacy = await caches.open(LEGACY_TILE_CACHE);
    for (const url of unused) await legacy.delete(appUrl(url));
  }
}

/** Drop what no stored area lists: tiles, records and thumbnails a download left behind
 *  when it was interrupted (the phone closed the app, or ran out of battery). */
export async function sweep() {
  const areas = await listAreas();
  const ids = new Set(areas.map((a) => a.id));
  const left = await inStore(db, "pending", "readonly", (s) => s.getAll());
  if (left.length) {
    await evictUnused([...new Set(left.flatMap((p) => p.urls))]);
    await inStore(db, "pending", "readwrite", (s) => left.forEach((p) => s.delete(p.id)));
  }
  const records = await allRecords();
  const kept = [];
  await inStore(db, "records", "readwrite", (s) => records.forEach((r) => {
    const rest = r.areas.filter((a) => ids.has(a));
    if (!rest.length) s.delete(r.key);
    else { kept.push(r); if (rest.length !== r.areas.length) s.put({ ...r, areas: rest }); }
  }));
  const thumbs = new Set(kept.flatMap((r) => (r.data.thumbs || []).map((u) => appUrl(u))));
  const photos = await caches.open(PHOTO_CACHE);
  for (const request of await photos.keys()) if (!thumbs.has(request.url)) await photos.delete(request);
}

export async function removeArea(id) {
  const area = (await listAreas()).find((a) => a.id === id);
  if (!area) return;
  await inStore(db, "areas", "readwrite", (s) => s.delete(id));
  await dropArea((await allRecords()).filter((r) => r.areas.includes(id)), id);
  await evictUnused(area.tiles.map(([url]) => url));
}

/** Fetch what the app reads at start, through the service worker, which keeps the last
 *  answer of each: the app then opens offline with this user's catalogue, labels and
 *  markers even before any area is downloaded. */
export async function warmApiCache() {
  const reads = ["/api/v1/map-config", "/api/v1/layers", "/api/v1/auth/me", "/api/v1/markers/conditions",
                 "/basemap/tilejson.json", "/basemap/labels.geojson"];
  const headers = authHeaders();
  const get = (url) => fetch(appUrl(url), { headers }).then((r) => (r.ok ? r.json() : null)).catch(() => null);
  await Promise.all(reads.map(get));
  const layers = (await get("/api/v1/layers"))?.layers || [];
  await Promise.all(layers.filter((d) => d.label_point).map((d) => get(`${d.links.items}?skip_geometry=true&limit=1000`)));
  for (const d of layers.filter((x) => x.map_renderer === "cluster")) {
    for (let next = `${d.links.items}?limit=1000`; next;) {
      const page = await get(next);
      next = page?.links?.find((l) => l.rel === "next")?.href;
    }
  }
}

/** Ask the browser to keep our storage, and say how much is used and free (null where the
 * browser does not tell: WebKit, so every browser on iOS, has no storage estimate). */
export async function storage() {
  const persisted = navigator.storage?.persist ? await navigator.storage.persist().catch(() => false) : false;
  if (!navigator.storage?.estimate) return { persisted, usage: null, quota: null };
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  return { persisted, usage, quota };
}
