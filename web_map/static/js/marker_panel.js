// The inspector's panel: marker and place-name sign cards, the visit form (averaged
// position, photos with camera direction, offline outbox), visit history and corrections,
// the markers of a line in sequence, and the nearest markers. Markers and signs are
// visited alike; an asset names the API they live under.
import { authHeaders, getAllFeatures, getJson, sendJson } from "./api.js";
import { averagePosition, followCompass } from "./field_sensors.js";
import { currentLang, errorMessage, localized, t } from "./i18n.js";
import * as outbox from "./outbox.js";

const FAR_FROM_MARKER_M = 50;
const $ = (id) => document.getElementById(id);
let conditions = [];
let ctx = { user: null, markerLayer: null, map: null, config: null };
let position = null;  // last geolocation fix {lon, lat, accuracy_m, fixed_at[, fixes_averaged]}
let stopSensors = () => {};  // the open visit form's position averaging and compass
const MARKER = { api: "/api/v1/markers", show: (code) => showMarker(code), field_roles: ["inspector", "admin"] };
const SIGN = { api: "/api/v1/place-name-signs", show: (code) => showSign(code),
               field_roles: ["inspector", "placename_officer", "admin"] };
const mayVisit = (asset) => Boolean(ctx.user && asset.field_roles.includes(ctx.user.role));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k.startsWith("on")) node[k] = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return node;
}

function conditionLabel(code) {
  const c = conditions.find((x) => x.code === code);
  if (!c) return t("not_inspected");
  return currentLang() === "zh" ? c.zh : c.en;
}

function badge(code) {
  const colour = ctx.markerLayer ? ctx.markerLayer.colour(code) : "#999";
  return el("span", { class: "badge", style: `background:${colour}` }, conditionLabel(code));
}

function openPanel(title, ...content) {
  stopSensors();
  stopSensors = () => {};
  $("marker-panel-title").textContent = title;
  const body = $("marker-panel-body");
  body.replaceChildren(...content);
  $("marker-panel").hidden = false;
}

export function closePanel() { stopSensors(); $("marker-panel").hidden = true; }

const withN = (key, n) => t(key).replace("{n}", n);

/** Great-circle distance (m) and initial bearing (deg) from a to b; plenty for a phone. */
export function distanceBearing(a, b) {
  const R = 6371008.8, rad = Math.PI / 180;
  const p1 = a.lat * rad, p2 = b.lat * rad, dl = (b.lon - a.lon) * rad;
  const d = 2 * R * Math.asin(Math.sqrt(Math.sin((p2 - p1) / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2));
  const y = Math.sin(dl) * Math.cos(p2);
  const x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
  return { distance_m: d, bearing_deg: ((Math.atan2(y, x) / rad) + 360) % 360 };
}

function fmtMetres(m) { return m >= 1000 ? `${(m / 1000).toFixed(2)} km` : `${m.toFixed(0)} m`; }

/** A card row with the distance and bearing from my last position, none before a fix. */
function fromMeRows(target) {
  if (!position) return [];
  const db = distanceBearing(position, target);
  return [[t("from_me"), `${fmtMetres(db.distance_m)} · ${db.bearing_deg.toFixed(0)}°`]];
}

// What an inspector fills in by hand, in a visit and in its later correction.
const VISIT_CHECKS = ["inscription_legible", "vegetation_cleared", "reference_objects_present"];

function visitCheckboxes(visit = {}) {
  return VISIT_CHECKS.map((name) => el("label", { class: "check" },
    el("input", { type: "checkbox", name, ...(visit[name] ? { checked: "" } : {}) }), ` ${t(name)}`));
}

function handFilledFields(form, notes, neighbour) {
  const data = new FormData(form);
  return { ...Object.fromEntries(VISIT_CHECKS.map((name) => [name, data.has(name)])),
           notes: notes.value || null, neighbour_representative: neighbour.value || null };
}

export async function showMarker(code) {
  let card;
  let offlineNote = "";
  try {
    card = await getJson(`/api/v1/markers/${encodeURIComponent(code)}`);
  } catch (err) {
    // No signal: fall back to what the map already holds, so a visit can still be logged.
    const f = ctx.markerLayer?.byCode.get(code);
    if (!f || err.status) {
      openPanel(code, el("p", { class: "error" }, errorMessage(err.body, "network_error")));
      return;
    }
    card = { properties: { ...f.properties, gk: null }, geometry: f.geometry, reference_objects: [], photos: [] };
    offlineNote = el("p", { class: "warn" }, t("offline_card"));
  }
  const p = card.properties;
  const [lon, lat] = card.geometry.coordinates;
  const rows = [
    [t("line"), card.line ? card.line.name : p.line_code],
    [t("marker_type"), `${t("type_" + p.marker_type)} (${p.type_suffix})`],
    [t("material"), p.material || ""],
    [t("lon_lat"), `${lon.toFixed(6)}°, ${lat.toFixed(6)}°`],
    [t("gk"), p.gk ? `${t("zone")} ${p.gk.zone}: X ${p.gk.x} Y ${p.gk.y}` : ""],
    [t("elevation"), p.elevation_m == null ? "" : `${p.elevation_m} m`],
    [t("buried_on"), card.buried_on || ""],
    ...fromMeRows({ lon, lat }),
  ];
  const table = el("table", { class: "props" }, ...rows.map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", {}, v))));
  const refs = el("table", { class: "props" },
    el("tr", {}, el("th", {}, t("reference_object")), el("th", {}, t("bearing")), el("th", {}, t("distance"))),
    ...(card.reference_objects || []).map((r) => el("tr", {}, el("td", {}, r.name), el("td", {}, `${r.bearing_deg}°`), el("td", {}, `${r.distance_m} m`))));
  const last = card.last_inspection
    ? el("p", {}, `${t("last_visit")}: ${new Date(card.last_inspection.observed_at).toLocaleString()} · ${card.last_inspection.inspector}`)
    : el("p", { class: "muted" }, t("never_visited"));
  const repair = card.open_repair ? el("p", { class: "warn" }, `${t("open_repair")} #${card.open_repair.id}`) : "";
  const photos = el("div", { class: "photos" }, ...(card.photos || []).slice(0, 6).map((ph) => {
    const img = el("img", { alt: code, loading: "lazy" });
    loadPhoto(img, ph.url);
    return img;
  }));
  const actions = el("div", { class: "actions" });
  if (mayVisit(MARKER)) {
    actions.append(el("button", { class: "btn-primary", id: "log-visit", type: "button", onclick: () => showVisitForm(card) }, t("log_visit")));
  }
  actions.append(
    el("button", { class: "btn-secondary", type: "button", onclick: () => showHistory(code) }, t("history")),
    el("button", { class: "btn-secondary", type: "button", onclick: () => showLine(p.line_code, card.line?.name) }, t("line_view")));
  openPanel(`${t("marker")} ${code}`, offlineNote, el("p", {}, badge(p.condition)), repair, last, table,
    el("h3", {}, t("reference_objects")), refs, photos, actions);
  ctx.map.panTo([lat, lon]);
}

async function loadPhoto(img, url) {
  // Photos need the sign-in token, so they are fetched rather than linked.
  const r = await fetch(url, { headers: authHeaders() });
  if (r.ok) img.src = URL.createObjectURL(await r.blob());
}

/** Show the averaged fix: accuracy, how many fixes, distance to the marker, and warnings. */
function showFix(output, card, fix, maxAccuracy) {
  const [lon, lat] = card.geometry.coordinates;
  const { distance_m } = distanceBearing(fix, { lon, lat });
  const parts = [`${t("my_position")}: ±${fix.accuracy_m.toFixed(0)} m (${withN("fixes_averaged", fix.fixes_averaged)})`,
    `${t("from_marker")} ${fmtMetres(distance_m)}`];
  const far = distance_m > FAR_FROM_MARKER_M + fix.accuracy_m;
  if (far) parts.push(t("far_warning"));
  if (fix.accuracy_m > maxAccuracy) parts.push(withN("poor_fix", maxAccuracy));
  output.textContent = parts.join(" · ");
  output.className = far || fix.accuracy_m > maxAccuracy ? "warn" : "muted";
}

/** Scale a camera photo down on the phone before it waits in the outbox: a 12 MP photo
 *  becomes a few hundred kB, which matters on a weak connection. The server re-encodes
 *  whatever arrives, so a photo the browser cannot decode is sent as it is. */
async function shrinkPhoto(file, maxSide = 2560, quality = 0.85) {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size < 2_000_000) return file;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
    return blob || file;
  } catch (_) {
    return file;
  }
}

function showVisitForm(card, asset = MARKER) {
  const code = card.properties.code;
  const maxAccuracy = ctx.config?.gnss_max_accuracy_m ?? 30;
  const select = el("select", { name: "condition", id: "visit-condition", required: "" },
    ...conditions.map((c) => el("option", { value: c.code }, currentLang() === "zh" ? c.zh : c.en)));
  const gnss = el("p", { class: "muted", id: "visit-gnss" }, t("locating"));
  const acceptPoorFix = el("input", { type: "checkbox", id: "visit-accept-poor-fix" });
  const poorFix = el("label", { class: "check", id: "visit-poor-fix", hidden: "" }, acceptPoorFix, ` ${t("accept_poor_fix")}`);
  const photos = el("input", { type: "file", accept: "image/*", capture: "environment", multiple: "", id: "visit-photos" });
  const photoBearing = el("p", { class: "muted", id: "visit-photo-bearing" });
  const notes = el("textarea", { name: "notes", id: "visit-notes", rows: "3", maxlength: "4000" });
  const neighbour = el("input", { name: "neighbour", id: "visit-neighbour", maxlength: "200" });
  const message = el("p", { id: "visit-message", role: "status" });
  const form = el("form", { id: "visit-form", class: "visit-form" },
    el("label", {}, t("condition"), select), ...visitCheckboxes(),
    el("label", {}, t("photos"), photos), photoBearing, el("label", {}, t("notes"), notes),
    el("label", {}, t("neighbour_representative"), neighbour), gnss, poorFix, message,
    el("button", { class: "btn-primary", type: "submit" }, t("save_visit")));
  // The camera direction is read when the photos come back from the camera.
  const compass = followCompass();
  let bearing = null;
  photos.onclick = () => compass.ask();
  photos.onchange = () => {
    bearing = compass.heading();
    photoBearing.textContent = bearing == null ? "" : `${t("camera_direction")} ${bearing}°`;
  };
  form.onsubmit = async (e) => {
    e.preventDefault();
    // Enforce the accuracy: a poor or missing fix is saved only when the inspector says so.
    if (!(position && position.accuracy_m <= maxAccuracy) && !acceptPoorFix.checked) {
      poorFix.hidden = false;
      message.textContent = withN("wait_for_fix", maxAccuracy);
      message.className = "warn";
      return;
    }
    const visit = {
      id: crypto.randomUUID(), condition: select.value, observed_at: new Date().toISOString(),
      ...handFilledFields(form, notes, neighbour),
    };
    if (position) {
      visit.gnss = { lon: position.lon, lat: position.lat, accuracy_m: position.accuracy_m, fixed_at: position.fixed_at,
                     fixes_averaged: position.fixes_averaged };
    }
    const files = await Promise.all([...photos.files].map(async (f) => ({
      blob: await shrinkPhoto(f), name: f.name.replace(/\.[^.]+$/, "") + ".jpg", bearing })));
    stopSensors();
    await outbox.enqueue({ code, api: asset.api, visit, photos: files });
    if (asset === MARKER) ctx.markerLayer?.setCondition(code, visit.condition);
    message.className = "";
    message.textContent = navigator.onLine ? t("visit_sending") : t("visit_queued");
    form.querySelector("button[type=submit]").disabled = true;
  };
  openPanel(`${t("log_visit")} · ${code}`, form);
  position = null;
  if (!navigator.geolocation) {
    gnss.textContent = t("no_geolocation");
    gnss.className = "warn";
    poorFix.hidden = false;
    stopSensors = compass.stop;
    return;
  }
  const stopGnss = averagePosition((fix) => {
    position = fix;
    showFix(gnss, card, fix, maxAccuracy);
    if (fix.accuracy_m > maxAccuracy) poorFix.hidden = false;
  }, (err) => {
    if (position) return;  // a later timeout does not undo the fixes already taken
    gnss.textContent = `${t("no_fix")} (${err.message})`;
    gnss.className = "warn";
    poorFix.hidden = false;
  });
  stopSensors = () => { stopGnss(); compass.stop(); };
}

/** Correct a sent visit's hand-filled fields (online only; the server checks who may). */
function showCorrectionForm(code, visit, asset) {
  const notes = el("textarea", { id: "correct-notes", rows: "3", maxlength: "4000" });
  notes.value = visit.notes || "";
  const neighbour = el("input", { id: "correct-neighbour", maxlength: "200" });
  neighbour.value = visit.neighbour_representative || "";
  const reason = el("input", { id: "correct-reason", maxlength: "500" });
  const message = el("p", { id: "correct-message", role: "status" });
  const form = el("form", { id: "correct-form", class: "visit-form" },
    el("p", {}, badge(visit.condition), ` ${new Date(visit.observed_at).toLocaleString()}`), ...visitCheckboxes(visit),
    el("label", {}, t("notes"), notes), el("label", {}, t("neighbour_representative"), neighbour),
    el("label", {}, t("reason"), reason), message,
    el("button", { class: "btn-primary", type: "submit" }, t("save")),
    el("button", { class: "btn-secondary", type: "button", onclick: () => showHistory(code, asset) }, t("back")));
  form.onsubmit = async (e) => {
    e.preventDefault();
    const correction = { ...handFilledFields(form, notes, neighbour), reason: reason.value || null };
    try {
      await sendJson("PATCH", `${asset.api}/${encodeURIComponent(code)}/inspections/${visit.id}`, correction,
        { "If-Match": `"visit-${visit.edit_count}"` });
      message.className = "muted";
      message.textContent = t("correction_saved");
      await showHistory(code, asset);
    } catch (err) {
      message.className = "error";
      message.textContent = errorMessage(err.body, "network_error");
    }
  };
  openPanel(`${t("correct_visit")} · ${code}`, form);
}

/** Whether the signed-in user may correct this visit now (the server decides for good). */
function mayCorrect(visit) {
  if (!ctx.user || !navigator.onLine) return false;
  if (ctx.user.role === "admin") return true;
  const hours = ctx.config?.visit_correction_hours ?? 72;
  return visit.inspector === ctx.user.username && Date.now() - Date.parse(visit.received_at) < hours * 3600e3;
}

/** A place-name sign: its texts, the checks against the register, condition and repairs. */
export async function showSign(code) {
  let sign;
  try {
    sign = await getJson(`${SIGN.api}/${encodeURIComponent(code)}`);
  } catch (err) {
    openPanel(code, el("p", { class: "error" }, errorMessage(err.body, "network_error")));
    return;
  }
  const rows = [
    [t("place_name"), sign.place_name], [t("sign_text_zh"), sign.text_zh], [t("sign_text_mn"), sign.text_mn || ""],
    [t("romanization"), sign.romanization || ""], [t("material"), sign.material || ""],
    [t("installed_on"), sign.installed_on || ""], [t("lon_lat"), `${sign.lon.toFixed(6)}°, ${sign.lat.toFixed(6)}°`],
    ...fromMeRows(sign),
  ];
  const findings = sign.findings.length
    ? el("ul", { class: "findings", id: "sign-findings" }, ...sign.findings.map((f) => el("li", { class: `finding ${f.severity}` },
      localized(f, "message"), f.suggestion ? el("div", { class: "muted" }, localized(f, "suggestion")) : "")))
    : el("p", { class: "muted", id: "sign-findings" }, t("sign_text_ok"));
  const card = { properties: { code }, geometry: { coordinates: [sign.lon, sign.lat] } };
  const actions = el("div", { class: "actions" });
  if (mayVisit(SIGN)) {
    actions.append(el("button", { class: "btn-primary", id: "log-visit", type: "button",
      onclick: () => showVisitForm(card, SIGN) }, t("log_visit")));
  }
  actions.append(el("button", { class: "btn-secondary", type: "button", onclick: () => showHistory(code, SIGN) }, t("history")));
  openPanel(`${t("sign")} ${code}`, el("p", {}, badge(sign.condition)),
    sign.open_repair_id ? el("p", { class: "warn" }, `${t("open_repair")} #${sign.open_repair_id}`) : "",
    el("table", { class: "props" }, ...rows.map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", {}, v)))),
    el("h3", {}, t("checks")), findings, actions);
  ctx.map?.panTo([sign.lat, sign.lon]);
}

async function showHistory(code, asset = MARKER) {
  const { inspections } = await getJson(`${asset.api}/${encodeURIComponent(code)}/inspections`);
  const list = el("ol", { class: "history" }, ...inspections.map((i) => el("li", {},
    badge(i.condition), ` ${new Date(i.observed_at).toLocaleString()} · ${i.inspector}`,
    i.gnss_accuracy_m != null ? ` · ±${i.gnss_accuracy_m.toFixed(0)} m` : "",
    i.edit_count ? el("span", { class: "muted" }, ` · ${t("corrected")} (${i.edited_by})`) : "",
    i.notes ? el("div", { class: "muted" }, i.notes) : "",
    mayCorrect(i) ? el("button", { class: "btn-secondary correct-visit", type: "button",
      onclick: () => showCorrectionForm(code, i, asset) }, t("correct_visit")) : "")));
  openPanel(`${t("history")} · ${code}`, inspections.length ? list : el("p", { class: "muted" }, t("never_visited")),
    el("button", { class: "btn-secondary", type: "button", onclick: () => asset.show(code) }, t("back")));
}

async function showLine(lineCode, name) {
  const features = await getAllFeatures(`/api/v1/markers?line=${lineCode}&limit=1000`);
  features.sort((a, b) => a.properties.seq - b.properties.seq || a.properties.type_suffix.localeCompare(b.properties.type_suffix));
  const list = el("ol", { class: "line-list" }, ...features.map((f) => el("li", {},
    el("a", { href: "#", onclick: (e) => { e.preventDefault(); showMarker(f.properties.code); } }, f.properties.code),
    " ", badge(f.properties.condition))));
  openPanel(`${t("line_view")} · ${name || lineCode}`, el("p", { class: "muted" }, `${features.length} ${t("markers_count")}`), list);
}

export async function showNearest() {
  if (!navigator.geolocation) { openPanel(t("nearest"), el("p", { class: "warn" }, t("no_geolocation"))); return; }
  openPanel(t("nearest"), el("p", { class: "muted" }, t("locating")));
  navigator.geolocation.getCurrentPosition(async (pos) => {
    position = { lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy_m: pos.coords.accuracy,
                 fixed_at: new Date(pos.timestamp).toISOString() };
    const { markers } = await getJson(`/api/v1/markers/nearest?lon=${position.lon}&lat=${position.lat}&limit=10`);
    const list = el("ol", { class: "line-list", id: "nearest-list" }, ...markers.map((m) => el("li", {},
      el("a", { href: "#", onclick: (e) => { e.preventDefault(); showMarker(m.code); } }, m.code), " ",
      badge(m.condition), ` ${fmtMetres(m.distance_m)} · ${m.bearing_deg.toFixed(0)}°`)));
    openPanel(t("nearest"), el("p", { class: "muted" }, `${t("my_position")}: ±${position.accuracy_m.toFixed(0)} m`), list);
  }, (err) => openPanel(t("nearest"), el("p", { class: "warn" }, `${t("no_fix")} (${err.message})`)),
  { enableHighAccuracy: true, timeout: 20000 });
}

function renderOutbox(items) {
  const button = $("outbox-button");
  const waiting = items.length;
  button.hidden = waiting === 0;
  button.textContent = `${t("waiting_to_send")} (${waiting})`;
  button.classList.toggle("has-rejected", items.some((i) => i.status === "rejected"));
  button.onclick = () => openPanel(t("outbox"), el("ul", { class: "history", id: "outbox-list" }, ...items.map((i) => el("li", { "data-status": i.status },
    `${i.code} · ${conditionLabel(i.visit.condition)} · ${new Date(i.visit.observed_at).toLocaleString()}`,
    el("div", { class: i.status === "rejected" ? "error" : "muted" },
      i.status === "rejected" ? errorMessage(i.error, "network_error") : t("waiting_to_send")),
    i.status === "rejected" ? el("button", { class: "btn-secondary", type: "button", onclick: () => outbox.discard(i.id) }, t("discard")) : ""))),
    el("button", { class: "btn-secondary", type: "button", onclick: () => outbox.flush() }, t("send_now")));
}

export async function initMarkerPanel(context) {
  ctx = context;
  conditions = (await getJson("/api/v1/markers/conditions")).conditions;
  $("marker-panel-close").onclick = closePanel;
  $("nearest-button").hidden = false;
  $("nearest-button").onclick = showNearest;
  outbox.onChange(renderOutbox);
  outbox.startSender();
}
