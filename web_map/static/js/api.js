// The API client: bearer token in localStorage, errors as {status, body}. With no
// network, a request fails at once with status 0 (or the service worker's 503 "offline"),
// and the signed-in user is remembered so that the app opens offline after a restart.
const TOKEN_KEY = "gis_token";
const LAST_USER_KEY = "gis_last_user";  // who signed in last: the sign-in form's user name
// What the app reads to start, kept through a sign-out so that it still opens offline and
// shows the downloaded areas (read-only) and the queue; every other answer goes.
const START_READS = ["/api/v1/map-config", "/api/v1/layers", "/api/v1/markers/conditions",
                     "/basemap/tilejson.json", "/basemap/labels.geojson"];

// The service's root ("/" or a bureau's prefix such as "/gis/"): this file is served at
// {root}map/static/js/api.js. The code names the service's paths from that root
// ("/api/v1/markers"); appUrl turns them into the address to fetch.
export const APP_ROOT = new URL("../../../", import.meta.url);

/** Whether the user may do something (a capability the server lists with the user:
 *  field_work, sign_work, place_names, planning, grave_reading, administration). The
 *  map knows no roles; the server decides for good. */
export function may(user, capability) {
  return Boolean(user?.capabilities?.includes(capability));
}

/** The address of a service path ("/api/v1/…"); a full URL is returned as it is. */
export function appUrl(path) {
  return typeof path === "string" && path.startsWith("/") && !path.startsWith("//")
    ? new URL(path.slice(1), APP_ROOT).href : path;
}

/** The service path of an address under the root ("https://host/gis/api/v1/x" ->
 *  "/api/v1/x"): the key offline data is kept under, whatever the prefix. */
export function appPath(url) {
  const u = new URL(url, APP_ROOT);
  return u.pathname.startsWith(APP_ROOT.pathname)
    ? "/" + u.pathname.slice(APP_ROOT.pathname.length) + u.search : u.pathname + u.search;
}
const SIGN_IN_WAIT_MS = 15000;

// Whether the service answers, learnt from the requests themselves: navigator.onLine only
// says that the phone has a network, not that the server can be reached over it.
let reachable = true;
const reachabilityListeners = new Set();
export const serverReachable = () => navigator.onLine && reachable;
export function onReachability(fn) { reachabilityListeners.add(fn); }
/** A request was answered by the service (true) or was not: no answer, a proxy's 502-504,
 *  or the service worker's stored copy. */
export function heard(answered) {
  if (answered === reachable) return;
  reachable = answered;
  reachabilityListeners.forEach((fn) => fn(answered));
}
/** What a response says of the service: answered, unless it is the service worker's
 *  stored copy or a proxy speaking for a stopped service (502-504). */
export function heardFrom(response) {
  heard(!(response.headers.has("X-Offline") || response.headers.has("X-From-Cache")
    || [502, 503, 504].includes(response.status)));
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }

  /** No network (or nothing cached for it): the caller may fall back to offline data. */
  get offline() { return this.status === 0 || this.body?.code === "offline"; }
}

function session() {
  try { return JSON.parse(localStorage.getItem(TOKEN_KEY)) || null; } catch (_) { return null; }
}

/** The token while it is valid; an expired one is kept (for its user) but not sent. */
export function token() {
  const s = session();
  return s && s.value && Date.parse(s.expires) > Date.now() && !s.expired ? s.value : null;
}

/** The user of the last sign-in, even when the token has expired (offline start). */
export function rememberedUser() { return session()?.user || null; }

export function authHeaders() {
  const value = token();
  return value ? { Authorization: `Bearer ${value}` } : {};
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

/** The token was refused: keep the user (and everything queued), ask for the password. */
export function sessionExpired() {
  const s = session();
  if (s && !s.expired) localStorage.setItem(TOKEN_KEY, JSON.stringify({ ...s, expired: true }));
  onUnauthorized();
}

async function request(url, options) {
  let response;
  try {
    response = await fetch(appUrl(url), options);
  } catch (_) {
    heard(false);
    throw new ApiError(0, { code: "offline" });
  }
  heardFrom(response);
  const body = await response.json().catch(() => null);
  if (response.status === 401 && options.headers?.Authorization) sessionExpired();
  if (!response.ok) throw new ApiError(response.status, body);
  // `stored`: when the service worker answered from its copy, the time that copy was read
  const stored = response.headers.has("X-From-Cache") ? new Date(response.headers.get("Date") || 0) : null;
  return { body, etag: response.headers.get("ETag"), stored };
}

export async function getJson(url) {
  return (await request(url, { headers: { Accept: "application/json", ...authHeaders() } })).body;
}

/** GET JSON with the response's ETag (for edits with If-Match) and, for a stored copy
 *  answered offline, when it was read (`stored`). */
export function getWithEtag(url) {
  return request(url, { headers: { Accept: "application/json", ...authHeaders() } });
}

/** Follow `next` links until the collection is complete. */
export async function getAllFeatures(url) {
  const features = [];
  let next = url;
  while (next) {
    const page = await getJson(next);
    features.push(...page.features);
    const link = (page.links || []).find((l) => l.rel === "next");
    next = link ? link.href : null;
  }
  return features;
}


export async function signIn(username, password) {
  if (!navigator.onLine) throw new ApiError(0, { code: "sign_in_needs_network" });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), SIGN_IN_WAIT_MS);
  let body;
  try {
    ({ body } = await request("/api/v1/auth/token", {
      method: "POST", signal: controller.signal,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username, password }),
    }));
  } catch (err) {
    throw err.offline ? new ApiError(0, { code: "sign_in_needs_network" }) : err;
  } finally {
    clearTimeout(timer);
  }
  keepSession(body);
  return body.user;
}

function keepSession(body) {
  localStorage.setItem(TOKEN_KEY, JSON.stringify({ value: body.access_token, expires: body.expires_at, user: body.user }));
  localStorage.setItem(LAST_USER_KEY, JSON.stringify({ username: body.user.username }));
}

/** Change one's own password: every other sign-in of the account ends, this one carries
 *  on with the token the answer brings. */
export async function changePassword(currentPassword, newPassword) {
  const { body } = await sendJson("POST", "/api/v1/auth/password",
    { current_password: currentPassword, new_password: newPassword });
  keepSession(body);
  return body.user;
}

/** Choose one's password through an invitation link; the answer is a sign-in. */
export async function acceptInvitation(secret, newPassword) {
  const { body } = await sendJson("POST", "/api/v1/auth/invitation", { secret, new_password: newPassword });
  keepSession(body);
  return body.user;
}

export async function signOut() {
  try {
    await fetch(appUrl("/api/v1/auth/logout"), { method: "POST", headers: authHeaders() });
  } catch (_) { /* offline: the token simply stays unused here */ } finally {
    signOutLocally();
  }
}

export function signOutLocally() {
  localStorage.removeItem(TOKEN_KEY);
  if (window.caches) forgetReads();
}

/** The user name of the last sign-in (kept after signing out, for the sign-in form). */
export function lastUserName() {
  try { return JSON.parse(localStorage.getItem(LAST_USER_KEY))?.username || ""; } catch (_) { return ""; }
}

/** The last user's reads are not the next one's: all but the start reads and the layers'
 *  item pages (the map's own features) are dropped. */
async function forgetReads() {
  const cache = await caches.open("gis-api");
  for (const request of await cache.keys()) {
    const path = appPath(request.url);
    const keep = START_READS.includes(path) || /^\/api\/v1\/layers\/[^/]+\/items\?/.test(path);
    if (!keep) await cache.delete(request);
  }
}

/** Send a form (multipart: files and fields) and return {body, etag}; errors throw ApiError. */
export function sendForm(method, url, form) {
  return request(url, { method, headers: { Accept: "application/json", ...authHeaders() }, body: form });
}

/** Send JSON (POST, PATCH, PUT) and return {body, etag}; errors throw ApiError. */
export function sendJson(method, url, payload, headers = {}) {
  return request(url, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json", ...authHeaders(), ...headers },
    body: JSON.stringify(payload),
  });
}
