// The planners' page: the plan's indicators beside a map of facilities, service-radius
// rings, banners shaded by distance coverage, graves (clustered or as a heat view,
// coloured by remediation state) and the restricted corridors and zones.
import * as api from "./api.js";

const $ = (id) => document.getElementById(id);
const state = { radius: 30, layers: {}, statuses: [], colors: {} };
const TYPE_COLORS = {
  funeral_home: "#6a1b9a", public_cemetery: "#2e7d32", rural_cemetery: "#558b2f",
  commercial_cemetery: "#f57f17", ash_hall: "#0277bd", eco_burial: "#00897b",
};
const GROUP_LABELS = { boundaries: "界线", markers: "界桩", remediation: "散坟整治", coverage: "设施覆盖" };

function pct(v) { return v === null || v === undefined ? "—" : `${v.toFixed(1)}%`; }
// An indicator's value in its unit: a rate in percent, or a count ("处", sites).
function inUnit(v, unit) {
  if (v === null || v === undefined) return "—";
  return unit === "count" ? `${v} 处` : pct(v);
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
      td.textContent = GROUP_LABELS[group] || group;
    }
    const tr = body.insertRow();
    tr.dataset.key = i.key;
    const name = tr.insertCell();
    name.textContent = i.label;
    name.title = i.unit === "count" ? i.label_en : `${i.label_en} (${i.numerator} / ${i.denominator})`;
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
    target.textContent = i.target === null ? "—" : `目标 ${inUnit(i.target, i.unit)}`;
  }
  $("as-of").textContent = list.length ? new Date(list[0].as_of).toLocaleString("zh-CN") : "";
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
      td.textContent = v.toLocaleString("zh-CN");
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
    const graves = Object.entries(state.colors).map(([k, c]) => swatch(c, state.labels[k]));
    const types = Object.entries(TYPE_COLORS).map(([k, c]) => swatch(c, state.typeLabels[k], true));
    const open = window.matchMedia("(min-width: 761px)").matches ? " open" : "";
    div.innerHTML = `<details${open}><summary>图例</summary><b>殡葬设施</b>（浅色：未运营）<br>${types.join("<br>")}<br>` +
      `<b>散坟整治状态</b><br>${graves.join("<br>")}<br><b>旗区着色</b>：<span id="legend-radius">${state.radius}</span>` +
      " 公里内覆盖的村和乡镇占比</details>";
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  control.addTo(map);
}

async function loadMap(map, vocab) {
  const [counties, facilities, corridors, zones, graves] = await Promise.all([
    api.getAllFeatures("/ogc/collections/county_boundary/items?limit=1000"),
    api.getAllFeatures("/ogc/collections/funeral_facility/items?limit=1000"),
    api.getAllFeatures("/ogc/collections/restricted_corridor/items?limit=1000"),
    api.getAllFeatures("/ogc/collections/restricted_zone/items?limit=1000"),
    api.getJson("/api/v1/funeral/graves/points"),
  ]);
  const typeLabel = Object.fromEntries(vocab.facility_types.map((t) => [t.code, t.label_zh]));
  state.typeLabels = typeLabel;
  const statusLabel = Object.fromEntries(vocab.facility_statuses.map((t) => [t.code, t.label_zh]));
  const home = counties.filter((f) => f.properties.parent_code === state.home);
  state.layers.banners = L.geoJSON(home, {
    style: () => ({ color: "#455a64", weight: 1.5, fillOpacity: 0.35, fillColor: "#9e9e9e" }),
    onEachFeature: (f, layer) => layer.bindTooltip(f.properties.name, { sticky: true }),
  }).addTo(map);
  state.layers.zones = L.geoJSON(zones, {
    style: () => ({ color: "#33691e", weight: 1, fillOpacity: 0.2 }),
    onEachFeature: (f, layer) => layer.bindPopup(`${f.properties.name}（${f.properties.zone_type}）`),
  }).addTo(map);
  state.layers.corridors = L.geoJSON(corridors, {
    style: () => ({ color: "#d84315", weight: 1, fillOpacity: 0.35 }),
    onEachFeature: (f, layer) => layer.bindPopup(`${f.properties.name}<br>${f.properties.label_zh}，两侧 ${f.properties.width_m} 米`),
  }).addTo(map);
  state.facilities = facilities;
  state.layers.facilities = L.geoJSON(facilities, {
    pointToLayer: (f, latlng) => L.circleMarker(latlng, {
      radius: 7, color: "#263238", weight: 1, fillOpacity: f.properties.status === "operating" ? 0.95 : 0.35,
      fillColor: TYPE_COLORS[f.properties.facility_type] || "#555",
    }),
    onEachFeature: (f, layer) => layer.bindPopup(
      `<b>${f.properties.name}</b><br>${typeLabel[f.properties.facility_type]} · ${statusLabel[f.properties.status]}` +
      (f.properties.capacity ? `<br>容量 ${f.properties.capacity}，已用 ${f.properties.used ?? "—"}` : "")),
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
  L.control.layers(null, {
    "旗区覆盖着色": state.layers.banners, "殡葬设施": state.layers.facilities,
    "服务半径": state.layers.rings, "散坟（聚合）": state.layers.graveClusters, "散坟（热力）": state.layers.heat,
    "“三沿”廊道": state.layers.corridors, "“七区”区域": state.layers.zones,
  }, { collapsed: window.matchMedia("(max-width: 760px)").matches }).addTo(map);
  legend(map);
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
  const label = (list, code) => (list.find((x) => x.code === code) || { label_zh: code || "—" }).label_zh;
  const p = f.properties;
  const rows = [
    ["编号", p.code], ["类型", label(vocab.grave_kinds, p.kind)], ["数量", p.grave_count],
    ["调查日期", p.surveyed_on], ["整治状态", label(vocab.remediation_statuses, p.remediation_status)],
    ["整治方式", p.remediation_method ? label(vocab.remediation_methods, p.remediation_method) : "—"],
    ["整治日期", p.remediated_on || "—"], ["限制区域", p.restricted_classes || "不在限制区域"],
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
    api.getJson(`/api/v1/funeral/coverage/distance?radius_km=${state.radius}`),
    api.getJson(`/api/v1/indicators?radius_km=${state.radius}`),
  ]);
  renderIndicators(indicators.indicators);
  const legendRadius = $("legend-radius");
  if (legendRadius) legendRadius.textContent = state.radius;
  const byCounty = Object.fromEntries(distance.by_county.map((c) => [c.county_code, c]));
  state.layers.banners.eachLayer((layer) => {
    const c = byCounty[layer.feature.properties.code];
    layer.setStyle({ fillColor: shade(c ? c.value : null) });
    layer.setTooltipContent(`${layer.feature.properties.name}：${c ? `${c.covered}/${c.places}，${pct(c.value)}` : "无定位地点"}`);
  });
  drawRings();
}

async function download(url, filename) {
  const response = await fetch(url, { headers: api.authHeaders() });
  if (!response.ok) throw new api.ApiError(response.status, await response.json().catch(() => null));
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  if (filename) link.download = filename; else link.target = "_blank";
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}

async function suggest() {
  $("suggest-result").textContent = "计算中…";
  try {
    const r = await api.getJson(`/api/v1/funeral/coverage/suggested-sites?k=${$("k").value}&radius_km=${state.radius}`);
    $("suggest-result").textContent = `覆盖 ${r.before.covered} → ${r.after.covered} / ${r.after.places}` +
      `（${pct(r.before.value)} → ${pct(r.after.value)}）：${r.sites.map((s) => s.name).join("、")}`;
    for (const s of r.sites) {
      L.marker([s.lat, s.lon], { title: s.name }).bindPopup(`建议选址：${s.name}`).addTo(state.layers.rings);
    }
  } catch (err) {
    $("suggest-result").textContent = err.message;
  }
}

async function start() {
  const map = L.map("map", { preferCanvas: true, maxZoom: 18 }).setView([39.4, 108.8], 7);
  const [config, vocab] = await Promise.all([api.getJson("/api/v1/map-config"), api.getJson("/api/v1/funeral/vocabulary")]);
  state.home = config.home_code;
  state.radius = Number($("radius").value);
  state.statuses = vocab.remediation_statuses.map((s) => s.code);
  state.colors = Object.fromEntries(vocab.remediation_statuses.map((s) => [s.code, s.color]));
  state.labels = Object.fromEntries(vocab.remediation_statuses.map((s) => [s.code, s.label_zh]));
  await loadMap(map, vocab);
  renderProgress(await api.getJson("/api/v1/funeral/progress?by=banner"));
  await refreshCoverage();
  $("radius").addEventListener("change", () => {
    const r = Number($("radius").value);
    if (r > 0 && r <= 500) { state.radius = r; refreshCoverage(); }
  });
  $("suggest").addEventListener("click", suggest);
  $("export-map").addEventListener("click", (e) => {
    e.preventDefault();
    download(`/api/v1/funeral/planner-map.html?radius_km=${state.radius}`, "ordos-planner-map.html");
  });
  $("print-report").addEventListener("click", (e) => {
    e.preventDefault();
    download(`/api/v1/funeral/report.html?radius_km=${state.radius}`);
  });
  window.planner = { map, state };  // for the browser tests, as window.gisMap on the main map
  document.body.dataset.ready = "true";
}

function showSignIn() {
  $("sign-in").hidden = false;
  $("sign-in").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api.signIn($("username").value.trim(), $("password").value);
      location.reload();
    } catch (err) {
      $("sign-in-error").textContent = err.message;
    }
  });
}

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
