// The planners' page: the plan's indicators beside a map of facilities, service-radius
// rings, banners shaded by distance coverage, graves (clustered or as a heat view,
// coloured by remediation state) and the restricted corridors and zones.
import * as api from "./api.js";
import { applyTexts, currentLang, errorMessage, onLanguageChange, setHome, t, tf, toggleLanguage } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const state = { radius: 30, layers: {}, statuses: [], colors: {}, unit: null };

// Every figure is for one unit (the API's `unit`): the caller's own until another is picked.
function forUnit(url) {
  return state.unit ? `${url}${url.includes("?") ? "&" : "?"}unit=${state.unit}` : url;
}
const TYPE_COLORS = {
  funeral_home: "#6a1b9a", public_cemetery: "#2e7d32", rural_cemetery: "#558b2f",
  commercial_cemetery: "#f57f17", ash_hall: "#0277bd", eco_burial: "#00897b",
};
const locale = () => (currentLang() === "zh" ? "zh-CN" : "en-GB");
// A vocabulary entry's label in the interface language.
const labelOf = (entry) => (entry ? (currentLang() === "zh" ? entry.label_zh : entry.label_en || entry.label_zh) : "—");

function pct(v) { return v === null || v === undefined ? "—" : `${v.toFixed(1)}%`; }
// An indicator's value in its unit: a rate in percent, or a count ("处", sites).
function inUnit(v, unit) {
  if (v === null || v === undefined) return "—";
  return unit === "count" ? `${v} ${t("pl_sites")}` : pct(v);
}
// How full an indicator's bar is: a rate itself, a count against its target.
function share(i) {
  if (i.value === null || i.value === undefined) return 0;
  if (i.unit === "count") return i.target ? (100 * i.value) / i.target : 0;
  return i.value;
}

function shade(value) {
  // 0% -> red, 100% -> green, through amber.
  if (value === null || value === undefined) return "#9e9e9e";
  const v = Math.max(0, Math.min(100, value)) / 100;
  const r = Math.round(v < 0.5 ? 211 : 211 - (v - 0.5) * 2 * 165);
  const g = Math.round(v < 0.5 ? 47 + v * 2 * 133 : 180 - (v - 0.5) * 2 * 55);
  return `rgb(${r},${g},50)`;
}

function renderIndicators(list) {
  const body = $("indicators").querySelector("tbody");
  body.replaceChildren();
  let group = null;
  for (const i of list) {
    if (i.group !== group) {
      group = i.group;
      const tr = body.insertRow();
      tr.className = "group";
      const td = tr.insertCell();
      td.colSpan = 3;
      td.textContent = t(`pl_group_${group}`);
    }
    const tr = body.insertRow();
    tr.dataset.key = i.key;
    const name = tr.insertCell();
    name.textContent = currentLang() === "zh" ? i.label : i.label_en;
    name.title = i.unit === "count" ? "" : `${i.numerator} / ${i.denominator}`;
    const bar = document.createElement("div");
    bar.className = "bar";
    const fill = document.createElement("span");
    fill.style.width = `${Math.max(0, Math.min(100, share(i)))}%`;
    fill.style.background = i.met === false ? "#c62828" : "#2e7d32";
    bar.append(fill);
    name.append(bar);
    const value = tr.insertCell();
    value.className = `num ${i.met === true ? "met" : i.met === false ? "unmet" : ""}`;
    value.textContent = inUnit(i.value, i.unit);
    const target = tr.insertCell();
    target.className = "num muted";
    target.textContent = i.target === null ? "—" : `${t("pl_target")} ${inUnit(i.target, i.unit)}`;
  }
  $("as-of").textContent = list.length ? new Date(list[0].as_of).toLocaleString(locale()) : "";
}

function renderProgress(progress) {
  const body = $("progress").querySelector("tbody");
  body.replaceChildren();
  for (const g of progress.groups) {
    const tr = body.insertRow();
    tr.insertCell().textContent = g.label;
    for (const v of [g.surveyed, g.remediated]) {
      const td = tr.insertCell();
      td.className = "num";
      td.textContent = v.toLocaleString(locale());
    }
    const td = tr.insertCell();
    td.className = "num";
    td.textContent = pct(g.rate_pct);
  }
}

function legend(map) {
  const control = L.control({ position: "bottomright" });
  control.onAdd = () => {
    const div = L.DomUtil.create("div", "legend");
    const swatch = (color, label, round) =>
      `<i style="background:${color}${round ? ";border-radius:50%" : ""}"></i>${label}`;
    const graves = state.vocab.remediation_statuses.map((x) => swatch(x.color, labelOf(x)));
    const types = state.vocab.facility_types.map((x) => swatch(TYPE_COLORS[x.code], labelOf(x), true));
    const demo = (n) => (n ? t(n === "zones" ? "pl_demo_zones" : "pl_demo") : "");
    const open = window.matchMedia("(min-width: 761px)").matches ? " open" : "";
    div.innerHTML = `<details${open}><summary>${t("pl_legend")}</summary><b>${t("pl_facilities")}</b>` +
      `${t("pl_not_operating")}<br>${types.join("<br>")}<br>` +
      `<b>${t("pl_remediation_state")}</b><br>${graves.join("<br>")}<br>` +
      `${swatch("#d84315", t("pl_corridors") + demo(state.demoCorridors && "corridors"))}<br>` +
      `${swatch("#33691e", t("pl_zones") + demo(state.demoZones && "zones"))}<br>` +
      `<b>${t("pl_banner_shading")}</b>：<span id="legend-radius">${tf("pl_shading_note", { r: state.radius })}</span></details>`;
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  control.addTo(map);
  return control;
}

async function loadMap(map, vocab) {
  const [counties, facilities, corridors, zones, graves] = await Promise.all([
    api.getAllFeatures("/ogc/collections/county_boundary/items?limit=1000"),
    api.getAllFeatures("/ogc/collections/funeral_facility/items?limit=1000"),
    api.getAllFeatures("/ogc/collections/restricted_corridor/items?limit=1000"),
    api.getAllFeatures("/ogc/collections/restricted_zone/items?limit=1000"),
    api.getJson("/api/v1/funeral/graves/points"),
  ]);
  const typeLabel = (code) => labelOf(vocab.facility_types.find((x) => x.code === code));
  const statusLabel = (code) => labelOf(vocab.facility_statuses.find((x) => x.code === code));
  const zoneLabel = (code) => labelOf(vocab.zone_types.find((x) => x.code === code));
  // the demo generator's corridors and zones are straight lines and boxes: say so
  state.demoCorridors = corridors.length > 0 && corridors.every((f) => f.properties.source === "demo");
  state.demoZones = zones.length > 0 && zones.every((f) => f.properties.source === "demo");
  state.counties = counties;
  const home = counties.filter((f) => f.properties.parent_code === state.home);
  state.layers.banners = L.geoJSON(home, {
    style: () => ({ color: "#455a64", weight: 1.5, fillOpacity: 0.35, fillColor: "#9e9e9e" }),
    onEachFeature: (f, layer) => layer.bindTooltip(f.properties.name, { sticky: true }),
  }).addTo(map);
  state.layers.zones = L.geoJSON(zones, {
    style: () => ({ color: "#33691e", weight: 1, fillOpacity: 0.2 }),
    onEachFeature: (f, layer) => layer.bindPopup(() => `${f.properties.name}<br>${zoneLabel(f.properties.zone_type)}`),
  }).addTo(map);
  state.layers.corridors = L.geoJSON(corridors, {
    style: () => ({ color: "#d84315", weight: 1, fillOpacity: 0.35, dashArray: state.demoCorridors ? "6 4" : null }),
    onEachFeature: (f, layer) => layer.bindPopup(() => `${f.properties.name}<br>` +
      `${labelOf(state.corridorClasses.find((c) => c.corridor_class === f.properties.corridor_class))} · ` +
      `${tf("pl_both_sides", { w: f.properties.width_m })}`),
  }).addTo(map);
  state.facilities = facilities;
  state.layers.facilities = L.geoJSON(facilities, {
    pointToLayer: (f, latlng) => L.circleMarker(latlng, {
      radius: 7, color: "#263238", weight: 1, fillOpacity: f.properties.status === "operating" ? 0.95 : 0.35,
      fillColor: TYPE_COLORS[f.properties.facility_type] || "#555",
    }),
    onEachFeature: (f, layer) => layer.bindPopup(() =>
      `<b>${f.properties.name}</b><br>${typeLabel(f.properties.facility_type)} · ${statusLabel(f.properties.status)}` +
      (f.properties.capacity ? `<br>${tf("pl_capacity", { c: f.properties.capacity, u: f.properties.used ?? "—" })}` : "")),
  }).addTo(map);
  state.layers.rings = L.layerGroup().addTo(map);
  const colorOf = (s) => state.colors[state.statuses[s]];
  const markers = graves.points.map(([lon, lat, s, c]) => {
    const m = L.circleMarker([lat, lon], { radius: 4, weight: 1, color: "#fff", fillColor: colorOf(s), fillOpacity: 0.9 });
    m.options.status = s;
    m.options.count = c;
    return m;
  });
  state.layers.graveClusters = L.markerClusterGroup({
    chunkedLoading: true,
    iconCreateFunction: (cluster) => {
      const tally = [0, 0, 0];
      for (const m of cluster.getAllChildMarkers()) tally[m.options.status] += m.options.count;
      const total = tally.reduce((a, b) => a + b, 0);
      const top = tally.indexOf(Math.max(...tally));
      const html = `<div class="grave-cluster" style="background:${colorOf(top)}">${total}</div>`;
      return L.divIcon({ html, className: "", iconSize: [38, 38] });
    },
  });
  state.layers.graveClusters.addLayers(markers);
  state.layers.graveClusters.on("click", (e) => showGrave(map, e.layer.getLatLng(), vocab));
  state.layers.graveClusters.addTo(map);
  state.layers.heat = L.heatLayer(graves.points.map(([lon, lat, , c]) => [lat, lon, Math.min(1, c / 5)]),
    { radius: 14, blur: 18, maxZoom: 11 });
  state.map = map;
  drawControls();
  map.fitBounds(state.layers.banners.getBounds());
}

// A grave's record in a popup: the points carry no attributes, so ask the OGC layer for
// the grave at that spot.
async function showGrave(map, latlng, vocab) {
  const d = 1e-5;
  const bbox = [latlng.lng - d, latlng.lat - d, latlng.lng + d, latlng.lat + d].join(",");
  const page = await api.getJson(`/ogc/collections/grave/items?bbox=${bbox}&limit=1`);
  const f = page.features[0];
  if (!f) return;
  const label = (list, code) => (code ? labelOf(list.find((x) => x.code === code)) || code : "—");
  // restricted_classes lists corridor classes and zone types by code (expressway,farmland)
  const restrictedLabel = (code) => labelOf(state.corridorClasses.find((c) => c.corridor_class === code)
    || vocab.zone_types.find((x) => x.code === code)) || code;
  const p = f.properties;
  const restricted = p.restricted_classes ? p.restricted_classes.split(",").map(restrictedLabel).join(currentLang() === "zh" ? "、" : ", ") : t("pl_not_restricted");
  const rows = [
    [t("pl_grave_code"), p.code], [t("pl_grave_kind"), label(vocab.grave_kinds, p.kind)], [t("pl_grave_count"), p.grave_count],
    [t("pl_surveyed_on"), p.surveyed_on], [t("pl_status"), label(vocab.remediation_statuses, p.remediation_status)],
    [t("pl_method"), label(vocab.remediation_methods, p.remediation_method)],
    [t("pl_remediated_on"), p.remediated_on || "—"], [t("pl_restricted"), restricted],
  ];
  const table = document.createElement("table");
  table.className = "grave-popup";
  for (const [k, v] of rows) {
    const tr = table.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v;
  }
  L.popup().setLatLng(latlng).setContent(table).openOn(map);
}

function drawRings() {
  state.layers.rings.clearLayers();
  for (const f of state.facilities.filter((x) => x.properties.status === "operating")) {
    const [lon, lat] = f.geometry.coordinates;
    L.circle([lat, lon], { radius: state.radius * 1000, color: TYPE_COLORS[f.properties.facility_type],
      weight: 1, fill: false, dashArray: "4 4", interactive: false }).addTo(state.layers.rings);
  }
}

// One radius drives the distance indicator, the banner shading, the rings, the suggested
// sites and the exports.
async function refreshCoverage() {
  const [distance, indicators] = await Promise.all([
    api.getJson(forUnit(`/api/v1/funeral/coverage/distance?radius_km=${state.radius}`)),
    api.getJson(forUnit(`/api/v1/indicators?radius_km=${state.radius}`)),
  ]);
  if (!state.unit) offerUnits(indicators.unit);
  const unit = indicators.unit;
  $("unit-name").textContent = currentLang() === "zh" ? unit.name : unit.name_en;
  renderIndicators(indicators.indicators);
  const legendRadius = $("legend-radius");
  if (legendRadius) legendRadius.textContent = tf("pl_shading_note", { r: state.radius });
  const byCounty = Object.fromEntries(distance.by_county.map((c) => [c.county_code, c]));
  state.layers.banners.eachLayer((layer) => {
    const c = byCounty[layer.feature.properties.code];
    layer.setStyle({ fillColor: shade(c ? c.value : null) });
    layer.setTooltipContent(`${layer.feature.properties.name}：${c ? `${c.covered}/${c.places}，${pct(c.value)}` : t("pl_no_located")}`);
  });
  drawRings();
}

// The unit picker: the caller's own unit and the county-level units directly within it
// (a banner's planner has only their banner, and the picker stays hidden).
function offerUnits(own) {
  state.unit = own.code;
  const within = (state.counties || []).filter((f) => f.properties.parent_code === own.code)
    .map((f) => ({ code: f.properties.code, name: f.properties.name, name_en: f.properties.name_romanized }));
  state.units = [own, ...within];
  nameUnits();
  $("unit-pick").hidden = within.length === 0;
}

// the units' names in the page's language (romanised in English)
function nameUnits() {
  const picked = state.unit;
  $("unit").replaceChildren(...(state.units || []).map((u) =>
    new Option(currentLang() === "zh" ? u.name : u.name_en || u.name, u.code)));
  $("unit").value = picked;
}

// The map shows the unit picked: one banner, or every banner of the city.
function fitUnit() {
  const picked = (state.counties || []).find((f) => f.properties.code === state.unit);
  const bounds = picked ? L.geoJSON(picked).getBounds() : state.layers.banners.getBounds();
  if (bounds.isValid()) state.map.fitBounds(bounds);
}

async function download(url, filename) {
  const response = await fetch(api.appUrl(url), { headers: api.authHeaders() });
  if (!response.ok) throw new api.ApiError(response.status, await response.json().catch(() => null));
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  if (filename) link.download = filename; else link.target = "_blank";
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}

async function suggest() {
  $("suggest-result").textContent = t("pl_computing");
  try {
    const r = await api.getJson(forUnit(`/api/v1/funeral/coverage/suggested-sites?k=${$("k").value}&radius_km=${state.radius}`));
    $("suggest-result").textContent = tf("pl_covered_change", { b: r.before.covered, a: r.after.covered, n: r.after.places,
      bp: pct(r.before.value), ap: pct(r.after.value), names: r.sites.map((s) => s.name).join("、") });
    for (const s of r.sites) {
      L.marker([s.lat, s.lon], { title: s.name }).bindPopup(() => `${t("pl_suggested_site")}：${s.name}`).addTo(state.layers.rings);
    }
  } catch (err) {
    $("suggest-result").textContent = errorMessage(err.body, "network_error");
  }
}

// The layer list and the legend, in the interface language (redrawn when it changes).
function drawControls() {
  const { map, layers } = state;
  state.controls?.forEach((c) => c.remove());
  const demo = state.demoCorridors ? t("pl_demo") : "";
  const list = L.control.layers(null, {
    [t("pl_layer_banners")]: layers.banners, [t("pl_facilities")]: layers.facilities,
    [t("pl_layer_rings")]: layers.rings, [t("pl_layer_clusters")]: layers.graveClusters, [t("pl_layer_heat")]: layers.heat,
    [t("pl_corridors") + demo]: layers.corridors, [t("pl_zones") + (state.demoZones ? t("pl_demo_zones") : "")]: layers.zones,
  }, { collapsed: window.matchMedia("(max-width: 760px)").matches }).addTo(map);
  state.controls = [list, legend(map)];
}

async function start() {
  const config = await api.getJson("/api/v1/map-config");
  setHome(config.home);
  document.title = t("pl_doc_title");
  const map = L.map("map", { preferCanvas: true, maxZoom: 18 }).fitBounds(config.home_bounds);
  if (!(config.actions || []).includes("planner_page")) {
    // the page and the API agree: only planners and administrators read graves and reports
    $("planner-body").hidden = true;
    $("not-for-role").textContent = tf("pl_not_for_role", { role: api.rememberedUser()?.role ? t("role_" + api.rememberedUser().role) : "—" });
    $("not-for-role").hidden = false;
    document.body.dataset.ready = "true";
    return;
  }
  const [vocab, classes] = await Promise.all([
    api.getJson("/api/v1/funeral/vocabulary"), api.getJson("/api/v1/funeral/corridor-classes")]);
  state.vocab = vocab;
  state.corridorClasses = classes.classes;
  state.home = config.home_code;
  state.radius = Number($("radius").value);
  state.statuses = vocab.remediation_statuses.map((s) => s.code);
  state.colors = Object.fromEntries(vocab.remediation_statuses.map((s) => [s.code, s.color]));
  await loadMap(map, vocab);
  await refreshCoverage();  // first: it says which unit the figures are for
  let progress = await api.getJson(forUnit("/api/v1/funeral/progress?by=banner"));
  renderProgress(progress);
  fitUnit();
  onLanguageChange(() => { drawControls(); nameUnits(); renderProgress(progress); refreshCoverage(); });
  $("unit").addEventListener("change", async () => {
    state.unit = $("unit").value;
    progress = await api.getJson(forUnit("/api/v1/funeral/progress?by=banner"));
    renderProgress(progress);
    await refreshCoverage();
    fitUnit();
  });
  $("radius").addEventListener("change", () => {
    const r = Number($("radius").value);
    if (r > 0 && r <= 500) { state.radius = r; refreshCoverage(); }
  });
  $("suggest").addEventListener("click", suggest);
  $("export-map").addEventListener("click", (e) => {
    e.preventDefault();
    download(forUnit(`/api/v1/funeral/planner-map.html?radius_km=${state.radius}&lang=${currentLang()}`), `planner-map-${state.unit}.html`);
  });
  $("print-report").addEventListener("click", (e) => {
    e.preventDefault();
    download(forUnit(`/api/v1/funeral/report.html?radius_km=${state.radius}&lang=${currentLang()}`));
  });
  window.planner = { map, state };  // for the browser tests, as window.gisMap on the main map
  document.body.dataset.ready = "true";
}

function showSignIn() {
  $("sign-in").hidden = false;
  $("username").focus();
  $("sign-in-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("sign-in-error").hidden = true;
    try {
      await api.signIn($("username").value.trim(), $("password").value);
      location.reload();
    } catch (err) {
      $("sign-in-error").textContent = errorMessage(err.body, "network_error");
      $("sign-in-error").hidden = false;
      $("password").select();
    }
  });
}

function setUpLanguage() {
  const label = () => { $("lang-toggle").textContent = currentLang() === "zh" ? "EN" : "中文"; };
  const texts = () => { applyTexts(); document.title = t("pl_doc_title"); label(); };
  texts();
  $("lang-toggle").onclick = toggleLanguage;
  onLanguageChange(texts);
}

setUpLanguage();
if (api.token()) {
  $("planner-body").hidden = false;
  start().catch((err) => {
    if (err.status === 401 || err.status === 403) { $("planner-body").hidden = true; showSignIn(); }
    console.error(err);
    document.body.dataset.error = String(err && err.message ? err.message : err);
  });
} else {
  showSignIn();
}
