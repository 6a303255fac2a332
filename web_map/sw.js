// The service worker: the app shell works with no network, and the data an inspector
// downloaded (offline areas) or last read is served when the network is not there.
// The server fills in VERSION and SHELL when it serves this file: a new release is a new
// VERSION, which installs beside the old one and takes over when the user says so.
const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const SHELL_CACHE = `gis-shell-${VERSION}`;
const API_CACHE = "gis-api";  // the last good answer of each read, per URL
const LEGACY_TILE_CACHE = "gis-tiles";  // offline areas' tiles, as stored before they moved to IndexedDB
const PHOTO_CACHE = "gis-photos";  // offline areas: photo thumbnails
const API_CACHE_MAX = 600;
const NETWORK_WAIT_MS = 5000;  // weak signal: answer from the cache after this, if it can

// The service's root: "/" or the prefix a bureau serves it under ("/gis/"), which is the
// scope this worker was registered with. SHELL and the rules below name service paths
// ("/map", "/api/v1/…"); `at` gives their address under the root.
const ROOT = new URL(self.registration.scope).pathname;
const at = (path) => ROOT + path.slice(1);

self.addEventListener("install", (event) => {
  // fetched past the HTTP cache: a release must not be assembled from the last one's files
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL.map((path) => new Request(at(path), { cache: "reload" })))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("gis-shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
  if (event.data === "version") event.source?.postMessage({ version: VERSION });
});

const offline = () => new Response(JSON.stringify({
  code: "offline", message: "No network, and this was not downloaded for offline use.",
  message_zh: "当前无网络，且此内容未下载到离线区域。",
}), { status: 503, headers: { "Content-Type": "application/json", "X-Offline": "1" } });

// Offline areas stored before the map's tiles moved to /api/v1/layers/{id}/tiles/{z}/{x}/{y}
// hold them under their old address (same z/x/y, same tile): still found offline.
const MAP_TILE = /^\/api\/v1\/layers\/([^/]+)\/tiles\/(\d+)\/(\d+)\/(\d+)$/;
function olderAddress(path) {
  const m = MAP_TILE.exec(path);
  return m ? `/ogc/collections/${m[1]}/tiles/WebMercatorQuad/${m[2]}/${m[3]}/${m[4]}` : null;
}

/** A stored answer, marked as such: the app learns from it that the service did not answer. */
function marked(response) {
  if (!response) return response;
  const headers = new Headers(response.headers);
  headers.set("X-From-Cache", "1");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function cached(cache, request) {
  const hit = await cache.match(request);
  if (hit) return marked(hit);
  const older = olderAddress(servicePath(new URL(request.url)));
  return older ? marked(await cache.match(at(older))) : undefined;
}

/** An offline area's tile from IndexedDB ("gis-offline", store "tiles", by service path),
 *  as the page's offline_store.js keeps it. The database is opened for each look-up and
 *  closed at once, so that the page can always upgrade it; never created here. */
function storedTile(path) {
  return new Promise((resolve) => {
    const open = indexedDB.open("gis-offline");
    open.onupgradeneeded = () => open.transaction.abort();  // no such database yet
    open.onerror = () => resolve(undefined);
    open.onsuccess = () => {
      const idb = open.result;
      if (!idb.objectStoreNames.contains("tiles")) { idb.close(); resolve(undefined); return; }
      const get = idb.transaction("tiles").objectStore("tiles").get(path);
      get.onsuccess = () => {
        idb.close();
        const t = get.result;
        resolve(t && new Response(t.data, { headers: { "Content-Type": t.type, ETag: t.etag, "X-From-Cache": "1" } }));
      };
      get.onerror = () => { idb.close(); resolve(undefined); };
    };
  });
}

/** A tile held offline: from IndexedDB, else from the cache areas used before. */
async function offlineTile(request) {
  const hit = await storedTile(servicePath(new URL(request.url)));
  if (hit || !(await caches.has(LEGACY_TILE_CACHE))) return hit;
  return cached(await caches.open(LEGACY_TILE_CACHE), request);
}

// Behind a reverse proxy, "the service is not there" is an answer, not a network error:
// the proxy says 502 (service stopped), 504 (no answer) or 503. Those fall back to the
// cache like a failed fetch.
const UNREACHABLE = new Set([502, 503, 504]);

/** The network's answer, or the stored one (`stored(request)`) when the network fails, is
 * too slow, or only the proxy in front of the service answered. */
async function networkFirst(request, stored, keep = null) {
  const network = fetch(request).then(async (response) => {
    if (keep && response.status === 200) await keep(request, response.clone());
    return response;
  });
  const slow = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS, "slow"));
  try {
    const first = await Promise.race([network, slow]);
    if (first !== "slow") return UNREACHABLE.has(first.status) ? (await stored(request)) || first : first;
    return (await stored(request)) || (await network);
  } catch (_) {
    return (await stored(request)) || offline();
  }
}

/** The last good answer of each read, per URL. */
const lastAnswer = async (request) => cached(await caches.open(API_CACHE), request);
async function keepAnswer(request, response) {
  const cache = await caches.open(API_CACHE);
  await cache.put(request, response);
  trim(cache);
}

let trimming = false;
async function trim(cache) {
  if (trimming) return;
  trimming = true;
  try {
    const keys = await cache.keys();
    for (const key of keys.slice(0, Math.max(0, keys.length - API_CACHE_MAX))) await cache.delete(key);
  } finally {
    trimming = false;
  }
}

/** "/api/v1/x" for {origin}{ROOT}api/v1/x; null outside the root. */
function servicePath(url) {
  return url.pathname.startsWith(ROOT) ? "/" + url.pathname.slice(ROOT.length) : null;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;  // writes go to the network
  if (request.headers.has("x-offline-download")) return;  // an area's download stores what it fetches itself
  const path = servicePath(url);
  if (path === null) return;
  if (request.mode === "navigate" && (path === "/" || path === "/map")) {
    event.respondWith(caches.match(at("/map")).then((hit) => hit || fetch(request)));
  } else if (SHELL.includes(path)) {
    event.respondWith(caches.match(at(path)).then((hit) => hit || fetch(request)));
  } else if (MAP_TILE.test(path) || (path.includes("/tiles/") && (path.startsWith("/ogc/") || path.startsWith("/basemap/")))) {
    event.respondWith(networkFirst(request, offlineTile));
  } else if (path.startsWith("/api/v1/photos/")) {
    event.respondWith(caches.match(request, { cacheName: PHOTO_CACHE }).then((hit) => hit || fetch(request).catch(offline)));
  } else if (path.startsWith("/api/v1/") || path.startsWith("/basemap/")) {
    event.respondWith(networkFirst(request, lastAnswer, keepAnswer));
  }
});
