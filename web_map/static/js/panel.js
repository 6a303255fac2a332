// The side panel (a bottom sheet on a phone) that cards, forms and lists open in. What a
// view started (a position watch, the compass) is stopped when the next view replaces it.
import { $ } from "./dom.js";

let leaving = () => {};

/** Run `fn` when the view now open is replaced or the panel closes. */
export function whenLeft(fn) {
  const before = leaving;
  leaving = () => { before(); fn(); };
}

function leave() {
  const fn = leaving;
  leaving = () => {};
  fn();
}

export function openPanel(title, ...content) {
  leave();
  $("marker-panel-title").textContent = title;
  $("marker-panel-body").replaceChildren(...content);
  $("marker-panel").hidden = false;
  $("marker-panel").scrollTop = 0;  // a form opens at its top
}

export function closePanel() {
  leave();
  $("marker-panel").hidden = true;
}
