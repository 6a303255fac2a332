// The API client: bearer token in localStorage, errors as {status, body}.
const TOKEN_KEY = "gis_token";

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export function token() {
  const raw = localStorage.getItem(TOKEN_KEY);
  if (!raw) return null;
  try {
    const { value, expires } = JSON.parse(raw);
    if (Date.parse(expires) > Date.now()) return value;
  } catch (_) { /* a malformed entry is treated as signed out */ }
  localStorage.removeItem(TOKEN_KEY);
  return null;
}

export function authHeaders() {
  const value = token();
  return value ? { Authorization: `Bearer ${value}` } : {};
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json", ...authHeaders() } });
  const body = await response.json().catch(() => null);
  if (response.status === 401 && token()) { signOutLocally(); onUnauthorized(); }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
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
  const response = await fetch("/api/v1/auth/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username, password }),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  localStorage.setItem(TOKEN_KEY, JSON.stringify({ value: body.access_token, expires: body.expires_at }));
  return body.user;
}

export async function signOut() {
  try {
    await fetch("/api/v1/auth/logout", { method: "POST", headers: authHeaders() });
  } finally {
    signOutLocally();
  }
}

export function signOutLocally() { localStorage.removeItem(TOKEN_KEY); }

/** Send JSON (POST, PATCH, PUT) and return {body, etag}; errors throw ApiError. */
export async function sendJson(method, url, payload, headers = {}) {
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json", ...authHeaders(), ...headers },
    body: JSON.stringify(payload),
  });
  const body = await response.json().catch(() => null);
  if (response.status === 401 && token()) { signOutLocally(); onUnauthorized(); }
  if (!response.ok) throw new ApiError(response.status, body);
  return { body, etag: response.headers.get("ETag") };
}

/** GET JSON with the response's ETag (for edits with If-Match). */
export async function getWithEtag(url) {
  const response = await fetch(url, { headers: { Accept: "application/json", ...authHeaders() } });
  const body = await response.json().catch(() => null);
  if (response.status === 401 && token()) { signOutLocally(); onUnauthorized(); }
  if (!response.ok) throw new ApiError(response.status, body);
  return { body, etag: response.headers.get("ETag") };
}
