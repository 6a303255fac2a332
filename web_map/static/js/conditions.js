// The marker conditions (intact, tilted, damaged …) with their words and colours, as the
// server declares them (GET /api/v1/markers/conditions): read once, named everywhere.
import { getJson } from "./api.js";
import { currentLang, t } from "./i18n.js";

let conditions = [];

export async function loadConditions() {
  if (!conditions.length) conditions = (await getJson("/api/v1/markers/conditions")).conditions;
  return conditions;
}

export function conditionLabel(code) {
  const c = conditions.find((x) => x.code === code);
  if (!c) return t("not_inspected");
  return currentLang() === "zh" ? c.zh : c.en;
}
