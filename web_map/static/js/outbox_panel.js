// The queue as the inspector sees it: the 待发送 (n) button, the list of what waits (and
// why the server refused an item), "send now", and after a save what became of it.
import { rememberedUser, serverReachable } from "./api.js";
import { conditionLabel } from "./conditions.js";
import { $, el } from "./dom.js";
import { errorMessage, fmtDateTime, t } from "./i18n.js";
import * as outbox from "./outbox.js";
import { openPanel } from "./panel.js";

function outboxLine(i) {
  const what = t("queued_" + (i.kind || "visit"));
  if (i.kind === "track") return `${what} · ${i.batch.points.length} ${t("points")}`;
  if (i.kind === "finding") return `${what} · ${i.finding.marker_code || t("whole_line")} · ${i.finding.finding}`;
  if (i.kind === "signature") return `${what} · ${i.signature.signer_name}`;
  const detail = i.visit ? ` · ${conditionLabel(i.visit.condition)} · ${fmtDateTime(i.visit.observed_at)}` : "";
  return `${i.code} · ${what}${detail}`;
}

export function renderOutbox(items) {
  const button = $("outbox-button");
  const waiting = items.length;
  button.hidden = waiting === 0;
  // on a phone the label gives way to an icon; the count always shows
  button.replaceChildren(el("span", { class: "outbox-label" }, t("waiting_to_send")), ` (${waiting})`);
  button.setAttribute("aria-label", `${t("waiting_to_send")} (${waiting})`);
  button.classList.toggle("has-rejected", items.some((i) => i.status === "rejected"));
  const note = el("p", { class: "muted", id: "outbox-note" });
  const sendNow = async () => {
    if (!navigator.onLine) { note.className = "warn"; note.textContent = t("send_when_online"); return; }
    note.className = "muted";
    note.textContent = t("visit_sending");
    await outbox.flushNow();
    const left = (await outbox.pending()).filter((i) => i.status !== "rejected").length;
    note.className = left ? "warn" : "ok";
    note.textContent = left ? t("server_unreachable") : t("all_sent");
  };
  button.onclick = () => openPanel(t("outbox"), el("ul", { class: "history", id: "outbox-list" }, ...items.map((i) => el("li", { "data-status": i.status },
    outboxLine(i),
    el("div", { class: i.status === "rejected" ? "error" : "muted" },
      i.status === "rejected" ? errorMessage(i.error, "network_error")
        : i.by && i.by !== rememberedUser()?.username ? t("waiting_for_user").replace("{user}", i.by) : t("waiting_to_send")),
    i.status === "rejected" ? el("button", { class: "btn-secondary", type: "button", onclick: () => outbox.discard(i.id) }, t("discard")) : ""))),
    note, el("button", { class: "btn-secondary", type: "button", id: "send-now", onclick: sendNow }, t("send_now")));
}

/** Say what became of a saved item: sent, refused (the queue says why) or kept for later. */
export async function showDelivery(message, id) {
  message.className = "muted";
  message.textContent = t("visit_sending");
  const result = await outbox.outcome(id);
  message.className = result === "sent" ? "ok" : result === "rejected" ? "error" : "muted";
  message.textContent = result === "sent" ? t("visit_sent") : result === "rejected" ? t("visit_rejected")
    : serverReachable() ? t("visit_queued") : navigator.onLine ? t("server_unreachable") : t("visit_queued");
}
