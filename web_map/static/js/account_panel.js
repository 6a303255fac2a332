// The signed-in user's own account: who they are, and changing their password (with the
// current one; the server ends every other sign-in of the account).
import { changePassword, may, rememberedUser } from "./api.js";
import { $, el } from "./dom.js";
import { errorMessage, t } from "./i18n.js";
import { newPasswordFields } from "./new_password.js";
import { openPanel, redrawWith, whenLeft } from "./panel.js";
import { showUsers } from "./users_panel.js";

/** `required`: the account signed in with a one-time password, which it changes first;
 *  the app starts again once it has. */
export function showAccount({ required = false } = {}) {
  const user = rememberedUser();
  const current = el("input", { type: "password", id: "current-password", autocomplete: "current-password", required: "" });
  const { next, labels, differ } = newPasswordFields("new-password");
  const message = el("p", { id: "password-message", role: "status" });
  const form = el("form", { id: "password-form", class: "visit-form" },
    el("label", {}, t("current_password"), current), ...labels, message,
    el("button", { class: "btn-primary", type: "submit" }, t("change_password")));
  form.onsubmit = async (e) => {
    e.preventDefault();
    if (differ(message)) return;
    form.querySelector("button[type=submit]").disabled = true;
    try {
      await changePassword(current.value, next.value);
      form.reset();
      if (required) { location.reload(); return; }
      message.className = "muted";
      message.textContent = t("password_changed");
    } catch (err) {
      message.className = "error";
      message.textContent = errorMessage(err.body, "network_error");
    } finally {
      form.querySelector("button[type=submit]").disabled = false;
    }
  };
  const notice = required ? el("p", { class: "warn", id: "one-time-password" }, t("one_time_password")) : "";
  // on a desk the user's name opens this panel: administrators reach the accounts from here
  const accounts = !required && may(user, "administration")
    ? el("button", { class: "btn-secondary", id: "open-users-from-account", type: "button", onclick: () => showUsers() }, t("accounts"))
    : "";
  openPanel(t("my_account"), el("p", { class: "muted", id: "account-user" },
    user ? `${user.display_name || user.username} (${user.username}) · ${t("role_" + user.role)}` : ""), notice, form, accounts);
  redrawWith(() => showAccount({ required }));
  if (required) {  // nothing else works until it is changed: the panel stays (signing out still does)
    $("marker-panel-close").hidden = true;
    whenLeft(() => { $("marker-panel-close").hidden = false; });
  }
}
