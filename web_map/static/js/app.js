// The web map: sign-in, catalogue layers, labels, scale bar, coordinate read-out.
import { showAccount } from "./account_panel.js";
import { initUsers, showUsers } from "./users_panel.js";
import { initRegister, showEditions } from "./register_panel.js";
import * as api from "./api.js";
import { initAreas, showAreas } from "./areas_panel.js";
import { addBasemap } from "./basemap.js";
import { installCoordinateReadout } from "./coords.js";
import { applyTexts, currentLang, errorMessage, onLanguageChange, pick, setHome, t, toggleLanguage, useVocabularies } from "./i18n.js";
import { buildLayerSwitcher, createCatalogueLayer } from "./layers.js";
import { $, confirmDialog, el } from "./dom.js";
import { initMarkerPanel, showMarker, showSign } from "./marker_panel.js";
import { MarkerLayer } from "./markers.js";
import { installMyLocation } from "./my_location.js";
import { warmApiCache } from "./offline_store.js";
import { flushNow, onChange as onOutboxChange, pending, refresh as redrawOutbox } from "./outbox.js";
import { initPlaceNames, showPlace } from "./placename_panel.js";
import { initRepairs, showRepairs } from "./repairs_panel.js";
import { openPanel, redrawPanel, redrawWith } from "./panel.js";
import { initTrack, showRounds, stopTrack } from "./track.js";
import { initRound } from "./round_panel.js";
import { invitationSecret, showInvitation } from "./invitation_panel.js";

const state = { map: null, config: null, layers: new Map(), switcher: null, user: null, coords: null, basemap: null };

function showStatus(message) {
  const el = $("status");
  el.textContent = message || "";
  el.hidden = !message;
}

function createMap(config) {
  const map = L.map("map", { zoomControl: true, preferCanvas: false, minZoom: 3, maxZoom: 18 })
    .fitBounds(config.unit_bounds || config.home_bounds);
  if (config.tianditu_key) {
    // Optional base map (CGCS2000-aligned Tianditu, Web Mercator tiles).
    const url = (layer) => `https://t{s}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${config.tianditu_key}`;
    const opts = { subdomains: "01234567", maxZoom: 18, attribution: "© 天地图" };
    L.tileLayer(url("vec"), opts).addTo(map);
    L.tileLayer(url("cva"), opts).addTo(map);
  }
  // names are read over the marker clusters (Leaflet's marker pane is 600), never under them
  const labels = map.createPane("labels");
  labels.style.zIndex = 620;
  labels.style.pointerEvents = "none";
  L.control.scale({ metric: true, imperial: false, position: "bottomright" }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.on("zoomend", () => state.layers.forEach((layer) => layer.updateLabelVisibility?.()));
  state.coords = installCoordinateReadout(map, $("coords"));
  state.myLocation = installMyLocation(map);
  return map;
}

async function showTownships(decl, visible) {
  const panel = $("township-panel");
  panel.hidden = !visible;
  if (!visible) return;
  const list = $("township-list");
  list.textContent = t("loading");
  const features = await api.getAllFeatures(`${decl.links.items}?limit=1000`);
  const byCounty = new Map();
  for (const f of features) {
    const key = f.properties.county_name || f.properties.parent_code;
    if (!byCounty.has(key)) byCounty.set(key, []);
    byCounty.get(key).push(f.properties);
  }
  list.textContent = "";
  for (const [county, units] of byCounty) {
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = `${county} (${units.length})`;
    const ul = document.createElement("ul");
    for (const u of units) {
      const li = document.createElement("li");
      li.textContent = `${u.name} · ${u.code}`;
      ul.append(li);
    }
    details.append(summary, ul);
    list.append(details);
  }
}

async function toggleLayer(decl, visible) {
  if (decl.geometry_type === "none") return showTownships(decl, visible);
  const layer = state.layers.get(decl.id);
  if (!layer) return;
  try {
    if (visible) await layer.show(); else layer.hide();
  } catch (err) {
    showStatus(errorMessage(err.body, "network_error"));
  }
}

/** The role's tools and layers follow whoever is signed in now. */
async function refreshConfig() {
  state.config = await api.getJson("/api/v1/map-config").catch(() => state.config);
}

/** A tool the signed-in role's top bar offers (map-config `actions`). */
const offers = (action) => Boolean(state.user) && (state.config?.actions || []).includes(action);

/** The catalogue's layers for whoever is signed in now; `configRead`: the caller has just
 *  read map-config, so it is not read again. */
async function loadLayers({ configRead = false } = {}) {
  if (!configRead) await refreshConfig();
  state.layers.forEach((layer) => layer.hide && layer.hide());
  state.layers.clear();
  if (state.switcher) state.switcher.remove();
  let catalogue;
  try {
    catalogue = await api.getJson("/api/v1/layers");
  } catch (err) {
    if (err.status === 401) { openSignIn(); return; }
    showStatus(errorMessage(err.body, "network_error"));
    return;
  }
  if (!catalogue.layers.length) { showStatus(t("no_layers")); return; }
  if (!state.basemap) state.basemap = addBasemap(state.map);  // once signed in: its tiles need the token
  for (const decl of catalogue.layers) {
    if (decl.map_renderer === "cluster") {
      state.layers.set(decl.id, new MarkerLayer(state.map, decl, { onSelect: showMarker }));
    } else if (decl.geometry_type !== "none") {
      const onSelect = decl.id === "place_name_sign" ? (p) => showSign(p.code)
        : decl.id.startsWith("place_name") ? (p) => showPlace(p.id) : null;
      state.layers.set(decl.id, createCatalogueLayer(state.map, decl, { focusCode: state.config.home_code, onSelect }));
    }
  }
  if (state.layers.has("boundary_marker")) {
    await initMarkerPanel({ user: state.user, map: state.map, markerLayer: state.layers.get("boundary_marker"),
      config: state.config, nearest: offers("nearest_markers") });
    initAreas({ map: state.map, config: state.config });
    initRepairs({ user: state.user });
    initTrack({ map: state.map });
    initRound({ user: state.user });
    $("tools-button").hidden = !offers("field_tools");
  }
  initPlaceNames({ map: state.map, user: state.user });
  initUsers(state.config);
  initRegister({ user: state.user, config: state.config });
  state.switcher = buildLayerSwitcher(state.map, catalogue.layers, { onToggle: toggleLayer });
  await Promise.all(catalogue.layers.filter((d) => d.default_visible).map((d) => toggleLayer(d, true)));
  document.body.dataset.layersReady = "true";
  if (state.user && api.token()) keepForOffline();
}

/** The field tools: offline areas, repair orders, joint-inspection tracks. */
function showTools() {
  const button = (id, key, fn) => el("button", { class: "btn-secondary tool", id, type: "button", onclick: fn }, t(key));
  openPanel(t("tools"), el("div", { class: "actions tools" },
    button("open-areas", "offline_areas", showAreas), button("open-repairs", "repairs", () => showRepairs()),
    button("open-rounds", "rounds", showRounds), button("open-account", "my_account", showAccount),
    offers("accounts_page") ? button("open-users", "accounts", () => showUsers()) : "",
    offers("register_review") ? button("open-register", "register_update_short", showEditions) : ""),
    state.user ? el("p", { class: "muted", id: "tools-user" }, t("signed_in_as").replace("{user}", $("user-name").textContent)) : "");
  redrawWith(showTools);
}

function renderUser() {
  const signedIn = Boolean(state.user);
  $("user-box").hidden = !signedIn;
  $("sign-in-open").hidden = signedIn;
  $("offline-badge").hidden = api.serverReachable();
  if (signedIn) {
    $("user-name").textContent = `${state.user.display_name || state.user.username} · ${t("role_" + state.user.role)}`;
  }
  $("planner-link").hidden = !offers("planner_page");
  // in the top bar for the officers; for those with the field tools, among them (the bar
  // of a role with every tool must still fit a 360-px phone)
  $("register-button").hidden = !offers("register_review") || offers("field_tools");
}

function openSignIn(message = "") {
  $("sign-in").hidden = false;
  $("demo-hint").hidden = !state.config?.demo_mode;
  $("sign-in-message").textContent = message;
  $("sign-in-message").hidden = !message;
  const remembered = api.rememberedUser()?.username || api.lastUserName();
  if (remembered && !$("username").value) $("username").value = remembered;
  ($("username").value ? $("password") : $("username")).focus();
}

async function onSignIn(event) {
  event.preventDefault();
  const error = $("sign-in-error");
  error.hidden = true;
  try {
    state.user = await api.signIn($("username").value.trim(), $("password").value);
  } catch (err) {
    error.textContent = errorMessage(err.body, "network_error");
    error.hidden = false;
    $("password").select();
    return;
  }
  $("password").value = "";
  await signedIn();
}

/** After a sign-in (the form, or an invitation link): this user's map. */
async function signedIn() {
  $("sign-in").hidden = true;
  await refreshConfig();
  if (state.map && state.config?.unit_bounds) state.map.fitBounds(state.config.unit_bounds);  // a banner's account: its banner
  renderUser();
  if (state.user.password_change_required) { showAccount({ required: true }); return; }
  showStatus("");
  flushNow();  // what waited for the sign-in goes now
  // the layers, tools and panels are this user's (a sign-in after a read-only start too)
  await loadLayers({ configRead: true });
}

/** Signing out with items waiting, or with no server in reach, asks first: the items stay
 *  on the phone, but signing in again needs signal. On a phone, where the top bar has no
 *  room for the user's name and the button is an icon, it always asks, naming the user. */
async function confirmSignOut() {
  const waiting = (await pending()).length;
  const unreachable = !api.serverReachable();
  const phone = window.matchMedia("(max-width: 600px)").matches;
  if (!waiting && !unreachable && !phone) return true;
  return confirmDialog({ id: "sign-out-confirm", title: t("sign_out"), ok: waiting || unreachable ? t("sign_out_anyway") : t("sign_out"),
    lines: [phone && state.user && { muted: true, text: t("signed_in_as").replace("{user}", $("user-name").textContent) },
      waiting && t("sign_out_waiting").replace("{n}", waiting), unreachable && t("sign_out_offline")] });
}

async function onSignOut() {
  if (!(await confirmSignOut())) return;
  stopTrack();
  await api.signOut();
  state.user = null;
  await refreshConfig();
  renderUser();
  await loadLayers({ configRead: true });
  if (!state.layers.size) openSignIn();
  else if (!api.serverReachable()) showStatus(t("signed_out_read_only"));
}

/** Signed out with items waiting, and the server answers: ask for the sign-in that sends them. */
async function askToSignInForTheQueue() {
  const waiting = (await pending()).length;
  if (!state.user && waiting && $("sign-in").hidden) openSignIn(t("sign_in_to_send").replace("{n}", waiting));
}

async function main() {
  applyTexts();
  $("lang-toggle").textContent = currentLang() === "zh" ? "EN" : "中文";
  $("lang-toggle").onclick = toggleLanguage;
  onLanguageChange(() => {
    $("lang-toggle").textContent = currentLang() === "zh" ? "EN" : "中文";
    state.switcher?.refresh?.();
    state.layers.forEach((layer) => layer.renderLabels && (layer.labelFeatures.length || layer.legend) && layer.renderLabels());
    state.coords?.refresh();
    renderUser();
    redrawOutbox();
    redrawPanel();
  });
  $("sign-in-form").addEventListener("submit", onSignIn);
  $("sign-in-form").dataset.ready = "true";  // (method=post: a submit before this never puts the password in a URL)
  $("sign-out").onclick = onSignOut;
  $("sign-in-open").onclick = openSignIn;
  $("township-close").onclick = () => { $("township-panel").hidden = true; };
  $("tools-button").onclick = showTools;
  $("register-button").onclick = showEditions;
  $("user-name").onclick = showAccount;
  // A refused token keeps the user and the queue: only the password is asked for.
  api.setUnauthorizedHandler(() => openSignIn(t("session_expired_queue")));
  window.addEventListener("online", () => {
    renderUser();
    if (state.user && !api.token()) openSignIn(t("session_expired_queue"));
  });
  window.addEventListener("offline", renderUser);
  watchReachability();
  refreshMarkersAfterSync();
  registerServiceWorker();

  try {
    state.config = await api.getJson("/api/v1/map-config");
  } catch (err) {
    showStatus(t("network_error"));
    return;
  }
  setHome(state.config.home);
  useVocabularies(state.config.vocabularies);
  applyTexts();
  if (!window.L.DomEvent.fakeStop) window.L.DomEvent.fakeStop = window.L.DomEvent.stop;
  state.map = createMap(state.config);
  window.gisMap = state;  // for debugging and the browser tests
  if (api.token()) {
    try { state.user = await api.getJson("/api/v1/auth/me"); } catch (err) { state.user = err.offline ? api.rememberedUser() : null; }
  } else if (api.rememberedUser() && !navigator.onLine) {
    state.user = api.rememberedUser();  // offline after the token expired: work on, sign in later
  }
  renderUser();
  // an invitation link: the user chooses a password, then the map is theirs
  const invitation = invitationSecret();
  if (invitation) {
    showInvitation(invitation, (user) => { state.user = user; signedIn(); });
    return;
  }
  // an administrator's one-time password is changed before anything else (the server
  // answers nothing else for this account until then)
  if (state.user?.password_change_required && api.token()) { showAccount({ required: true }); return; }
  if (state.user && !api.token() && navigator.onLine) openSignIn(t("session_expired_queue"));
  if (!state.user && !state.config.anonymous_layers.length) {
    // signed out with no server in reach: the downloaded areas stay viewable, read-only
    if (api.serverReachable()) { openSignIn(); askToSignInForTheQueue(); return; }
    await loadLayers({ configRead: true });
    if (!state.layers.size) { openSignIn(); return; }
    showStatus(t("signed_out_read_only"));
    return;
  }
  await loadLayers({ configRead: true });
}

/** When the queue has been sent, the markers are read again: the map and its legend then
 *  show the server's conditions (other inspectors' visits too), not the phone's guesses. */
function refreshMarkersAfterSync() {
  let waitingBefore = 0;
  onOutboxChange(async (items) => {
    const waiting = items.filter((i) => i.status !== "rejected").length;
    const layer = state.layers.get("boundary_marker");
    if (waitingBefore && !waiting && api.serverReachable() && layer?.features.length) {
      await layer.reload().catch(() => {});
      layer.showLegend();
    }
    waitingBefore = waiting;
  });
}

const PROBE_EVERY_MS = 15000;

/** The offline badge follows whether the service answers, not only whether the phone has
 *  a network; while it does not, a light request asks again now and then, and the queue
 *  goes as soon as it answers. */
function watchReachability() {
  let probe = null;
  const ask = () => fetch(api.appUrl("/healthz"), { cache: "no-store", signal: AbortSignal.timeout(5000) })
    .then((r) => api.heard(r.ok)).catch(() => api.heard(false));
  api.onReachability((answered) => {
    renderUser();
    clearInterval(probe);
    probe = null;
    if (answered) {
      flushNow();
      askToSignInForTheQueue();
      navigator.serviceWorker?.getRegistration().then((reg) => reg?.update()).catch(() => {});  // a release may have come meanwhile
    } else probe = setInterval(ask, PROBE_EVERY_MS);
  });
  window.addEventListener("online", ask);
}

/** Once the service worker controls the page, let it keep the app's start reads, so that
 *  the app opens offline with this user's data even before an area is downloaded. */
function keepForOffline() {
  if (!("serviceWorker" in navigator)) return;
  const warm = () => warmApiCache().then(() => { document.body.dataset.offlineReady = "true"; });
  if (navigator.serviceWorker.controller) warm();
  else navigator.serviceWorker.addEventListener("controllerchange", warm, { once: true });
}

/** The offline app: the service worker keeps the shell; a new release waits until the
 *  user takes it, so nothing in hand (a form, the queue) is interrupted. */
function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const offer = (worker) => {
    $("update-banner").hidden = false;
    $("update-now").onclick = () => worker.postMessage("skip-waiting");
  };
  // a worker that finishes installing while a controller exists is a new release
  const watch = (worker) => worker?.addEventListener("statechange", () => {
    if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
  });
  navigator.serviceWorker.register(api.appUrl("/sw.js")).then((reg) => {
    if (reg.waiting && navigator.serviceWorker.controller) offer(reg.waiting);
    watch(reg.installing);  // one may already be installing when this page starts
    reg.addEventListener("updatefound", () => watch(reg.installing));
    if (navigator.onLine) reg.update().catch(() => {});  // look for a release at every start
    document.body.dataset.swRegistered = "true";
  }).catch(() => {});
  let reloaded = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloaded || !$("update-banner").dataset.taken) return;
    reloaded = true;
    window.location.reload();
  });
  $("update-now").addEventListener("click", () => { $("update-banner").dataset.taken = "1"; });
}

window.addEventListener("DOMContentLoaded", main);
