// Small DOM helpers every panel uses: an element builder and a confirmation dialog.
import { t } from "./i18n.js";

export const $ = (id) => document.getElementById(id);

/** el("p", {class: "muted", onclick: fn}, "text", child, …): attributes, handlers, children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k.startsWith("on")) node[k] = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return node;
}

/** Ask before something that cannot be taken back. Resolves true for `ok`, false for
 *  cancel; the dialog's id is `id`, its buttons `${id}-ok` and `${id}-cancel`. A line is
 *  a warning, or {text, muted: true}; empty lines are left out. */
export function confirmDialog({ id, title, lines, ok }) {
  return new Promise((resolve) => {
    const done = (answer) => { dialog.remove(); resolve(answer); };
    const dialog = el("div", { class: "modal", id, role: "alertdialog", "aria-modal": "true" },
      el("div", { class: "card confirm" },
        el("h2", {}, title),
        ...lines.filter(Boolean).map((line) => (line.muted ? el("p", { class: "muted" }, line.text) : el("p", { class: "warn" }, line))),
        el("div", { class: "actions" },
          el("button", { type: "button", class: "btn-secondary", id: `${id}-cancel`, onclick: () => done(false) }, t("cancel")),
          el("button", { type: "button", class: "btn-primary", id: `${id}-ok`, onclick: () => done(true) }, ok))));
    document.body.append(dialog);
    $(`${id}-cancel`).focus();
  });
}
