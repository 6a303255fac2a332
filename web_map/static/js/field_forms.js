// The forms an inspector fills in the field, online or not: a visit (averaged position,
// checks, photos with the camera's direction), the correction of a visit, and the closing
// of a repair. Each is queued in the outbox and sent when the service can be reached.
// The panel that opens them passes what they need (the user, the config, the map's
// marker layer, how to draw a condition and where "back" goes), so this module knows no
// panel.
import { may } from "./api.js";
import { conditionLabel } from "./conditions.js";
import { el } from "./dom.js";
import { averagePosition, followCompass } from "./field_sensors.js";
import { distanceBearing, fmtMetres } from "./geodesy.js";
import { fmtDateTime, t } from "./i18n.js";
import * as outbox from "./outbox.js";
import { showDelivery } from "./outbox_panel.js";
import { openPanel, whenLeft } from "./panel.js";
import { shrinkPhoto } from "./photos.js";

const FAR_FROM_MARKER_M = 50;
let ctx = { user: null, config: null, markerLayer: null, conditions: [], badge: (code) => conditionLabel(code) };
let position = null;  // the visit form's last averaged fix {lon, lat, accuracy_m, fixed_at, fixes_averaged}

export function initFieldForms(context) {
  ctx = { ...ctx, ...context };
}

/** The visit form's last averaged fix, or null. */
export const averagedFix = () => position;

/** Remember a fix taken elsewhere (the nearest-markers search) as the latest one. */
export function rememberFix(fix) {
  position = fix;
}

const withN = (key, n) => t(key).replace("{n}", n);
const conditionOptions = (list) => list.map((c) => el("option", { value: c.code }, conditionLabel(c.code)));
// what a saved visit or closing carries of an averaged fix
const gnssOf = (fix) => ({ lon: fix.lon, lat: fix.lat, accuracy_m: fix.accuracy_m, fixed_at: fix.fixed_at,
                           fixes_averaged: fix.fixes_averaged });

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

/** Show the averaged fix: accuracy, how many fixes, distance to the marker, and warnings. */
function showFix(output, card, fix, maxAccuracy) {
  const [lon, lat] = card.geometry.coordinates;
  const { distance_m } = distanceBearing(fix, { lon, lat });
  const parts = [`${t("my_position")}: ±${fix.accuracy_m.toFixed(0)} m (${fix.fixes_averaged === 1 ? t("fixes_averaged_one") : withN("fixes_averaged", fix.fixes_averaged)})`,
    `${t("from_marker")} ${fmtMetres(distance_m)}`];
  const far = distance_m > FAR_FROM_MARKER_M + fix.accuracy_m;
  if (far) parts.push(t("far_warning"));
  if (fix.accuracy_m > maxAccuracy) parts.push(withN("poor_fix", maxAccuracy));
  output.textContent = parts.join(" · ");
  output.className = far || fix.accuracy_m > maxAccuracy ? "warn" : "muted";
}

/** The visit form for a marker's or a sign's card (`asset` says which API it goes to). */
export function showVisitForm(card, asset) {
  const code = card.properties.code;
  const maxAccuracy = ctx.config?.gnss_max_accuracy_m ?? 30;
  const select = el("select", { name: "condition", id: "visit-condition", required: "" },
    ...conditionOptions(ctx.conditions));
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
    if (position) visit.gnss = gnssOf(position);
    const files = await Promise.all([...photos.files].map(async (f) => ({
      blob: await shrinkPhoto(f), name: f.name.replace(/\.[^.]+$/, "") + ".jpg", bearing })));
    stopSensors();
    form.querySelector("button[type=submit]").disabled = true;
    const id = await outbox.enqueue({ code, api: asset.api, visit, photos: files });
    if (asset.kind === "marker") ctx.markerLayer?.setCondition(code, visit.condition);
    await showDelivery(message, id);
  };
  openPanel(`${t("log_visit")} · ${code}`, form);
  position = null;
  let stopGnss = () => {};
  const stopSensors = () => { stopGnss(); compass.stop(); };
  whenLeft(stopSensors);
  if (!navigator.geolocation) {
    gnss.textContent = t("no_geolocation");
    gnss.className = "warn";
    poorFix.hidden = false;
    return;
  }
  stopGnss = averagePosition((fix) => {
    position = fix;
    showFix(gnss, card, fix, maxAccuracy);
    if (fix.accuracy_m > maxAccuracy) poorFix.hidden = false;
  }, (err) => {
    if (position) return;  // a later timeout does not undo the fixes already taken
    gnss.textContent = `${t("no_fix")} (${err.message})`;
    gnss.className = "warn";
    poorFix.hidden = false;
  });
}

/** Correct a visit's hand-filled fields. The correction waits in the outbox like a
 *  visit, so it works offline and follows the visit it corrects; the server checks who may. */
export function showCorrectionForm(code, visit, asset, back) {
  const notes = el("textarea", { id: "correct-notes", rows: "3", maxlength: "4000" });
  notes.value = visit.notes || "";
  const neighbour = el("input", { id: "correct-neighbour", maxlength: "200" });
  neighbour.value = visit.neighbour_representative || "";
  const reason = el("input", { id: "correct-reason", maxlength: "500" });
  const message = el("p", { id: "correct-message", role: "status" });
  const form = el("form", { id: "correct-form", class: "visit-form" },
    el("p", {}, ctx.badge(visit.condition), ` ${fmtDateTime(visit.observed_at)}`), ...visitCheckboxes(visit),
    el("label", {}, t("notes"), notes), el("label", {}, t("neighbour_representative"), neighbour),
    el("label", {}, t("reason"), reason), message,
    el("button", { class: "btn-primary", type: "submit" }, t("save")),
    el("button", { class: "btn-secondary", type: "button", onclick: back }, t("back")));
  form.onsubmit = async (e) => {
    e.preventDefault();
    const correction = { ...handFilledFields(form, notes, neighbour), reason: reason.value || null };
    form.querySelector("button[type=submit]").disabled = true;
    await outbox.enqueue({ kind: "correction", code, api: asset.api, visit_id: visit.id,
                           edit_count: visit.edit_count || 0, correction }, { wait: true });
    const left = (await outbox.pending()).some((i) => i.kind === "correction" && i.visit_id === visit.id);
    message.className = "muted";
    message.textContent = left ? t("correction_queued") : t("correction_saved");
    if (!left) await back();
  };
  openPanel(`${t("correct_visit")} · ${code}`, form);
}

/** Whether the signed-in user may correct this visit now (the server decides for good).
 *  A visit still waiting in the outbox is the user's own and within the window. */
export function mayCorrect(visit) {
  if (!ctx.user) return false;
  if (may(ctx.user, "administration")) return true;
  const hours = ctx.config?.visit_correction_hours ?? 72;
  const sent = visit.received_at ? Date.parse(visit.received_at) : Date.now();
  return visit.inspector === ctx.user.username && Date.now() - sent < hours * 3600e3;
}

/** Close a repair order: the condition after the work, how, notes and a photo. Queued in
 *  the outbox, so it works offline; the closing visit's id is made here. */
export function showRepairClose(code, repair, asset) {
  const after = el("select", { id: "repair-condition" }, ...conditionOptions(ctx.conditions.filter((c) => !c.opens_repair)));
  const resolution = el("select", { id: "repair-resolution" },
    ...["repaired", "replaced", "reset"].map((r) => el("option", { value: r }, t("resolution_" + r))));
  const notes = el("textarea", { id: "repair-notes", rows: "2", maxlength: "4000" });
  const photo = el("input", { type: "file", accept: "image/*", capture: "environment", id: "repair-photo" });
  const message = el("p", { id: "repair-message", role: "status" });
  const gnss = el("p", { class: "muted", id: "repair-gnss" }, t("locating"));
  const form = el("form", { id: "repair-form", class: "visit-form" },
    el("p", { class: "muted" }, `${t("open_repair")} #${repair.id} · ${conditionLabel(repair.reason)}`),
    el("label", {}, t("condition_after"), after), el("label", {}, t("resolution"), resolution),
    el("label", {}, t("notes"), notes), el("label", {}, t("photos"), photo), gnss, message,
    el("button", { class: "btn-primary", type: "submit" }, t("close_repair")));
  form.onsubmit = async (e) => {
    e.preventDefault();
    form.querySelector("button[type=submit]").disabled = true;
    const photos = await Promise.all([...photo.files].map(async (f) => ({ blob: await shrinkPhoto(f), name: "repair.jpg", bearing: null })));
    // the work's time and place, taken here: a closing sent later is dated by the work
    const close = { resolution: resolution.value, condition_after: after.value, notes: notes.value || null,
                    visit_id: crypto.randomUUID(), closed_at: new Date().toISOString(),
                    ...(fix ? { gnss: gnssOf(fix) } : {}) };
    stopGnss();
    const id = await outbox.enqueue({ kind: "repair_close", code, repairs_api: asset.repairs_api, photos_api: asset.photos_api,
                                      repair_id: repair.id, close, photos });
    if (asset.kind === "marker") ctx.markerLayer?.setCondition(code, after.value);
    await showDelivery(message, id);
  };
  openPanel(`${t("close_repair")} · ${code}`, form);
  // the position of the work, averaged while the form is open
  let fix = null;
  const stopGnss = navigator.geolocation
    ? averagePosition((f) => { fix = f; gnss.textContent = `${t("my_position")}: ±${f.accuracy_m.toFixed(0)} m`; }, () => {})
    : () => {};
  whenLeft(stopGnss);
}
