// Offline areas on the phone: the server's manifest lists an area's tiles and records,
// each with an ETag. Tiles and thumbnails go into Cache Storage (the service worker
// answers from there without network); records (marker cards with their last visits,
// signs, graves) and the areas themselves go into IndexedDB. A refresh fetches only the
// entries whose ETag changed; deleting an area keeps what another area still uses.
import { appPath, appUrl, authHeaders, ApiError, sendJson } from "./api.js";
import { inStore, openDb } from "./idb.js";

const TILE_CACHE = "gis-tiles";
const PHOTO_CACHE = "gis-photos";
const PARALLEL = 6;
const RECORDS_PER_REQUEST = 500;
// `pending`: the tiles a download is fetching, until its area is saved. What an interrupted
// download left is found from there, never by listing the tile cache: Chromium refuses
// Cache.keys() on a cache of some 20,000 tiles ("Operation too large").
const db = () => openDb("gis-offline", 2, { areas: "id", records: "key", pending: "id" });

export const areaId = (spec) => spec.kind === "bbox" ? `bbox:${spec.bbox.map((v) => v.toFixed(4)).join(",")}` : `${spec.kind}:${spec.code}`;
export const listAreas = () => inStore(db, "areas", "readonly", (s) => s.getAll());
export const getRecord = (key) => inStore(db, "records", "readonly", (s) => s.get(key));
export const allRecords = () => inStore(db, "records", "readonly", (s) => s.getAll());

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

async function fetchInto(cache, url, writes = null) {
  // straight to the network: the service worker stays out of the way of a bulk download
  const response = await fetch(appUrl(url), { headers: { ...authHeaders(), "X-Offline-Download": "1" }, cache: "no-store" });
  if (response.status === 204) return 0;
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const blob = await response.blob();
  const put = cache.put(appUrl(url), new Response(blob, { headers: { "Content-Type": response.headers.get("Content-Type") || "", ETag: response.headers.get("ETag") || "" } }));
  await (writes ? writes.add(put) : put);
  return blob.size;
}

/** Cache writes that run while the next tiles are fetched: a lane that waited for its
 *  own write left the connection idle, and the download took over twice the network's
 *  time. At most MAX_WRITES are in flight (each holds its tile in memory); the first
 *  failure (a full disk) fails the download. */
const MAX_WRITES = 64;
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
  const tiles = await caches.open(TILE_CACHE);
  const todo = manifest.tiles.filter(([url, etag]) => held.get(url)?.[0] !== etag);
  const sizes = new Map(manifest.tiles.map(([url]) => [url, held.get(url)?.[1] || 0]));
  const stored = new Map((await allRecords()).map((r) => [r.key, r]));
  const changedKeys = manifest.records.filter(([key, etag]) => stored.get(key)?.etag !== etag).map(([key]) => key);
  const total = todo.length + changedKeys.length;
  let done = 0, bytes = 0, moved = 0;
  const tick = (phase) => onProgress({ done, total, bytes, phase });
  // the app's own reads, so that it starts offline with this user's catalogue and labels
  await warmApiCache();
  await inStore(db, "pending", "readwrite", (s) => s.put({ id, urls: todo.map(([url]) => url) }));
  const writes = backgroundWrites();
  await pool(todo, async ([url]) => {
    const size = await fetchInto(tiles, url, writes);
    sizes.set(url, size); bytes += size; moved += size; done++;
    if (done % 25 === 0) tick("tiles");
  });
  await writes.settled();
  tick("records");
  const photos = await caches.open(PHOTO_CACHE);
  for (let i = 0; i < changedKeys.length; i += RECORDS_PER_REQUEST) {
    const { body } = await sendJson("POST", "/api/v1/offline-areas/records", { keys: changedKeys.slice(i, i + RECORDS_PER_REQUEST) });
    const fresh = body.records.map((r) => ({
      key: r.key, etag: r.etag, data: r.data, size: JSON.stringify(r.data).length,
      areas: [...new Set([...(stored.get(r.key)?.areas || []), id])],
    }));
    await inStore(db, "records", "readwrite", (s) => fresh.forEach((r) => s.put(r)));  // one transaction a batch
    for (const r of fresh) { stored.set(r.key, r); moved += r.size; }
    const thumbs = [...new Set(fresh.flatMap((r) => r.data.thumbs || []))];
    await pool(thumbs, async (url) => { if (!(await photos.match(appUrl(url)))) moved += await fetchInto(photos, url).catch(() => 0); });
    done += body.records.length + body.gone.length;
    tick("records");
  }
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
  await evictUnused(tiles, old ? old.tiles.map(([url]) => url).filter((u) => !sizes.has(u)) : []);
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

/** Remove cached tiles that no remaining area lists. */
async function evictUnused(tiles, candidates) {
  if (!candidates.length) return;
  const used = new Set((await listAreas()).flatMap((a) => a.tiles.map(([url]) => url)));
  for (const url of candidates) if (!used.has(url)) await tiles.delete(appUrl(url));
}

/** Drop what no stored area lists: tiles, records and thumbnails a download left behind
 *  when it was interrupted (the phone closed the app, or ran out of battery). */
export async function sweep() {
  const areas = await listAreas();
  const ids = new Set(areas.map((a) => a.id));
  const left = await inStore(db, "pending", "readonly", (s) => s.getAll());
  if (left.length) {
    await evictUnused(await caches.open(TILE_CACHE), [...new Set(left.flatMap((p) => p.urls))]);
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
  await evictUnused(await caches.open(TILE_CACHE), area.tiles.map(([url]) => url));
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
