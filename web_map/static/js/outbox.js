// The visit outbox: visits (with their photos) wait in IndexedDB until the server has
// confirmed them, so nothing is lost without signal. Each visit carries the UUID made
// when it was logged; the server stores a visit once however often it is sent.
// Sending is retried on reconnection and on a timer with exponential back-off.
import { authHeaders } from "./api.js";

const DB_NAME = "gis-outbox";
const STORE = "visits";
const MAX_BACKOFF_MS = 5 * 60 * 1000;
const listeners = new Set();
let sending = false;

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const result = fn(t.objectStore(STORE));
    t.oncomplete = () => { db.close(); resolve(result && result.result !== undefined ? result.result : result); };
    t.onerror = () => { db.close(); reject(t.error); };
  });
}

export async function pending() {
  const all = await tx("readonly", (s) => s.getAll());
  return all.sort((a, b) => a.queued_at.localeCompare(b.queued_at));
}

function notify() { pending().then((items) => listeners.forEach((fn) => fn(items))); }
export function onChange(fn) { listeners.add(fn); notify(); }

/** Queue a visit: {code, api (where the asset lives), visit, photos: [{blob, name, bearing}]};
 *  then try to send. */
export async function enqueue(item) {
  await tx("readwrite", (s) => s.put({
    ...item, id: item.visit.id, status: "waiting", attempts: 0, next_at: 0,
    queued_at: new Date().toISOString(), error: null,
  }));
  notify();
  flush();
}

export async function discard(id) {
  await tx("readwrite", (s) => s.delete(id));
  notify();
}

async function sendOne(item) {
  const form = new FormData();
  form.append("visit", JSON.stringify(item.visit));
  for (const photo of item.photos || []) {
    form.append("photos", photo.blob, photo.name || "photo.jpg");
    form.append("bearings", photo.bearing == null ? "" : String(photo.bearing));
  }
  // items queued before signs could be visited carry no api: they are marker visits
  const api = item.api || "/api/v1/markers";
  const response = await fetch(`${api}/${encodeURIComponent(item.code)}/inspections`, {
    method: "POST", headers: authHeaders(), body: form,
  });
  const body = await response.json().catch(() => null);
  return { status: response.status, body };
}

/** Send what is due. A confirmed visit (201, or 200 for one the server already had)
 *  leaves the outbox; a rejected one (4xx) stays, marked, for the inspector to fix or
 *  discard; a failure of the network or server is retried later. */
export async function flush() {
  if (sending || !navigator.onLine) return;
  sending = true;
  try {
    for (const item of await pending()) {
      if (item.status === "rejected" || item.next_at > Date.now()) continue;
      let outcome;
      try {
        outcome = await sendOne(item);
      } catch (err) {
        outcome = { status: 0, body: null };
      }
      if (outcome.status === 200 || outcome.status === 201) {
        await tx("readwrite", (s) => s.delete(item.id));
      } else if (outcome.status >= 400 && outcome.status < 500 && ![401, 408, 429].includes(outcome.status)) {
        await tx("readwrite", (s) => s.put({ ...item, status: "rejected", error: outcome.body }));
      } else {
        const attempts = item.attempts + 1;
        const delay = Math.min(MAX_BACKOFF_MS, 2000 * 2 ** attempts);
        await tx("readwrite", (s) => s.put({ ...item, status: "waiting", attempts, next_at: Date.now() + delay,
                                            error: outcome.body }));
      }
    }
  } finally {
    sending = false;
    notify();
  }
}

let senderStarted = false;

/** Start retrying in the background; later calls (after each sign-in) change nothing. */
export function startSender() {
  if (senderStarted) { flush(); return; }
  senderStarted = true;
  window.addEventListener("online", () => flush());
  setInterval(() => flush(), 15000);
  flush();
}
