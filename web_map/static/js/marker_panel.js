// The inspector's panel: marker and place-name sign cards, visit history, the markers of
// a line in sequence, and the nearest markers; the forms they open (visit, correction,
// repair closing) are field_forms.js. Markers and signs are visited alike; an asset names
// the API they live under.
import { appUrl, authHeaders, getAllFeatures, getJson, getWithEtag, may } from "./api.js";
import { conditionLabel, loadConditions } from "./conditions.js";
import { $, el } from "./dom.js";
import { averagedFix, initFieldForms, mayCorrect, rememberFix, showCorrectionForm, showRepairClose as showRepairForm,
         showVisitForm } from "./field_forms.js";
import { distanceBearing, fmtMetres } from "./geodesy.js";
import { errorMessage, fmtDateTime, localized, t, vocab } from "./i18n.js";
import { lastFix, onFix } from "./my_location.js";
import * as store from "./offline_store.js";
import * as outbox from "./outbox.js";
import { renderOutbox } from "./outbox_panel.js";
import { closePanel, openPanel, redrawWith } from "./panel.js";

let ctx = { user: null, markerLayer: null, map: null, config: null };
const MARKER = { kind: "marker", api: "/api/v1/markers", repairs_api: "/api/v1/repairs", photos_api: "/api/v1/inspections",
                 show: (code) => showMarker(code), capability: "field_work" };
const SIGN = { kind: "sign", api: "/api/v1/place-name-signs", repairs_api: "/api/v1/sign-repairs",
               photos_api: "/api/v1/sign-inspections", show: (code) => showSign(code),
               capability: "sign_work" };
export const ASSETS = { marker: MARKER, sign: SIGN };
const mayVisit = (asset) => may(ctx.user, asset.capability);

function badge(code) {
  const colour = ctx.markerLayer ? ctx.markerLayer.colour(code) : "#999";
  return el("span", { class: "badge", style: `background:${colour}` }, conditionLabel(code));
}

/** Zoom to a place and bring it into the part of the map the panel leaves visible: above
 *  the bottom sheet on a phone, beside the side panel on a desk. */
export function focusOn(lat, lon, zoom = 16) {
  const map = ctx.map;
  if (!map) return;
  const z = Math.max(map.getZoom(), zoom);
  const panel = $("marker-panel");
  const size = map.getSize();
  const sheet = panel.hidden ? 0 : panel.getBoundingClientRect();
  const phone = sheet && sheet.width >= size.x - 1;
  const offset = !sheet ? L.point(0, 0) : phone ? L.point(0, sheet.height / 2) : L.point(sheet.width / 2, 0);
  const centre = map.unproject(map.project([lat, lon], z).add(offset), z);
  map.setView(centre, z, { animate: false });
}

function fromMeText(fix, target) {
  if (!fix) return "—";
  const db = distanceBearing(fix, target);
  return `${fmtMetres(db.distance_m)} · ${db.bearing_deg.toFixed(0)}° (±${fix.accuracy_m.toFixed(0)} m)`;
}

/** The newer of the map's live position and the last averaged one. */
function myPosition() {
  const live = lastFix();
  const averaged = averagedFix();
  if (!averaged) return live;
  return live && live.at > Date.parse(averaged.fixed_at) ? live : averaged;
}

/** A card row with the distance and bearing from me to the asset, kept up to date as the
 *  inspector walks (while the card is open). */
function fromMeRows(target) {
  const value = el("span", { id: "from-me" }, fromMeText(myPosition(), target));
  const stop = onFix((fix) => {
    if (!value.isConnected) { stop(); return; }
    value.textContent = fromMeText(fix, target);
  });
  return [[t("from_me"), value]];
}

/** The card from the server; with no network, from a downloaded area; else what the map
 *  holds (position and condition only). */
async function loadCard(code) {
  try {
    const { body, stored } = await getWithEtag(`/api/v1/markers/${encodeURIComponent(code)}`);
    // a copy read earlier, online: it says when, as it may be out of date
    return { card: body, note: stored ? t("stored_card").replace("{time}", fmtDateTime(stored.toISOString())) : null };
  } catch (err) {
    if (!err.offline) return { error: err };
    const record = await store.getRecord(`marker:${code}`).catch(() => null);
    if (record) return { card: record.data, note: t("offline_area_card") };
    const f = ctx.markerLayer?.byCode.get(code);
    if (!f) return { error: err };
    return { card: { properties: { ...f.properties, gk: null }, geometry: f.geometry, reference_objects: [], photos: [] },
             note: t("offline_card") };
  }
}

/** What this phone has queued for an asset and not yet sent. */
async function queuedFor(code) {
  return (await outbox.pending()).filter((i) => i.code === code);
}

function queuedRows(items) {
  return items.map((i) => el("li", { class: "queued" }, el("span", { class: "badge queued-badge" }, t("waiting_to_send")),
    ` ${t("queued_" + (i.kind || "visit"))}`, i.visit ? ` · ${conditionLabel(i.visit.condition)} · ${fmtDateTime(i.visit.observed_at)}` : ""));
}

export async function showMarker(code, { refocus = true } = {}) {
  const { card, note, error } = await loadCard(code);
  if (error) {
    openPanel(code, el("p", { class: "error" }, errorMessage(error.body, "network_error")));
    return;
  }
  const p = card.properties;
  const [lon, lat] = card.geometry.coordinates;
  const rows = [
    [t("line"), card.line ? card.line.name : p.line_code],
    [t("marker_type"), `${t("type_" + p.marker_type)} (${p.type_suffix})`],
    [t("material"), vocab("material", p.material)],
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
    ? el("p", {}, `${t("last_visit")}: ${fmtDateTime(card.last_inspection.observed_at)} · ${card.last_inspection.inspector}`)
    : el("p", { class: "muted" }, t("never_visited"));
  const queued = await queuedFor(code);
  // what this phone saw last, though not yet sent, is the condition shown (as the map does)
  const waitingVisit = queued.filter((i) => i.visit || i.close).at(-1);
  const shownCondition = waitingVisit ? waitingVisit.visit?.condition || waitingVisit.close.condition_after : p.condition;
  const repair = card.open_repair;
  const closing = repair && queued.some((i) => i.kind === "repair_close" && i.repair_id === repair.id);
  const repairLine = repair ? el("p", { class: "warn", id: "card-repair" },
    `${t("open_repair")} #${repair.id}`, repair.assigned_to_user ? ` · ${t("assigned_to")} ${repair.assigned_to_user}` : "",
    closing ? ` · ${t("closing_queued")}` : "") : "";
  const photos = el("div", { class: "photos" }, ...(card.thumbs || (card.photos || []).map((ph) => ph.url)).slice(0, 6).map((url) => {
    const img = el("img", { alt: code, loading: "lazy" });
    loadPhoto(img, url);
    return img;
  }));
  const recent = (card.history || []).slice(0, 3);
  const history = recent.length || queued.length ? el("ol", { class: "history", id: "card-history" }, ...queuedRows(queued),
    ...recent.map((i) => el("li", {}, badge(i.condition), ` ${fmtDateTime(i.observed_at)} · ${i.inspector}`))) : "";
  const actions = el("div", { class: "actions" });
  if (mayVisit(MARKER)) {
    actions.append(el("button", { class: "btn-primary", id: "log-visit", type: "button", onclick: () => showVisitForm(card, MARKER) }, t("log_visit")));
    if (repair && !closing) {
      actions.append(el("button", { class: "btn-secondary", id: "close-repair", type: "button",
        onclick: () => showRepairClose(code, repair, MARKER, [lat, lon]) }, t("close_repair")));
    }
  }
  actions.append(
    el("button", { class: "btn-secondary", type: "button", onclick: () => showHistory(code) }, t("history")),
    el("button", { class: "btn-secondary", type: "button", onclick: () => showLine(p.line_code, card.line?.name) }, t("line_view")));
  openPanel(`${t("marker")} ${code}`, note ? el("p", { class: "warn", id: "card-offline-note" }, note) : "",
    el("p", { id: "card-condition" }, badge(shownCondition),
      waitingVisit ? el("span", { class: "badge queued-badge" }, t("waiting_to_send")) : ""), repairLine, last, table,
    el("h3", {}, t("reference_objects")), refs, history, photos, actions);
  redrawWith(() => showMarker(code, { refocus: false }));
  if (refocus) focusOn(lat, lon);
}

async function loadPhoto(img, url) {
  // Photos need the sign-in token, so they are fetched rather than linked.
  const r = await fetch(appUrl(url), { headers: authHeaders() }).catch(() => null);
  if (r?.ok) img.src = URL.createObjectURL(await r.blob());
}

/** A place-name sign: its texts, the checks against the register, condition and repairs. */
export async function showSign(code, { refocus = true } = {}) {
  let sign;
  try {
    sign = await getJson(`${SIGN.api}/${encodeURIComponent(code)}`);
  } catch (err) {
    const record = err.offline ? await store.getRecord(`sign:${code}`).catch(() => null) : null;
    if (!record) {
      openPanel(code, el("p", { class: "error" }, errorMessage(err.body, "network_error")));
      return;
    }
    sign = record.data;
  }
  const rows = [
    [t("place_name"), sign.place_name], [t("sign_text_zh"), sign.text_zh], [t("sign_text_mn"), sign.text_mn ? el("span", { class: "mongolian-script", lang: "mn-Mong" }, sign.text_mn) : ""],
    [t("romanization"), sign.romanization || ""], [t("material"), vocab("material", sign.material)],
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
  redrawWith(() => showSign(code, { refocus: false }));
  if (refocus) focusOn(sign.lat, sign.lon);
}

async function loadHistory(code, asset) {
  try {
    return (await getJson(`${asset.api}/${encodeURIComponent(code)}/inspections`)).inspections;
  } catch (err) {
    const record = err.offline ? await store.getRecord(`${asset.kind}:${code}`).catch(() => null) : null;
    if (!record) throw err;
    return record.data.history || [];
  }
}

async function showHistory(code, asset = MARKER) {
  let inspections;
  try {
    inspections = await loadHistory(code, asset);
  } catch (err) {
    openPanel(`${t("history")} · ${code}`, el("p", { class: "error" }, errorMessage(err.body, "network_error")));
    return;
  }
  // visits still in the outbox are listed (and correctable) before the sent ones
  const queued = (await queuedFor(code)).filter((i) => i.kind === "visit")
    .map((i) => ({ ...i.visit, inspector: ctx.user?.username, edit_count: 0, queued: true }));
  const list = el("ol", { class: "history" }, ...[...queued, ...inspections].map((i) => el("li", {},
    badge(i.condition), ` ${fmtDateTime(i.observed_at)} · ${i.inspector}`,
    i.queued ? el("span", { class: "badge queued-badge" }, t("waiting_to_send")) : "",
    i.gnss_accuracy_m != null ? ` · ±${i.gnss_accuracy_m.toFixed(0)} m` : "",
    i.edit_count ? el("span", { class: "muted" }, ` · ${t("corrected")} (${i.edited_by})`) : "",
    i.notes ? el("div", { class: "muted" }, i.notes) : "",
    mayCorrect(i) ? el("button", { class: "btn-secondary correct-visit", type: "button",
      onclick: () => showCorrectionForm(code, i, asset, () => showHistory(code, asset)) }, t("correct_visit")) : "")));
  openPanel(`${t("history")} · ${code}`, queued.length + inspections.length ? list : el("p", { class: "muted" }, t("never_visited")),
    el("button", { class: "btn-secondary", type: "button", onclick: () => asset.show(code) }, t("back")));
}

/** Every marker this phone knows: the map layer's, and those of downloaded areas. */
async function knownMarkers() {
  const byCode = new Map((ctx.markerLayer?.features || []).map((f) => [f.properties.code, f]));
  for (const r of await store.recordsOf("marker").catch(() => [])) if (!byCode.has(r.data.properties.code)) byCode.set(r.data.properties.code, r.data);
  return [...byCode.values()];
}

function markerLink(code) {
  return el("a", { href: "#", onclick: (e) => { e.preventDefault(); showMarker(code); } }, code);
}

async function showLine(lineCode, name) {
  let features;
  try {
    features = await getAllFeatures(`/api/v1/markers?line=${lineCode}&limit=1000`);
  } catch (err) {
    if (!err.offline) { openPanel(t("line_view"), el("p", { class: "error" }, errorMessage(err.body, "network_error"))); return; }
    features = (await knownMarkers()).filter((f) => f.properties.line_code === lineCode);
  }
  features.sort((a, b) => a.properties.seq - b.properties.seq || a.properties.type_suffix.localeCompare(b.properties.type_suffix));
  const list = el("ol", { class: "line-list" }, ...features.map((f) => el("li", {},
    markerLink(f.properties.code), " ", badge(f.properties.condition))));
  openPanel(`${t("line_view")} · ${name || lineCode}`, el("p", { class: "muted" }, `${features.length} ${t("markers_count")}`), list);
}

/** The nearest markers to a position, computed here from what the phone holds. */
async function nearestHere(at, limit = 10) {
  return (await knownMarkers()).map((f) => {
    const [lon, lat] = f.geometry.coordinates;
    return { code: f.properties.code, condition: f.properties.condition, ...distanceBearing(at, { lon, lat }) };
  }).sort((a, b) => a.distance_m - b.distance_m).slice(0, limit);
}

function codeSearch() {
  const input = el("input", { type: "search", id: "marker-code-search", placeholder: t("search_marker_code"),
                              autocomplete: "off", "aria-label": t("search_marker_code") });
  const results = el("ul", { class: "line-list", id: "marker-code-results" });
  input.oninput = async () => {
    const q = input.value.trim().toUpperCase();
    const hits = q.length < 2 ? [] : (await knownMarkers()).filter((f) => f.properties.code.toUpperCase().includes(q)).slice(0, 20);
    results.replaceChildren(...hits.map((f) => el("li", {}, markerLink(f.properties.code), " ", badge(f.properties.condition))));
  };
  return el("div", { class: "code-search" }, input, results);
}

export async function showNearest() {
  const search = codeSearch();
  if (!navigator.geolocation) { openPanel(t("nearest"), search, el("p", { class: "warn" }, t("no_geolocation"))); return; }
  const status = el("p", { class: "muted", id: "nearest-status" }, t("locating"));
  openPanel(t("nearest"), search, status);
  navigator.geolocation.getCurrentPosition(async (pos) => {
    const position = { lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy_m: pos.coords.accuracy,
                       fixed_at: new Date(pos.timestamp).toISOString() };
    rememberFix(position);
    let markers, offlineNote = "";
    try {
      ({ markers } = await getJson(`/api/v1/markers/nearest?lon=${position.lon}&lat=${position.lat}&limit=10`));
    } catch (err) {
      if (!err.offline) { status.className = "error"; status.textContent = errorMessage(err.body, "network_error"); return; }
      markers = await nearestHere(position);
      offlineNote = el("p", { class: "warn" }, t("nearest_offline"));
    }
    const list = el("ol", { class: "line-list", id: "nearest-list" }, ...markers.map((m) => el("li", {},
      markerLink(m.code), " ", badge(m.condition), ` ${fmtMetres(m.distance_m)} · ${m.bearing_deg.toFixed(0)}°`)));
    openPanel(t("nearest"), search, offlineNote,
      el("p", { class: "muted" }, `${t("my_position")}: ±${position.accuracy_m.toFixed(0)} m`), list);
  }, (err) => { status.className = "warn"; status.textContent = `${t("no_fix")} (${err.message})`; },
  { enableHighAccuracy: true, timeout: 20000, maximumAge: 10000 });
}

/** Close a repair order (from a card or the repairs list), with the map on the asset. */
export function showRepairClose(code, repair, asset = MARKER, latlon = null) {
  showRepairForm(code, repair, asset);
  if (latlon) focusOn(...latlon);
}

export async function initMarkerPanel(context) {
  ctx = context;
  initFieldForms({ user: context.user, config: context.config, markerLayer: context.markerLayer,
                   conditions: await loadConditions(), badge });
  $("marker-panel-close").onclick = closePanel;
  $("nearest-button").hidden = !context.nearest;
  $("nearest-button").onclick = showNearest;
  outbox.onChange(renderOutbox);
  outbox.startSender();
}
