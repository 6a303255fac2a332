// Repair work (维修单): the open orders of markers and signs, the inspector's own first,
// filtered by line and banner, each with its age; open one on the map or close it with
// the condition after the work and a photo. Administrators assign orders. Offline, the
// list comes from the downloaded areas' cards.
import { getJson, may, sendJson } from "./api.js";
import { errorMessage, t, tf } from "./i18n.js";
import { el } from "./dom.js";
import { conditionLabel } from "./conditions.js";
import { ASSETS, showMarker, showRepairClose, showSign } from "./marker_panel.js";
import { openPanel, redrawWith } from "./panel.js";
import * as store from "./offline_store.js";

let ctx = { user: null };

async function onlineOrders(filters) {
  const query = new URLSearchParams({ status: "open", ...filters }).toString();
  const [markers, signs] = await Promise.all([
    getJson(`/api/v1/repairs?${query}`),
    filters.line ? { repairs: [] } : getJson(`/api/v1/sign-repairs?${new URLSearchParams({ status: "open", ...(filters.banner ? { banner: filters.banner } : {}) })}`),
  ]);
  return [...markers.repairs.map((r) => ({ ...r, asset: "marker", code: r.marker_code })),
          ...signs.repairs.map((r) => ({ ...r, asset: "sign", code: r.sign_code }))];
}

/** The open orders the downloaded cards know of (offline). */
async function offlineOrders(filters) {
  const out = [];
  for (const r of await store.allRecords()) {
    const [kind] = r.key.split(":");
    const d = r.data;
    if (kind === "marker" && d.open_repair) {
      const line = d.properties.line_code;
      if (filters.line && line !== filters.line) continue;
      if (filters.banner && !line.split("-").includes(filters.banner)) continue;
      const [lon, lat] = d.geometry.coordinates;
      out.push({ ...d.open_repair, asset: "marker", code: d.properties.code, line_code: line, lon, lat,
                 assigned_to: d.open_repair.assigned_to_user,
                 age_days: Math.floor((Date.now() - Date.parse(d.open_repair.opened_at)) / 864e5) });
    }
  }
  const mine = (o) => (o.assigned_to === ctx.user?.username ? 0 : 1);
  return out.sort((a, b) => mine(a) - mine(b) || a.opened_at.localeCompare(b.opened_at));
}

async function assign(order, username) {
  const api = ASSETS[order.asset].repairs_api;
  await sendJson("POST", `${api}/${order.id}/assign`, { assignee: username || null });
}

function orderItem(order, inspectors) {
  const asset = ASSETS[order.asset];
  const open = () => (order.asset === "marker" ? showMarker(order.code) : showSign(order.code));
  const actions = el("div", { class: "actions" },
    el("button", { class: "btn-secondary", type: "button", onclick: open }, t("show_on_map")));
  if (may(ctx.user, asset.capability)) {
    actions.append(el("button", { class: "btn-secondary close-order", type: "button",
      onclick: () => showRepairClose(order.code, order, asset, [order.lat, order.lon]) }, t("close_repair")));
  }
  if (inspectors) {
    const select = el("select", { class: "assign-select", "aria-label": t("assign") },
      el("option", { value: "" }, t("unassigned")), ...inspectors.map((u) => el("option", { value: u }, u)));
    select.value = order.assigned_to || "";
    select.onchange = () => assign(order, select.value).then(() => showRepairs()).catch((err) => alert(errorMessage(err.body, "network_error")));
    actions.append(select);
  }
  return el("li", { class: "repair-order", "data-id": String(order.id) },
    el("strong", {}, order.code), ` · ${conditionLabel(order.reason)} · ${tf("age_days", { n: order.age_days })}`,
    el("div", { class: "muted small" }, order.assigned_to ? `${t("assigned_to")} ${order.assigned_to}` : t("unassigned"),
      order.line_code ? ` · ${order.line_code}` : ""), actions);
}

export async function showRepairs(filters = {}) {
  let orders, offline = false;
  try {
    orders = await onlineOrders(filters);
  } catch (err) {
    if (!err.offline) { openPanel(t("repairs"), el("p", { class: "error" }, errorMessage(err.body, "network_error"))); return; }
    orders = await offlineOrders(filters);
    offline = true;
  }
  let inspectors = null;
  if (may(ctx.user, "administration") && !offline) {
    const users = await getJson("/api/v1/users").catch(() => []);
    // who may take a marker's repair (the sign repairs' list asks the same of each order)
    inspectors = users.filter((u) => may(u, "field_work") && u.is_active !== false).map((u) => u.username);
  }
  const mine = orders.filter((o) => o.assigned_to && o.assigned_to === ctx.user?.username);
  const rest = orders.filter((o) => !mine.includes(o));
  const line = el("input", { id: "repair-filter-line", placeholder: "150622-150627", value: filters.line || "", size: "14" });
  const banner = el("input", { id: "repair-filter-banner", placeholder: "150622", value: filters.banner || "", size: "7" });
  const filterForm = el("form", { class: "filters" }, el("label", {}, t("filter_line"), line), el("label", {}, t("filter_banner"), banner),
    el("button", { class: "btn-secondary", type: "submit" }, "↻"));
  filterForm.onsubmit = (e) => {
    e.preventDefault();
    showRepairs(Object.fromEntries(Object.entries({ line: line.value.trim(), banner: banner.value.trim() }).filter(([, v]) => v)));
  };
  const list = (items, id) => el("ul", { class: "history", id }, ...items.map((o) => orderItem(o, inspectors)));
  openPanel(t("repairs"), offline ? el("p", { class: "warn" }, t("offline_area_card")) : "", filterForm,
    mine.length ? el("h3", {}, `${t("my_repairs")} (${mine.length})`) : "", mine.length ? list(mine, "my-repairs") : "",
    el("h3", {}, `${t("all_repairs")} (${rest.length})`), rest.length ? list(rest, "repair-list") : el("p", { class: "muted" }, t("no_repairs")));
  redrawWith(() => showRepairs(filters));
}

export function initRepairs(context) { ctx = context; }
