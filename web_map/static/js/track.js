// The walked track of a joint-inspection round: while the app is open the phone's
// position is taken every few seconds and sent in batches through the outbox (so it
// works offline and arrives once, in order). Each batch starts at the previous batch's
// last point, so the stored pieces join into one line.
import { getJson } from "./api.js";
import { errorMessage, t, tf } from "./i18n.js";
import { el } from "./dom.js";
import { distanceBearing } from "./geodesy.js";
import { openPanel } from "./panel.js";
import * as outbox from "./outbox.js";
import { showRound } from "./round_panel.js";

const BATCH_POINTS = 20;
const BATCH_SECONDS = 60;
const MIN_STEP_M = 5;  // a phone standing still adds no points
const MAX_ACCURACY_M = 50;

let ctx = { map: null };
let recording = null;  // {roundId, watch, points, batch, line, km, timer}

function addPoint(pos) {
  const p = { lon: pos.coords.longitude, lat: pos.coords.latitude, at: new Date(pos.timestamp).toISOString(),
              accuracy_m: pos.coords.accuracy };
  if (p.accuracy_m > MAX_ACCURACY_M) return;
  const last = recording.batch[recording.batch.length - 1];
  if (last) {
    const step = distanceBearing(last, p).distance_m;
    if (step < MIN_STEP_M) return;
    recording.km += step / 1000;
  }
  recording.batch.push(p);
  recording.count += 1;
  recording.line.addLatLng([p.lat, p.lon]);
  const status = document.getElementById("track-status");
  if (status) status.textContent = tf("track_recording", { n: recording.count, km: recording.km.toFixed(2) });
  if (recording.batch.length >= BATCH_POINTS) sendBatch();
}

/** Queue the points so far as one batch; keep the last point to start the next. */
function sendBatch() {
  const batch = recording.batch;
  if (batch.length < 2) return;
  outbox.enqueue({ kind: "track", round_id: recording.roundId, batch: { id: crypto.randomUUID(), points: batch } });
  recording.batch = [batch[batch.length - 1]];
}

export function startTrack(roundId) {
  if (recording) stopTrack();
  recording = { roundId, points: 0, count: 0, km: 0, batch: [],
                line: L.polyline([], { color: "#d81b60", weight: 4, opacity: 0.8 }).addTo(ctx.map) };
  recording.watch = navigator.geolocation.watchPosition(addPoint, () => {}, { enableHighAccuracy: true, maximumAge: 0 });
  recording.timer = setInterval(sendBatch, BATCH_SECONDS * 1000);
}

export function stopTrack() {
  if (!recording) return;
  navigator.geolocation.clearWatch(recording.watch);
  clearInterval(recording.timer);
  sendBatch();
  recording = null;
}

export const recordingRound = () => recording?.roundId ?? null;

async function showTrack(roundId) {
  const geojson = await getJson(`/api/v1/joint-inspections/${roundId}/tracks`);
  const layer = L.geoJSON(geojson, { style: { color: "#ad1457", weight: 4 } }).addTo(ctx.map);
  if (geojson.features.length) ctx.map.fitBounds(layer.getBounds());
}

export async function showRounds() {
  let rounds;
  try {
    rounds = (await getJson("/api/v1/joint-inspections")).rounds.filter((r) => r.status === "planned");
  } catch (err) {
    openPanel(t("rounds"), el("p", { class: "error" }, errorMessage(err.body, "network_error")));
    return;
  }
  const items = rounds.map((r) => {
    const active = recordingRound() === r.id;
    const toggle = el("button", { class: active ? "btn-primary" : "btn-secondary", type: "button", "data-round": String(r.id) },
      t(active ? "stop_track" : "record_track"));
    toggle.onclick = () => { if (active) stopTrack(); else startTrack(r.id); showRounds(); };
    return el("li", {}, el("strong", {}, r.line_name || r.line_code), ` · ${r.planned_on}`,
      el("div", { class: "actions" },
        el("button", { class: "btn-primary", type: "button", "data-open-round": String(r.id), onclick: () => showRound(r.id) },
          t("round_record")),
        toggle,
        el("button", { class: "btn-secondary", type: "button", onclick: () => showTrack(r.id) }, t("show_track"))));
  });
  openPanel(t("rounds"), el("p", { class: "muted", id: "track-status" }),
    items.length ? el("ul", { class: "history", id: "round-list" }, ...items) : el("p", { class: "muted" }, t("no_rounds")));
}

export function initTrack(context) { ctx = context; }
