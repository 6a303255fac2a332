// The outbox: everything an inspector records waits in IndexedDB until the server has
// confirmed it, so nothing is lost without signal or across a restart. Items are sent
// once each, in the order they were made: visits (with photos), corrections of a visit,
// repair closings (then their photos), and joint-inspection track batches, findings and
// signatures (a side's findings go before its signature: the order they were made). Each carries
// an id made on the phone, so a resend after a lost answer is recognised by the server.
// A network or server failure stops the run and retries later with back-off; a refused
// sign-in pauses sending until the inspector signs in again; a refusal of the item
// itself (4xx) marks it for the inspector to see and discard.
import { appUrl, authHeaders, heard, heardFrom, rememberedUser, sessionExpired, token } from "./api.js";
import { inStore, openDb } from "./idb.js";

const STORE = "visits";  // the store's first name, kept so that a queue survives upgrades
const MAX_BACKOFF_MS = 5 * 60 * 1000;
// A request with no answer by then is a failed one: a server out of reach must not leave
// "sending…" on the screen (photos get longer on a slow link).
const SEND_TIMEOUT_MS = 30_000;
const PHOTO_TIMEOUT_MS = 120_000;
const db = () => openDb("gis-outbox", 1, { [STORE]: "id" });
const listeners = new Set();
let running = null;
let retryAt = 0;
let attempts = 0;

export async function pending() {
  const all = await inStore(db, STORE, "readonly", (s) => s.getAll());
  return all.sort((a, b) => a.queued_at.localeCompare(b.queued_at) || a.seq - b.seq);
}

function notify() { pending().then((items) => listeners.forEach((fn) => fn(items))); }
export function onChange(fn) { listeners.add(fn); notify(); }
/** Tell the listeners again (the language changed: the queue's words are redrawn). */
export const refresh = notify;

let seq = 0;
const put = (item) => inStore(db, STORE, "readwrite", (s) => s.put(item));

/** Queue an item and try to send. kind: "visit" {code, api, visit, photos},
 *  "correction" {code, api, visit_id, edit_count, correction}, "repair_close"
 *  {code, repairs_api, photos_api, repair_id, close, photos}, "track" {round_id, batch},
 *  "finding" {round_id, finding}, "signature" {round_id, signature}. */
export async function enqueue(item, { wait = false } = {}) {
  const id = item.id || item.visit?.id || crypto.randomUUID();
  // whose work it is: only that user's sign-in sends it, never another's
  await put({ kind: "visit", ...item, id, by: item.by || rememberedUser()?.username || null, status: "waiting",
              error: null, photos_sent: 0, queued_at: new Date().toISOString(), seq: seq++ });
  notify();
  const sent = flush().then(flush);  // a run already under way may have started before this item
  if (wait) await sent;
  return id;
}

/** What became of a queued item once the sender has tried it: "sent", "rejected" (the
 *  server refused it; the inspector sees why) or "waiting" (no network or no answer). */
export async function outcome(id) {
  await flush();
  await flush();
  const item = (await pending()).find((i) => i.id === id);
  return !item ? "sent" : item.status === "rejected" ? "rejected" : "waiting";
}

export async function discard(id) {
  await inStore(db, STORE, "readwrite", (s) => s.delete(id));
  notify();
}

async function send(method, url, body, extraHeaders = {}) {
  const json = !(body instanceof FormData);
  const response = await fetch(appUrl(url), {
    method, body: json ? JSON.stringify(body) : body,
    headers: { ...authHeaders(), ...(json ? { "Content-Type": "application/json" } : {}), ...extraHeaders },
    signal: AbortSignal.timeout(json ? SEND_TIMEOUT_MS : PHOTO_TIMEOUT_MS),
  }).catch((err) => { heard(false); throw err; });
  heardFrom(response);
  return { status: response.status, body: await response.json().catch(() => null) };
}

function photoForm(photo, field = "photo") {
  const form = new FormData();
  form.append(field, photo.blob, photo.name || "photo.jpg");
  if (photo.bearing != null) form.append("camera_bearing_deg", String(photo.bearing));
  return form;
}

const enc = encodeURIComponent;
const SENDERS = {
  async visit(item) {
    const form = new FormData();
    form.append("visit", JSON.stringify(item.visit));
    for (const photo of item.photos || []) {
      form.append("photos", photo.blob, photo.name || "photo.jpg");
      form.append("bearings", photo.bearing == null ? "" : String(photo.bearing));
    }
    // items queued before signs could be visited carry no api: they are marker visits
    return send("POST", `${item.api || "/api/v1/markers"}/${enc(item.code)}/inspections`, form);
  },
  correction: (item) => send("PATCH", `${item.api}/${enc(item.code)}/inspections/${item.visit_id}`, item.correction,
    { "If-Match": `"visit-${item.edit_count}"` }),
  async repair_close(item) {
    if (!item.closed) {
      const out = await send("POST", `${item.repairs_api}/${item.repair_id}/close`, item.close);
      if (out.status !== 200 && out.status !== 201) return out;
      item.closed = true;
      await put(item);
    }
    // then the photos, one by one, each confirmed before the next
    for (let i = item.photos_sent; i < (item.photos || []).length; i++) {
      const out = await send("POST", `${item.photos_api}/${item.close.visit_id}/photos`, photoForm(item.photos[i]));
      if (out.status !== 201 && out.status !== 200) return out;
      item.photos_sent = i + 1;
      await put(item);
    }
    return { status: 200 };
  },
  track: (item) => send("POST", `/api/v1/joint-inspections/${item.round_id}/tracks`, item.batch),
  finding: (item) => send("POST", `/api/v1/joint-inspections/${item.round_id}/findings`, item.finding),
  signature: (item) => send("POST", `/api/v1/joint-inspections/${item.round_id}/signatures`, item.signature),
};

/** Send what is due, in order. Stops at the first item that could not be sent for a
 *  reason that is not the item's (network, server, sign-in), so that order is kept. */
export function flush() {
  if (running) return running;
  if (!navigator.onLine || Date.now() < retryAt) return Promise.resolve();
  if (!token()) return Promise.resolve();  // not signed in (or expired): kept until the inspector signs in
  running = sendDue().finally(() => { running = null; });
  return running;
}

async function sendDue() {
  try {
    const me = rememberedUser()?.username;
    for (const item of await pending()) {
      if (item.status === "rejected") continue;
      if (item.by && item.by !== me) continue;  // waits for its own user's sign-in
      let outcome;
      try {
        outcome = await SENDERS[item.kind || "visit"](item);
      } catch (_) {
        outcome = { status: 0, body: null };
      }
      if (outcome.status === 200 || outcome.status === 201) {
        await inStore(db, STORE, "readwrite", (s) => s.delete(item.id));
        attempts = 0;
      } else if (outcome.status === 401) {
        sessionExpired();
        break;
      } else if (outcome.status >= 400 && outcome.status < 500 && ![408, 429].includes(outcome.status)) {
        await put({ ...item, status: "rejected", error: outcome.body });
      } else {
        attempts += 1;
        retryAt = Date.now() + Math.min(MAX_BACKOFF_MS, 2000 * 2 ** attempts);
        await put({ ...item, status: "waiting", error: outcome.body });
        break;
      }
    }
  } finally {
    notify();
  }
}

/** Send now, whatever the back-off says (the "send now" button, a sign-in). */
export function flushNow() { retryAt = 0; return flush(); }

let senderStarted = false;

/** Start retrying in the background; later calls (after each sign-in) send at once. */
export function startSender() {
  if (senderStarted) { flushNow(); return; }
  senderStarted = true;
  window.addEventListener("online", () => flushNow());
  setInterval(() => flush(), 15000);
  flush();
}
