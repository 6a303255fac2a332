// Opening an invitation link (/map#invite=…): the user sees which account it is for,
// chooses a password (the server's policy decides), and is signed in. The secret is in the
// address's fragment, which no server sees; it leaves the address bar once it is spent.
import { acceptInvitation, sendJson } from "./api.js";
import { el } from "./dom.js";
import { errorMessage, fmtDateTime, t, tf } from "./i18n.js";
import { newPasswordFields } from "./new_password.js";
import { closePanel, openPanel } from "./panel.js";

export function invitationSecret() {
  const found = location.hash.match(/^#invite=([A-Za-z0-9_-]{20,100})$/);
  return found ? found[1] : null;
}

/** The form; `onSignedIn(user)` once the password is chosen. */
export async function showInvitation(secret, onSignedIn) {
  let who;
  try {
    who = (await sendJson("POST", "/api/v1/auth/invitation/lookup", { secret })).body;
  } catch (err) {
    openPanel(t("invitation"), el("p", { class: "error", id: "invitation-error" }, errorMessage(err.body, "network_error")));
    return;
  }
  const { next, labels, differ } = newPasswordFields("invite-password");
  const message = el("p", { id: "invite-message", role: "status" });
  const form = el("form", { id: "invite-form", class: "visit-form" },
    el("input", { type: "text", autocomplete: "username", value: who.username, hidden: "", readonly: "" }),
    ...labels, message,
    el("button", { class: "btn-primary", type: "submit" }, t("choose_password")));
  form.onsubmit = async (e) => {
    e.preventDefault();
    if (differ(message)) return;
    try {
      const user = await acceptInvitation(secret, next.value);
      history.replaceState(null, "", location.pathname + location.search);
      closePanel();
      onSignedIn(user);
    } catch (err) {
      message.className = "error";
      message.textContent = errorMessage(err.body, "network_error");
    }
  };
  openPanel(t("invitation"),
    el("p", { id: "invitation-for" }, tf("invitation_for", { name: who.display_name || who.username, user: who.username })),
    el("p", { class: "muted small" }, tf("invitation_until", { at: fmtDateTime(who.expires_at) })), form);
}
