// The offline areas panel (离线区域): choose a line, a banner or a rectangle, see the
// download size, download with progress; list the areas with size and age, refresh or
// delete them; storage kept persistent where the browser allows, with use and room shown.
import { getAllFeatures, getJson } from "./api.js";
import { errorMessage, fmtBytes, fmtDateTime, t, tf } from "./i18n.js";
import { confirmDialog, el } from "./dom.js";
import { openPanel, redrawWith } from "./panel.js";
import * as store from "./offline_store.js";

let ctx = { map: null, config: null };
let rectangle = null;  // the drawn rectangle, an L.Rectangle

async function storageLine() {
  const s = await store.storage();
  const space = s.quota === null ? t("storage_unknown")
    : tf("storage", { used: fmtBytes(s.usage), free: fmtBytes(Math.max(0, s.quota - s.usage)) });
  return el("p", { class: "muted small", id: "storage-line" },
    space, " · ", t(s.persisted ? "storage_persisted" : "storage_not_persisted"));
}

function ageText(iso) {
  return tf("area_age", { age: fmtDateTime(iso) });
}

async function areaList() {
  const areas = await store.listAreas();
  if (!areas.length) return el("p", { class: "muted" }, t("no_areas"));
  return el("ul", { class: "history", id: "area-list" }, ...areas.map((a) => el("li", { "data-area": a.id },
    el("strong", {}, a.name), ` · ${fmtBytes(a.bytes)} · ${ageText(a.refreshed_at)}`,
    el("div", { class: "muted small" }, tf("area_counts", { tiles: a.tiles.length, records: Object.values(a.counts.records).reduce((x, y) => x + y, 0) })),
    el("div", { class: "actions" },
      el("button", { class: "btn-secondary", type: "button", onclick: () => ctx.map.fitBounds([[a.bbox[1], a.bbox[0]], [a.bbox[3], a.bbox[2]]]) }, t("show_on_map")),
      el("button", { class: "btn-secondary area-refresh", type: "button", onclick: () => run(a.spec) }, t("refresh")),
      el("button", { class: "btn-secondary area-delete", type: "button", onclick: () => deleteArea(a) }, t("delete"))))));
}

/** Deleting an area asks first: offline, what it held cannot be fetched again. */
async function deleteArea(area) {
  const sure = await confirmDialog({ id: "area-delete-confirm", title: t("delete"), ok: t("delete"),
                                     lines: [tf("area_delete_confirm", { name: area.name })] });
  if (!sure) return;
  await store.removeArea(area.id);
  showAreas();
}

/** Start drawing a rectangle: two taps on the map give its corners. */
function drawRectangle(onDone) {
  const map = ctx.map;
  const corners = [];
  map.getContainer().classList.add("picking");
  const onClick = (e) => {
    corners.push(e.latlng);
    if (corners.length < 2) return;
    map.off("click", onClick);
    map.getContainer().classList.remove("picking");
    if (rectangle) rectangle.remove();
    rectangle = L.rectangle(L.latLngBounds(corners), { color: "#7b3294", weight: 2, fill: false, dashArray: "6 4" }).addTo(map);
    onDone(rectangle.getBounds());
  };
  map.on("click", onClick);
}

function specFrom(form) {
  const kind = form.kind.value;
  const zoom = Number(form.max_zoom.value);
  if (kind === "bbox") {
    const b = rectangle ? rectangle.getBounds() : ctx.map.getBounds();
    const r = (v) => Math.round(v * 1e5) / 1e5;
    return { kind, bbox: [r(b.getWest()), r(b.getSouth()), r(b.getEast()), r(b.getNorth())], max_zoom: zoom };
  }
  return { kind, code: form.code.value, max_zoom: zoom };
}

async function choices(kind) {
  if (kind === "line") {
    const order = { county: 0, city: 1, province: 2 };
    const lines = (await getAllFeatures("/api/v1/boundary-lines?skipGeometry=true&limit=10000")).map((f) => f.properties)
      .sort((a, b) => order[a.level] - order[b.level] || a.name.localeCompare(b.name, "zh-CN"));
    return lines.map((p) => [p.code, `${p.name} (${(p.length_m / 1000).toFixed(0)} km)`]);
  }
  const units = await getAllFeatures(`/api/v1/admin-units?parent=${ctx.config.home_code}&geometry=false&limit=10000`);
  return units.map((f) => [f.properties.code, f.properties.name]);
}

const status = () => document.getElementById("area-status");

async function run(spec, manifest = null) {
  const line = status();
  if (!navigator.onLine) { line.className = "warn"; line.textContent = t("needs_network"); return; }
  const started = performance.now();
  line.className = "muted";
  try {
    const out = await store.download(spec, (p) => {
      // looked up at each step: the panel may have been drawn again in the other language
      const now = status();
      if (now) now.textContent = tf("downloading", { done: p.done, total: p.total, size: fmtBytes(p.bytes) });
      document.getElementById("area-progress")?.setAttribute("value", String(p.total ? p.done / p.total : 1));
    }, manifest);
    await showAreas();
    const done = status();
    done.className = "ok";
    done.textContent = tf("downloaded", { tiles: out.fetched, records: out.records, size: fmtBytes(out.bytes),
                                          s: ((performance.now() - started) / 1000).toFixed(1) });
  } catch (err) {
    line.className = "error";
    line.textContent = errorMessage(err.body, err.offline ? "needs_network" : "network_error");
  }
}

export async function showAreas() {
  const kind = el("select", { name: "kind", id: "area-kind" },
    ...["line", "banner", "bbox"].map((k) => el("option", { value: k }, t("area_" + k))));
  const code = el("select", { name: "code", id: "area-code" });
  const draw = el("button", { type: "button", class: "btn-secondary", id: "area-draw", hidden: "" }, t("draw_rectangle"));
  const zoom = el("select", { name: "max_zoom", id: "area-zoom" },
    ...[12, 13, 14, 15, 16, 17, 18].map((z) => el("option", { value: String(z) }, String(z))));
  const size = el("p", { class: "muted", id: "area-size" });
  const progress = el("progress", { id: "area-progress", max: "1", value: "0" });
  const form = el("form", { class: "visit-form", id: "area-form" },
    el("label", {}, t("offline_areas"), kind), el("label", {}, "", code), draw, el("label", {}, t("max_zoom"), zoom), size,
    el("div", { class: "actions" },
      el("button", { type: "button", class: "btn-secondary", id: "area-check" }, t("check_size")),
      el("button", { type: "submit", class: "btn-primary", id: "area-download" }, t("download"))),
    progress, el("p", { class: "muted", id: "area-status", role: "status" }));
  let manifest = null;
  const fill = async () => {
    manifest = null;
    size.textContent = "";
    zoom.value = kind.value === "line" ? "16" : "14";
    draw.hidden = kind.value !== "bbox";
    code.hidden = kind.value === "bbox";
    if (kind.value === "bbox") return;
    code.replaceChildren(el("option", { value: "" }, t("loading")));
    try {
      code.replaceChildren(...(await choices(kind.value)).map(([value, label]) => el("option", { value }, label)));
    } catch (err) {
      code.replaceChildren(el("option", { value: "" }, t("needs_network")));
    }
  };
  kind.onchange = fill;
  code.onchange = zoom.onchange = () => { manifest = null; size.textContent = ""; };
  draw.onclick = () => drawRectangle(() => { manifest = null; size.textContent = ""; });
  form.querySelector("#area-check").onclick = async () => {
    try {
      manifest = await store.plan(specFrom(form));
      const records = Object.values(manifest.counts.records).reduce((a, b) => a + b, 0);
      size.textContent = tf("area_size", { size: fmtBytes(manifest.estimated_bytes), tiles: manifest.counts.tiles, records });
      size.className = "muted";
    } catch (err) {
      size.className = "error";
      size.textContent = errorMessage(err.body, err.offline ? "needs_network" : "network_error");
    }
  };
  form.onsubmit = (e) => { e.preventDefault(); run(specFrom(form), manifest); };
  openPanel(t("offline_areas"), await storageLine(), form, el("h3", {}, t("offline_areas")), await areaList());
  redrawWith(showAreas);
  await fill();
}

export function initAreas(context) { ctx = context; }
