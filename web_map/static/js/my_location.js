// Where the inspector is, with no network needed: a dot with its accuracy circle and the
// direction of travel (or of the compass), a locate button that shows the position, then
// follows it, then stops, and a chip with the fix's accuracy and age. Other parts of the
// app (the marker card's distance and bearing) listen to each fix.
import { followCompass } from "./field_sensors.js";
import { onLanguageChange, t } from "./i18n.js";

const STALE_AFTER_S = 30;  // an older fix is shown greyed: the inspector may have moved
const FIRST_ZOOM = 16;
const listeners = new Set();
let last = null;  // {lon, lat, accuracy_m, heading_deg, at (ms)}

/** The latest fix, or null. */
export const lastFix = () => last;

/** Call fn(fix) with every new fix; returns a function that stops listening. */
export function onFix(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Age of a fix in words ("12 s ago"). */
export function fixAge(fix, now = Date.now()) {
  const s = Math.max(0, Math.round((now - fix.at) / 1000));
  if (s < 3) return t("fix_now");
  return s < 120 ? t("fix_seconds").replace("{n}", s) : t("fix_minutes").replace("{n}", Math.round(s / 60));
}

function headingIcon(deg) {
  const html = `<svg viewBox="0 0 40 40" width="40" height="40" style="transform: rotate(${deg}deg)">` +
    `<path d="M20 2 L27 16 L20 13 L13 16 Z" fill="#1a73e8" opacity="0.85"/></svg>`;
  return L.divIcon({ className: "my-heading", html, iconSize: [40, 40], iconAnchor: [20, 20] });
}

export function installMyLocation(map) {
  let mode = "off";  // off -> show -> follow -> off
  let watch = null;
  let compass = null;
  let ticker = null;
  let centred = false;
  const circle = L.circle([0, 0], { radius: 1, color: "#1a73e8", weight: 1, fillOpacity: 0.12, interactive: false,
                                    className: "my-accuracy" });
  const dot = L.circleMarker([0, 0], { radius: 7, color: "#fff", weight: 2, fillColor: "#1a73e8", fillOpacity: 1,
                                       interactive: false, className: "my-dot" });
  const arrow = L.marker([0, 0], { icon: headingIcon(0), interactive: false, keyboard: false });

  const control = L.control({ position: "topleft" });
  let button, chip;
  control.onAdd = () => {
    const box = L.DomUtil.create("div", "leaflet-bar my-location");
    button = L.DomUtil.create("a", "locate-button", box);
    button.id = "locate-button";
    button.href = "#";
    button.setAttribute("role", "button");
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.on(button, "click", (e) => { L.DomEvent.preventDefault(e); next(); });
    label();
    return box;
  };
  control.addTo(map);
  chip = L.DomUtil.create("div", "fix-chip", map.getContainer());
  chip.id = "fix-chip";
  chip.hidden = true;
  chip.setAttribute("aria-live", "polite");

  function label() {
    const key = mode === "off" ? "locate" : mode === "show" ? "locate_follow" : "locate_off";
    button.title = t(key);
    button.setAttribute("aria-label", t(key));
    button.dataset.mode = mode;
  }

  function renderChip() {
    if (mode === "off") { chip.hidden = true; return; }
    chip.hidden = false;
    if (!last) { chip.textContent = t("waiting_for_fix"); chip.classList.remove("stale"); return; }
    chip.textContent = `±${last.accuracy_m.toFixed(0)} m · ${fixAge(last)}`;
    chip.classList.toggle("stale", Date.now() - last.at > STALE_AFTER_S * 1000);
  }

  function draw() {
    const at = [last.lat, last.lon];
    circle.setLatLng(at).setRadius(last.accuracy_m);
    dot.setLatLng(at);
    for (const layer of [circle, dot]) if (!map.hasLayer(layer)) layer.addTo(map);
    const heading = last.heading_deg ?? compass?.heading();
    if (heading == null) map.removeLayer(arrow);
    else { arrow.setLatLng(at).setIcon(headingIcon(heading)); if (!map.hasLayer(arrow)) arrow.addTo(map); }
    if (mode === "follow") map.panTo(at, { animate: false });
    else if (!centred) map.setView(at, Math.max(map.getZoom(), FIRST_ZOOM), { animate: false });
    centred = true;
  }

  function onPosition(pos) {
    const c = pos.coords;
    // GNSS course only while moving; otherwise the compass says where the phone points
    const moving = c.speed != null && c.speed > 0.5 && c.heading != null && !Number.isNaN(c.heading);
    last = { lon: c.longitude, lat: c.latitude, accuracy_m: c.accuracy, heading_deg: moving ? c.heading : null,
             at: pos.timestamp || Date.now() };
    if (mode !== "off") { draw(); renderChip(); }
    listeners.forEach((fn) => fn(last));
  }

  function onError(err) {
    if (mode === "off") return;
    chip.hidden = false;
    chip.textContent = `${t("no_fix")} (${err.message || err.code})`;
  }

  function start() {
    centred = false;
    compass = followCompass();
    watch = navigator.geolocation?.watchPosition(onPosition, onError, { enableHighAccuracy: true, maximumAge: 0, timeout: 30000 });
    ticker = setInterval(renderChip, 1000);
    if (last) draw();
  }

  function stop() {
    if (watch != null) navigator.geolocation.clearWatch(watch);
    compass?.stop();
    clearInterval(ticker);
    watch = null; compass = null;
    for (const layer of [circle, dot, arrow]) map.removeLayer(layer);
  }

  function next() {
    if (mode === "off") { mode = "show"; start(); }
    else if (mode === "show") { mode = "follow"; if (last) map.panTo([last.lat, last.lon]); }
    else { mode = "off"; stop(); }
    label();
    renderChip();
  }

  // moving the map by hand ends following, not showing
  map.on("dragstart", () => { if (mode === "follow") { mode = "show"; label(); } });
  onLanguageChange(() => { label(); renderChip(); });
  return { next, mode: () => mode, accuracyCircle: circle, dot };
}
