// Accounts, for administrators: the accounts of their unit and the units below it, by
// unit; a new account with an invitation link (its user chooses a password through it) or
// a one-time password (changed at its first sign-in); for one account, a new link or
// one-time password, deactivation and ending its sign-ins. The server
// checks every step (auth/jurisdiction.py); this panel only offers them.
import { getAllFeatures, getJson, getWithEtag, sendJson } from "./api.js";
import { el } from "./dom.js";
import { errorMessage, fmtDateTime, pick, t, tf } from "./i18n.js";
import { openPanel, redrawWith } from "./panel.js";

let ctx = { config: null };
let units = null;  // [[code, name], ...]: the served unit's banners, read once

export function initUsers(config) { ctx = { config }; }

async function unitChoices() {
  if (!units) {
    const found = await getAllFeatures(`/api/v1/admin-units?parent=${ctx.config.home_code}&geometry=false&limit=10000`);
    units = found.map((f) => [f.properties.code, { zh: f.properties.name, en: f.properties.name_romanized }]);
  }
  return units;
}

const unitName = (code) => (code ? pick(units.find(([c]) => c === code)?.[1]) || code : t("served_unit"));

/** A password to hand over once: 16 letters and digits from the browser's random source. */
function oneTimePassword() {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

function unitSelect(id, selected, { any = false } = {}) {
  const options = [[ "", any ? t("all_units") : t("served_unit")], ...units.map(([code]) => [code, unitName(code)])];
  return el("select", { id }, ...options.map(([code, name]) => el("option", { value: code, ...(code === selected ? { selected: "" } : {}) }, name)));
}

export async function showUsers(unit = "") {
  let list;
  try {
    await unitChoices();
    list = await getJson(`/api/v1/users${unit ? `?unit=${unit}` : ""}`);
  } catch (err) {
    openPanel(t("accounts"), el("p", { class: "error" }, errorMessage(err.body, "network_error")));
    return;
  }
  const filter = unitSelect("users-unit", unit, { any: true });
  filter.onchange = () => showUsers(filter.value);
  const rows = list.map((u) => el("li", { class: "user-row" + (u.is_active ? "" : " inactive") },
    el("a", { href: "#", onclick: (e) => { e.preventDefault(); showUser(u.username); } }, u.display_name || u.username),
    el("span", { class: "muted" }, ` ${u.username} · ${t("role_" + u.role)} · ${unitName(u.unit_code)}`),
    el("div", { class: "muted small" },
      u.is_active ? (u.last_sign_in ? tf("last_sign_in", { at: fmtDateTime(u.last_sign_in) }) : t("never_signed_in")) : t("deactivated"),
      u.password_change_required ? ` · ${t("awaits_own_password")}` : "")));
  openPanel(t("accounts"), el("label", { class: "users-filter" }, `${t("unit")} `, filter),
    el("button", { class: "btn-primary", id: "new-user", type: "button", onclick: showNewUser }, t("new_account")),
    el("ul", { class: "line-list", id: "users-list" }, ...rows));
  redrawWith(() => showUsers(unit));
}

function handOver(username, password) {
  return el("div", { id: "one-time-handover", class: "warn" },
    el("p", {}, tf("give_one_time_password", { user: username })),
    el("p", { class: "password-shown" }, el("code", { id: "one-time-value" }, password)));
}

/** An invitation link to pass on (by message or QR reader): shown once, copied on request. */
function linkHandOver(username, invitation) {
  const copy = el("button", { class: "btn-secondary", id: "copy-invitation", type: "button" }, t("copy_link"));
  const code = el("code", { id: "invitation-link" }, invitation.url);
  copy.onclick = async () => {
    try {
      await navigator.clipboard.writeText(invitation.url);
      copy.textContent = t("copied");
    } catch (_) {  // no clipboard here (a page not served over HTTPS): select it to copy by hand
      getSelection().selectAllChildren(code);
    }
  };
  return el("div", { id: "invitation-handover", class: "warn" },
    el("p", {}, tf("give_invitation", { user: username, at: fmtDateTime(invitation.expires_at) })),
    el("p", { class: "password-shown" }, code), copy);
}

function showNewUser() {
  const username = el("input", { id: "new-username", required: "", pattern: "[A-Za-z0-9_.\\-]{2,64}", autocomplete: "off" });
  const display = el("input", { id: "new-display-name", autocomplete: "off" });
  const role = el("select", { id: "new-role" }, ...ctx.config.vocabularies.roles.map((r) => el("option", { value: r }, t("role_" + r))));
  const unit = unitSelect("new-unit", "");
  const access = el("select", { id: "new-access" },
    el("option", { value: "invitation" }, t("by_invitation")), el("option", { value: "one_time" }, t("by_one_time_password")));
  const message = el("div", { id: "new-user-message", role: "status" });
  const form = el("form", { id: "new-user-form", class: "visit-form" },
    el("label", {}, t("user_name"), username), el("label", {}, t("display_name"), display),
    el("label", {}, t("role"), role), el("label", {}, t("unit"), unit), el("label", {}, t("first_sign_in"), access), message,
    el("button", { class: "btn-primary", type: "submit" }, t("create_account")));
  form.onsubmit = async (e) => {
    e.preventDefault();
    const byLink = access.value === "invitation";
    const password = byLink ? null : oneTimePassword();
    const body = { username: username.value.trim(), role: role.value, display_name: display.value.trim() || null,
                   unit_code: unit.value || null,
                   ...(byLink ? { invite: true } : { password, password_change_required: true }) };
    let made;
    try {
      made = (await sendJson("POST", "/api/v1/users", body)).body;
    } catch (err) {
      message.className = "error";
      message.textContent = errorMessage(err.body, "network_error");
      return;
    }
    form.replaceWith(byLink ? linkHandOver(body.username, made.invitation) : handOver(body.username, password),
      el("button", { class: "btn-secondary", type: "button", onclick: () => showUsers() }, t("accounts")));
  };
  openPanel(t("new_account"), el("p", { class: "muted" }, t("one_time_explained")), form);
}

async function showUser(username) {
  let found;
  try {
    found = await getWithEtag(`/api/v1/users/${encodeURIComponent(username)}`);
  } catch (err) {
    openPanel(username, el("p", { class: "error" }, errorMessage(err.body, "network_error")));
    return;
  }
  const u = found.body;
  const message = el("div", { id: "user-message", role: "status" });
  const act = async (fn, done) => {
    try {
      const shown = await fn();
      await showUser(username);
      const again = document.getElementById("user-message");
      again.className = "muted";
      again.replaceChildren(shown instanceof Node ? shown : t(done));  // a one-time password, or what was done
    } catch (err) {
      message.className = "error";
      message.textContent = errorMessage(err.body, "network_error");
    }
  };
  const change = (changes) => sendJson("PATCH", `/api/v1/users/${encodeURIComponent(username)}`, changes, { "If-Match": found.etag });
  const button = (id, key, fn) => el("button", { class: "btn-secondary", id, type: "button", onclick: fn }, t(key));
  openPanel(u.display_name || u.username,
    el("p", { class: "muted", id: "user-summary" }, `${u.username} · ${t("role_" + u.role)} · ${unitName(u.unit_code)} · `
      + t(u.is_active ? "active" : "deactivated")),
    message,
    el("div", { class: "actions" },
      button("reset-password", "new_one_time_password", () => act(async () => {
        const password = oneTimePassword();
        await change({ password, password_change_required: true });
        return handOver(username, password);
      })),
      button("invite-user", "new_invitation", () => act(async () => {
        const { body } = await sendJson("POST", `/api/v1/users/${encodeURIComponent(username)}/invitation`, {});
        return linkHandOver(username, body);
      })),
      u.is_active
        ? button("deactivate-user", "deactivate", () => act(() => change({ is_active: false }), "deactivated_now"))
        : button("activate-user", "activate", () => act(() => change({ is_active: true }), "activated_now")),
      button("end-sessions", "end_sessions", () => act(
        () => sendJson("POST", `/api/v1/users/${encodeURIComponent(username)}/revoke-tokens`, {}), "sessions_ended")),
      button("back-to-users", "accounts", () => showUsers())));
  redrawWith(() => showUser(username));
}
