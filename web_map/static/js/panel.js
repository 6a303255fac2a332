// The side panel (a bottom sheet on a phone) that cards, forms and lists open in. What a
// view started (a position watch, the compass) is stopped when the next view replaces it.
import { $ } from "./dom.js";

let leaving = () => {};
let redraw = null;  // shows the open view again (in another language)

/** The open view can be drawn again by `fn` (a card or a list; never a form being filled). */
export function redrawWith(fn) { redraw = fn; }

/** Draw the open view again, if it can be: the language changed. */
export function redrawPanel() {
  if (redraw && !$("marker-panel").hidden) redraw();
}

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
  redraw = null;
  $("marker-panel-title").textContent = title;
  $("marker-panel-body").replaceChildren(...content);
  $("marker-panel").hidden = false;
  $("marker-panel").scrollTop = 0;  // a form opens at its top
}

export function closePanel() {
  leave();
  $("marker-panel").hidden = true;
}
