// The place-name officer's tools on the map: a search box whose results zoom to the
// place, and a panel to read a record, see its history, run the checks, edit it and
// move its naming requests along.
import { getJson, getWithEtag, may, sendJson } from "./api.js";
import { $, el } from "./dom.js";
import { currentLang, errorMessage, fmtDateTime, localized, onLanguageChange, t, tf } from "./i18n.js";

const BASE = "/api/v1/place-names";
const EDITABLE = ["name", "romanization", "status", "location_description", "meaning", "origin", "history"];
const STATUSES = ["standard", "variant", "historical", "pending", "cancelled", "non_standard"];
const NEXT = {
  application: ["review", "rejected", "withdrawn"],
  review: ["approval", "rejected", "withdrawn"],
  approval: ["announcement", "rejected", "withdrawn"],
  announcement: ["filed"],
};
const STAGE_FIELDS = {
  approval: ["expert_opinion", "consultation"],
  announcement: ["approval_body", "approval_document", "approval_date"],
  filed: ["announced_on", "filed_on"],
};
let ctx = { map: null, user: null, highlight: null, picking: null, openId: null };

const canEdit = () => may(ctx.user, "place_names");

export function initPlaceNames({ map, user }) {
  ctx = { ...ctx, map, user };
  const form = $("place-search");
  form.hidden = !user;
  $("place-panel-close").onclick = closePanel;
  let timer = null;
  const input = $("place-search-input");
  input.oninput = () => { clearTimeout(timer); timer = setTimeout(() => runSearch(input.value), 200); };
  form.onsubmit = (e) => { e.preventDefault(); runSearch(input.value, true); };
  input.onkeydown = (e) => { if (e.key === "Escape") clearResults(); };
  // an open record is redrawn in the new language
  onLanguageChange(() => { if (!$("place-panel").hidden && ctx.openId != null) showPlace(ctx.openId); });
}

function clearResults() { $("place-search-results").replaceChildren(); $("place-search-results").hidden = true; }

async function runSearch(q, openFirst = false) {
  q = q.trim();
  if (!q) { clearResults(); return; }
  let data;
  try {
    data = await getJson(`${BASE}?q=${encodeURIComponent(q)}&limit=10`);
  } catch (err) {
    $("place-search-results").replaceChildren(el("li", { class: "error" }, errorMessage(err.body, "network_error")));
    $("place-search-results").hidden = false;
    return;
  }
  const list = $("place-search-results");
  list.replaceChildren(...(data.results.length ? data.results.map((r) => el("li", {},
    el("button", { type: "button", class: "place-result", "data-id": r.id, onclick: () => { clearResults(); openPlace(r); } },
      el("strong", {}, r.name), " ", el("span", { class: "muted" }, r.romanization || ""),
      el("span", { class: "muted small block" }, `${r.admin_name || ""} · ${t("status_" + r.status)}`)))) :
    [el("li", { class: "muted" }, t("no_results"))]));
  list.hidden = false;
  if (openFirst && data.results.length) { clearResults(); openPlace(data.results[0]); }
}

function zoomTo(result) {
  if (ctx.highlight) ctx.map.removeLayer(ctx.highlight);
  ctx.highlight = null;
  // Keep the place clear of the panel: beside it on a wide screen, above it on a phone.
  const phone = window.innerWidth <= 600;
  const padding = { paddingBottomRight: phone ? [0, Math.round(window.innerHeight * 0.6)] : [360, 0], maxZoom: 12 };
  if (result.bbox && (result.bbox[0] !== result.bbox[2] || result.bbox[1] !== result.bbox[3])) {
    const [w, s, e, n] = result.bbox;
    ctx.map.fitBounds([[s, w], [n, e]], padding);
  } else if (result.lon != null) {
    ctx.map.fitBounds([[result.lat, result.lon], [result.lat, result.lon]], padding);
  } else {
    return;
  }
  if (result.lon != null) {
    ctx.highlight = L.circleMarker([result.lat, result.lon], { radius: 10, color: "#0d47a1", weight: 3, fill: false })
      .addTo(ctx.map);
  }
}

export function closePanel() {
  $("place-panel").hidden = true;
  ctx.openId = null;
  if (ctx.highlight) { ctx.map.removeLayer(ctx.highlight); ctx.highlight = null; }
}

async function openPlace(result) {
  zoomTo(result);
  await showPlace(result.id);
}

function row(label, value) {
  return el("tr", {}, el("th", {}, label), el("td", {}, value ?? ""));
}

/** Where the place is, in degrees: the point itself, or the centre of a line or area. */
function locationText(geometry) {
  if (!geometry) return t("not_located");
  const fmt = ([lon, lat]) => `${lon.toFixed(6)}°E, ${lat.toFixed(6)}°N`;
  if (geometry.type === "Point") return fmt(geometry.coordinates);
  const flat = [];
  const walk = (c) => (typeof c[0] === "number" ? flat.push(c) : c.forEach(walk));
  walk(geometry.coordinates);
  const lons = flat.map((c) => c[0]), lats = flat.map((c) => c[1]);
  const centre = [(Math.min(...lons) + Math.max(...lons)) / 2, (Math.min(...lats) + Math.max(...lats)) / 2];
  return `${t("geom_" + geometry.type)} · ${t("centre")} ${fmt(centre)}`;
}

/** One finding as the officer reads it: severity, the rule's name, what is wrong, what to do. */
function findingLine(f) {
  return el("p", { class: `finding ${f.severity}`, "data-rule": f.rule },
    el("strong", {}, `${t("severity_" + f.severity)} · ${t("rule_" + f.rule)}: `), localized(f, "message"),
    f.suggestion ? el("span", { class: "small block" }, localized(f, "suggestion")) : "");
}

/** Candidates as buttons that put the chosen form into the edit form, and the parts to review. */
function romanizationChoices(result) {
  const choose = (form) => {
    const input = document.querySelector("#place-edit-form [name=romanization]");
    if (!input) return;
    input.value = form;
    input.focus();
    input.closest("label")?.classList.add("changed");
  };
  return el("div", { class: "roman-choices" },
    el("div", { class: "candidates" }, ...result.candidates.map((form, i) => canEdit()
      ? el("button", { type: "button", class: i ? "btn-secondary candidate" : "btn-primary candidate", onclick: () => choose(form),
        title: t("use_form") }, form)
      : el("span", { class: "candidate" }, form))),
    ...result.review.map((r) => el("p", { class: "warn small", "data-reason": r.reason }, localized(r, "message"))));
}

function romanizeTool(p) {
  const input = el("input", { name: "romanize-text", value: p.name, maxlength: "50", "aria-label": t("romanize_tool") });
  const out = el("div", { id: "romanize-result" });
  const run = async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    try {
      const level = p.level && p.level !== "other" ? `&level=${p.level}` : "";
      out.replaceChildren(romanizationChoices(await getJson(`${BASE}/romanize?name=${encodeURIComponent(text)}${level}`)));
    } catch (err) {
      out.replaceChildren(el("p", { class: "error" }, errorMessage(err.body, "network_error")));
    }
  };
  return el("details", { class: "romanize-tool", id: "romanize-tool" }, el("summary", {}, t("romanize_tool")),
    el("form", { class: "inline-form", onsubmit: run }, input, el("button", { type: "submit", class: "btn-secondary" }, t("romanize"))),
    out);
}

export async function showPlace(id) {
  const body = $("place-panel-body");
  body.replaceChildren(el("p", { class: "muted" }, t("loading")));
  $("place-panel").hidden = false;
  let record, etag;
  try {
    ({ body: record, etag } = await getWithEtag(`${BASE}/${id}`));
  } catch (err) {
    body.replaceChildren(el("p", { class: "error" }, errorMessage(err.body, "network_error")));
    return;
  }
  const p = record.properties;
  ctx.openId = id;
  $("place-panel-title").textContent = p.name;
  const suggestion = p.romanization_suggestion;
  const categoryName = currentLang() === "zh" ? p.category_name : p.category_name_en;
  const sections = [
    el("p", { class: "place-roman" }, p.romanization || t("no_romanization"), " ",
      el("span", { class: `badge status-${p.status}` }, t("status_" + p.status))),
    p.mongolian_script ? el("p", { class: "mongolian-script", lang: "mn-Mong", title: t("mongolian_script") }, p.mongolian_script) : "",
    el("table", { class: "props" },
      row(t("specific_generic"), `${p.specific_part} | ${p.generic_part}`),
      row(t("category"), `${p.category_code || ""} ${categoryName || ""}`),
      row(t("admin_unit"), `${p.admin_name || ""} (${p.admin_code || ""})`),
      row(t("location"), locationText(record.geometry)),
      row(t("location_description"), p.location_description),
      row(t("meaning"), p.meaning), row(t("origin"), p.origin), row(t("history_text"), p.history),
      row(t("former_names"), (p.former_names || []).join("、")),
      row(t("approval"), [p.approval_body, p.approval_document, p.approval_date].filter(Boolean).join(" · ")),
      row(t("version"), `${p.version} · ${p.updated_by}`),
      row(t("source"), p.source)),
    el("details", { class: "roman-suggestion" }, el("summary", {}, `${t("romanization_suggestion")}: ${suggestion.romanization}`),
      romanizationChoices(suggestion)),
    romanizeTool(p),
  ];
  const findings = el("div", { id: "place-findings" });
  sections.push(el("h3", {}, t("checks")), findings,
    el("button", { type: "button", class: "btn-secondary", id: "place-run-checks",
      onclick: () => runChecks(p, findings) }, t("run_checks")));
  await listFindings(id, findings);
  const history = el("div", { id: "place-history" });
  sections.push(el("details", { ontoggle: (e) => e.target.open && loadHistory(id, history) },
    el("summary", {}, t("version_history")), history));
  const requests = el("div", { id: "place-requests" });
  sections.push(el("h3", {}, t("naming_requests")), requests);
  await loadRequests(id, requests);
  if (canEdit()) sections.push(editForm(id, p, etag, record.geometry));
  body.replaceChildren(...sections);
}

async function listFindings(id, box) {
  const data = await getJson(`${BASE}/findings?place_name_id=${id}&status=open`);
  box.replaceChildren(...(data.findings.length ? data.findings.map(findingLine) :
    [el("p", { class: "muted small" }, t("no_open_findings"))]));
}

async function runChecks(p, box) {
  try {
    // the server leaves the record itself out of its own duplicate scope; every other
    // finding is shown, duplicates included
    const { body } = await sendJson("POST", `${BASE}/check`,
      { name: p.name, admin_code: p.admin_code, level: p.level === "other" ? null : p.level, place_name_id: p.id });
    box.replaceChildren(...(body.findings.length ? body.findings.map(findingLine) :
      [el("p", { class: "ok small" }, t("checks_passed"))]));
  } catch (err) {
    box.replaceChildren(el("p", { class: "error" }, errorMessage(err.body, "network_error")));
  }
}

async function loadHistory(id, box) {
  const data = await getJson(`${BASE}/${id}/history`);
  const fieldName = (k) => t(k === "history" ? "history_text" : k);
  box.replaceChildren(el("ul", { class: "history" }, ...data.versions.map((v) =>
    el("li", {}, el("strong", {}, `v${v.version}`), ` ${fmtDateTime(v.valid_from)} · ${v.changed_by}`,
      el("span", { class: "block small" }, v.reason),
      el("span", { class: "block small muted" },
        Object.keys(v.diff || {}).filter((k) => !["created", "waived"].includes(k)).map(fieldName).join("、")),
      v.diff?.waived ? el("span", { class: "block small warn waiver" },
        `${t("waived")}（${v.diff.waived.rules.map((r) => t("rule_" + r)).join("、")}）：${v.diff.waived.reason}`) : ""))));
}

async function loadRequests(id, box) {
  const data = await getJson(`${BASE}/requests`);
  const mine = data.requests.filter((r) => r.place_name_id === id);
  box.replaceChildren(...(mine.length ? mine.map((r) => requestItem(r, id)) : [el("p", { class: "muted small" }, t("no_requests"))]));
}

function requestItem(r, placeId) {
  const basis = currentLang() === "en" ? r.approval.basis_en : r.approval.basis_zh;
  const next = NEXT[r.stage] || [];
  const item = el("div", { class: "request", "data-request": String(r.id) },
    el("p", {}, el("strong", {}, `#${r.id} ${t("kind_" + r.kind)}`), ` · ${t("stage_" + r.stage)}`),
    el("p", { class: "small" }, r.reason),
    el("p", { class: "small muted approval-basis", title: basis },
      tf("approved_by", { level: t("approval_level_" + r.approval.level), unit: r.approval.unit })),
    next.length && !r.yours ? el("p", { class: "small warn waiting-for" }, tf("waiting_for_unit", { unit: r.next_step_by })) : "");
  // the next step is this officer's bureau's (placenames/approval.py on the server)
  if (canEdit() && next.length && r.yours) {
    const select = el("select", { name: "to" }, ...next.map((s) => el("option", { value: s }, t("stage_" + s))));
    const fields = el("div", {});
    const renderFields = () => fields.replaceChildren(...(STAGE_FIELDS[select.value] || []).map((f) =>
      el("label", {}, t(f), el("input", { name: f, type: f.endsWith("_date") || f.endsWith("_on") ? "date" : "text" }))));
    select.onchange = renderFields;
    renderFields();
    const error = el("p", { class: "error", hidden: "" });
    const form = el("form", { class: "advance" }, select, fields, error,
      el("button", { type: "submit", class: "btn-secondary" }, t("advance")));
    form.onsubmit = async (e) => {
      e.preventDefault();
      const payload = { to: select.value };
      for (const input of fields.querySelectorAll("input")) if (input.value) payload[input.name] = input.value;
      try {
        await sendJson("POST", `${BASE}/requests/${r.id}/advance`, payload);
        await showPlace(placeId);
      } catch (err) {
        error.textContent = errorMessage(err.body, "network_error");
        error.hidden = false;
      }
    };
    item.append(form);
  }
  return item;
}

function editForm(id, p, etag, geometry) {
  const inputs = EDITABLE.map((key) => {
    if (key === "status") {
      return el("label", {}, t("status"), el("select", { name: key },
        ...STATUSES.map((s) => { const o = el("option", { value: s }, t("status_" + s)); if (s === p[key]) o.selected = true; return o; })));
    }
    const long = ["meaning", "origin", "history", "location_description"].includes(key);
    const input = long ? el("textarea", { name: key, rows: "2" }) : el("input", { name: key });
    input.value = p[key] ?? "";
    return el("label", {}, t(key === "history" ? "history_text" : key), input);
  });
  const reason = el("input", { name: "reason", required: "" });
  const error = el("p", { class: "error", role: "alert", hidden: "" });
  // a name that breaks a prohibition comes back with its findings: the officer renames it,
  // or waives them with a reason that is kept in the record's history
  const refused = el("div", { class: "refused", id: "place-refused", hidden: "" });
  const waiver = el("textarea", { name: "waiver_reason", rows: "2", minlength: "3" });
  const pick = el("button", { type: "button", class: "btn-secondary", id: "place-pick-location" },
    geometry ? t("move_location") : t("set_location"));
  let picked = null;
  pick.onclick = () => {
    pick.textContent = t("click_map");
    ctx.map.getContainer().classList.add("picking");
    ctx.map.once("click", (e) => {
      ctx.map.getContainer().classList.remove("picking");
      picked = { type: "Point", coordinates: [Number(e.latlng.lng.toFixed(7)), Number(e.latlng.lat.toFixed(7))] };
      pick.textContent = `${picked.coordinates[0]}, ${picked.coordinates[1]}`;
    });
  };
  const form = el("form", { class: "place-edit", id: "place-edit-form" }, el("h3", {}, t("edit")), ...inputs, pick,
    el("label", {}, t("reason"), reason), refused, error, el("button", { type: "submit", class: "btn-primary" }, t("save")));
  form.onsubmit = async (e) => {
    e.preventDefault();
    error.hidden = true;
    const changes = { reason: reason.value.trim() };
    if (!refused.hidden) {
      if (waiver.value.trim().length < 3) { error.textContent = t("waiver_needed"); error.hidden = false; waiver.focus(); return; }
      changes.waiver_reason = waiver.value.trim();
    }
    for (const key of EDITABLE) {
      const value = form.elements[key].value.trim();
      if (value !== (p[key] ?? "")) changes[key] = value === "" ? null : value;
    }
    if (picked) changes.geometry = picked;
    try {
      await sendJson("PATCH", `${BASE}/${id}`, changes, { "If-Match": etag });
      await showPlace(id);
      $("status").textContent = t("saved"); $("status").hidden = false;
      setTimeout(() => { $("status").hidden = true; }, 2500);
    } catch (err) {
      if (err.status === 409 && err.body?.code === "name_refused") {
        refused.replaceChildren(el("p", { class: "error" }, t("name_refused")),
          ...err.body.findings.map(findingLine), el("label", {}, t("waiver_reason"), waiver));
        refused.hidden = false;
        form.querySelector("button[type=submit]").textContent = t("save_with_waiver");
        waiver.focus();
        return;
      }
      error.textContent = err.status === 412 ? t("changed_meanwhile") : errorMessage(err.body, "network_error");
      error.hidden = false;
    }
  };
  // a new name is judged afresh: a waiver given for another name does not carry over
  form.elements.name.addEventListener("input", () => {
    refused.hidden = true;
    form.querySelector("button[type=submit]").textContent = t("save");
  });
  return form;
}
