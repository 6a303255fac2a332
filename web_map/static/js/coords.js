// Cursor read-out: CGCS2000 lon/lat and Gauss-Krüger 3-degree zone X (north) / Y (east,
// with the zone number in front), as Chinese survey tables write them.
import { t } from "./i18n.js";

const projections = new Map();

function gkProjection(zone) {
  if (!projections.has(zone)) {
    const def = `+proj=tmerc +lat_0=0 +lon_0=${zone * 3} +k=1 +x_0=${zone * 1e6 + 500000} ` +
      "+y_0=0 +ellps=GRS80 +units=m +no_defs";
    projections.set(zone, window.proj4("EPSG:4326", def));
  }
  return projections.get(zone);
}

export function toGaussKruger(lon, lat) {
  const zone = Math.round(lon / 3);
  const [east, north] = gkProjection(zone).forward([lon, lat]);
  return { zone, x: north, y: east };
}

function fmt(value, digits) {
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }).replace(/,/g, " ");
}

export function installCoordinateReadout(map, element) {
  let usingPointer = false;
  const show = (latlng, label) => {
    const lon = L.Util.wrapNum(latlng.lng, [-180, 180], true);
    const { zone, x, y } = toGaussKruger(lon, latlng.lat);
    element.innerHTML = "";
    const line1 = document.createElement("div");
    line1.textContent = `${label ? label + " · " : ""}${t("lon")} ${lon.toFixed(6)}°  ${t("lat")} ${latlng.lat.toFixed(6)}°`;
    const line2 = document.createElement("div");
    line2.textContent = `${t("gk_zone")} ${zone}: X ${fmt(x, 2)}  Y ${fmt(y, 2)}`;
    element.append(line1, line2);
    element.dataset.zone = String(zone);
  };
  map.on("mousemove", (e) => { usingPointer = true; show(e.latlng); });
  // Phones have no hover: show the map centre instead.
  map.on("moveend", () => { if (!usingPointer) show(map.getCenter(), t("map_center")); });
  map.on("mouseout", () => { usingPointer = false; show(map.getCenter(), t("map_center")); });
  show(map.getCenter(), t("map_center"));
  return { refresh: () => show(map.getCenter(), t("map_center")) };
}
