// One joint-inspection round as a party sees it: the line's two sides with their
// signatures, the findings of both, and, for the sides the inspector acts for, a form to
// record a finding and one to sign the side's part. Findings and the signature go
// through the outbox (a signature after the side's findings, as they were made), so the
// work is kept without signal. The printable report opens as its own page.
import { appUrl, authHeaders, getJson, sendJson } from "./api.js";
import { conditionLabel, loadConditions } from "./conditions.js";
import { confirmDialog, el } from "./dom.js";
import { currentLang, errorMessage, fmtDateTime, t, tf } from "./i18n.js";
import { openPanel, redrawWith } from "./panel.js";
import * as outbox from "./outbox.js";

let ctx = { user: null };

const sideName = (round, side) => {
  const party = round.parties.find((p) => p.side === side);
  const name = currentLang() === "en" ? party?.unit_name_romanized || party?.unit_name : party?.unit_name;
  return name ? `${name} (${side})` : side || t("organiser");
};

function partyItem(round, party) {
  const g = party.signature;
  return el("li", { class: g ? "party signed" : "party", "data-side": party.side },
    el("strong", {}, sideName(round, party.side)), " · ",
    g ? tf("signed_by", { name: g.signer_name, at: fmtDateTime(g.signed_at) }) : t("not_signed"),
    g?.statement ? el("div", { class: "muted small" }, g.statement) : "");
}

function findingItem(round, f) {
  return el("li", { class: "finding", "data-side": f.side || "" },
    el("strong", {}, f.marker_code || t("whole_line")), f.condition ? ` · ${conditionLabel(f.condition)}` : "",
    ` · ${f.finding}`, el("div", { class: "muted small" }, `${sideName(round, f.side)} · ${f.recorded_by}`));
}

/** Queue a finding or the signature; shown in the round once the server has it, else
 *  the note says it waits (or was refused: the outbox says why) and the form is cleared. */
async function queue(kind, roundId, body, form, note) {
  const id = await outbox.enqueue({ kind, round_id: roundId, [kind]: body }, { wait: true });
  const outcome = await outbox.outcome(id);
  if (outcome === "sent") return showRound(roundId);
  note.className = outcome === "rejected" ? "error" : "warn";
  note.textContent = t(outcome === "rejected" ? "round_refused" : "round_queued");
  form.reset();
  note.scrollIntoView({ block: "center" });
}

function findingForm(round, side, markers, conditions, note) {
  const marker = el("select", { id: "finding-marker" }, el("option", { value: "" }, t("whole_line")),
    ...markers.map((code) => el("option", { value: code }, code)));
  const condition = el("select", { id: "finding-condition" }, el("option", { value: "" }, "—"),
    ...conditions.map((c) => el("option", { value: c.code }, conditionLabel(c.code))));
  const text = el("textarea", { id: "finding-text", rows: "2", required: "", maxlength: "4000" });
  const action = el("input", { type: "checkbox", id: "finding-action" });
  const form = el("form", { id: "finding-form", class: "visit-form" },
    el("h3", {}, t("add_finding")), el("label", {}, t("marker"), marker), el("label", {}, t("condition"), condition),
    el("label", {}, t("finding"), text), el("label", { class: "check" }, action, t("action_required")),
    el("button", { type: "submit", class: "btn-primary", id: "finding-add" }, t("add_finding")));
  form.onsubmit = (e) => {
    e.preventDefault();
    queue("finding", round.round.id, { id: crypto.randomUUID(), side, marker_code: marker.value || null,
      condition: condition.value || null, finding: text.value.trim(), action_required: action.checked }, form, note);
  };
  return form;
}

function signForm(round, side, note) {
  const name = el("input", { id: "signer-name", required: "", maxlength: "100",
    value: ctx.user?.display_name || ctx.user?.username || "" });
  const statement = el("textarea", { id: "sign-statement", rows: "2", maxlength: "4000" });
  const form = el("form", { id: "sign-form", class: "visit-form" },
    el("h3", {}, tf("sign_for", { side: sideName(round, side) })), el("p", { class: "muted small" }, t("sign_closes")),
    el("label", {}, t("signer_name"), name), el("label", {}, t("sign_statement"), statement),
    el("button", { type: "submit", class: "btn-primary", id: "sign-side" }, t("sign_side")));
  form.onsubmit = async (e) => {
    e.preventDefault();
    const ok = await confirmDialog({ id: "confirm-sign", title: tf("sign_for", { side: sideName(round, side) }),
      lines: [t("sign_closes")], ok: t("sign_side") });
    if (ok) queue("signature", round.round.id, { side, signer_name: name.value.trim(), statement: statement.value.trim() || null }, form, note);
  };
  return form;
}

/** Both sides have signed: a party closes the round (today, the phone's date). */
async function complete(roundId, note) {
  const today = new Date();
  const day = new Date(today.getTime() - today.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  try {
    await sendJson("POST", `/api/v1/joint-inspections/${roundId}/complete`, { completed_on: day });
    showRound(roundId);
  } catch (err) {
    note.className = "error";
    note.textContent = errorMessage(err.body, "network_error");
  }
}

/** The printable report (a page of its own: printed or saved as it is). */
async function openReport(roundId) {
  const response = await fetch(appUrl(`/api/v1/joint-inspections/${roundId}/report.html`), { headers: authHeaders() });
  const page = URL.createObjectURL(new Blob([await response.text()], { type: "text/html" }));
  window.open(page, "_blank");
}

export async function showRound(roundId, chosen = null) {
  let round, markers, conditions;
  try {
    round = await getJson(`/api/v1/joint-inspections/${roundId}`);
    [markers, conditions] = await Promise.all([
      getJson(`/api/v1/markers?line=${round.round.line_code}&limit=1000`).then((fc) => fc.features.map((f) => f.properties.code)),
      loadConditions(),
    ]);
  } catch (err) {
    openPanel(t("rounds"), el("p", { class: "error" }, errorMessage(err.body, "network_error")));
    return;
  }
  const signed = new Set(round.parties.filter((p) => p.signature).map((p) => p.side));
  const open = round.round.status === "planned";
  const sides = round.your_sides;
  const side = chosen && sides.includes(chosen) ? chosen : sides.find((s) => !signed.has(s)) || sides[0];
  const note = el("p", { class: "muted", id: "round-note" });
  const picker = sides.length > 1
    ? el("label", {}, t("acting_for"), el("select", { id: "round-side", onchange: (e) => showRound(roundId, e.target.value) },
      ...sides.map((s) => el("option", { value: s, ...(s === side ? { selected: "" } : {}) }, sideName(round, s)))))
    : "";
  const mayWork = open && side && !signed.has(side);
  openPanel(`${t("round")} · ${round.line?.name || round.round.line_code}`,
    el("p", { class: "muted" }, `${round.round.line_code} · ${round.round.planned_on} · ${t("round_" + round.round.status)}`),
    el("h3", {}, t("parties")), el("ul", { class: "history", id: "round-parties" }, ...round.parties.map((p) => partyItem(round, p))),
    el("h3", {}, `${t("findings")} (${round.findings.length})`),
    round.findings.length ? el("ul", { class: "history", id: "round-findings" }, ...round.findings.map((f) => findingItem(round, f)))
      : el("p", { class: "muted" }, t("no_findings")),
    note, picker,
    mayWork ? findingForm(round, side, markers, conditions, note) : "",
    mayWork ? signForm(round, side, note) : "",
    el("div", { class: "actions" },
      open && sides.length && signed.size === round.parties.length
        ? el("button", { type: "button", class: "btn-primary", id: "round-complete", onclick: () => complete(roundId, note) },
          t("round_complete"))
        : "",
      el("button", { type: "button", class: "btn-secondary", id: "round-report", onclick: () => openReport(roundId) },
        t("round_report"))));
  redrawWith(() => showRound(roundId, side));
}

export function initRound(context) { ctx = context; }
