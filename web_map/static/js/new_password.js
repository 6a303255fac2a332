// A new password typed twice, as the invitation and the account's own form ask for it;
// the server's policy decides the rest.
import { el } from "./dom.js";
import { t } from "./i18n.js";

/** The two fields (ids `id` and `id-again`), their labels, and `differ(message)`: true,
 *  with the message saying so, when the two differ. */
export function newPasswordFields(id) {
  const next = el("input", { type: "password", id, autocomplete: "new-password", required: "" });
  const again = el("input", { type: "password", id: `${id}-again`, autocomplete: "new-password", required: "" });
  const differ = (message) => {
    if (next.value === again.value) return false;
    message.className = "warn";
    message.textContent = t("passwords_differ");
    return true;
  };
  return { next, labels: [el("label", {}, t("new_password"), next), el("label", {}, t("new_password_again"), again)], differ };
}
