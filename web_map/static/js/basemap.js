// The base map under the layers, served by the service itself (so it works offline and
// needs no key): a bureau's raster or vector package, or the reference base map drawn
// from the database (hillshade, outlines, rivers and lakes, located places; the names of
// places and rivers are written here, each from its own zoom). Tiles need the
// sign-in token, so raster tiles are fetched rather than linked.
import { authHeaders, getJson } from "./api.js";

const VECTOR_STYLE = {
  // shadow darker, slopes facing the light lighter; flat ground has no polygon
  relief: (p) => (p.shade > 0
    ? { stroke: false, fill: true, fillColor: "#ffffff", fillOpacity: 0.35 }
    : { stroke: false, fill: true, fillColor: "#5d4037", fillOpacity: p.shade < -1 ? 0.16 : 0.08 }),
  admin: (p) => ({
    province: { color: "#8d6e63", weight: 2.2, fill: true, fillColor: "#f7f3ea", fillOpacity: 1 },
    city: { color: "#a1887f", weight: 1.4, dashArray: "6 3", fill: false },
    county: { color: "#bcaaa4", weight: 0.8, dashArray: "2 3", fill: false },
  }[p.level] || { weight: 0.5, color: "#ccc", fill: false }),
  water: (p) => (p.kind === "lake"
    ? { color: "#6fa8dc", weight: 0.8, fill: true, fillColor: "#b3d4f0", fillOpacity: 1 }
    : { color: "#6fa8dc", weight: 1.6, fill: false }),
  place: () => ({ radius: 2.5, fill: true, fillColor: "#5d4037", fillOpacity: 1, color: "#fff", weight: 1 }),
};

// A package of someone else's vector tiles: every layer drawn plainly.
const GENERIC = { color: "#9e9e9e", weight: 0.8, fill: true, fillColor: "#eeeeee", fillOpacity: 0.5, radius: 2 };

const AuthTileLayer = L.TileLayer.extend({
  createTile(coords, done) {
    const img = document.createElement("img");
    img.alt = "";
    fetch(this.getTileUrl(coords), { headers: authHeaders() })
      .then((r) => (r.status === 200 ? r.blob() : null))
      .then((blob) => { if (blob) img.src = URL.createObjectURL(blob); done(null, img); })
      .catch((err) => done(err, img));
    return img;
  },
});

/** The labels, each shown from its `minzoom` (township seats and rivers before villages). */
function labelLayer(map, geojson) {
  const group = L.layerGroup();
  const all = [];
  L.geoJSON(geojson, {
    pointToLayer: (f, latlng) => L.marker(latlng, {
      interactive: false, keyboard: false,
      icon: L.divIcon({ className: `map-label label-basemap level-${f.properties.level}`, html: "<span></span>", iconSize: [0, 0] }),
    }).on("add", (e) => { e.target.getElement().firstChild.textContent = f.properties.name; }),
    onEachFeature: (f, marker) => { marker.options.pane = "basemap-labels"; all.push([f.properties.minzoom ?? 9, marker]); },
  });
  const show = () => {
    const zoom = map.getZoom();
    for (const [from, marker] of all) {
      if (zoom >= from) group.addLayer(marker); else group.removeLayer(marker);
    }
  };
  map.on("zoomend", show);
  show();
  return group;
}

/** Add the base map to the map (below every other layer); resolves when it is there. */
export async function addBasemap(map) {
  let info;
  try {
    info = await getJson("/basemap/tilejson.json");
  } catch (_) {
    return null;  // no base map offline unless an area (or an earlier start) stored it
  }
  map.createPane("basemap").style.zIndex = 150;
  const names = map.createPane("basemap-labels");
  names.style.zIndex = 610;  // over the markers, under the layers' own names
  names.style.pointerEvents = "none";
  const options = { pane: "basemap", minZoom: 0, maxNativeZoom: info.maxzoom, maxZoom: 20, attribution: info.attribution };
  const layer = ["png", "jpg", "jpeg", "webp"].includes(info.format)
    ? new AuthTileLayer(info.tiles[0], options)
    : L.vectorGrid.protobuf(info.tiles[0], {
      ...options, rendererFactory: L.canvas.tile, interactive: false, fetchOptions: { headers: authHeaders() },
      vectorTileLayerStyles: Object.fromEntries(info.vector_layers.map((l) => [l.id, info.source === "reference" ? VECTOR_STYLE[l.id] : GENERIC])),
    });
  layer.addTo(map);
  if (info.labels) {
    const labels = await getJson(info.labels).catch(() => null);
    if (labels) labelLayer(map, labels).addTo(map);
  }
  return layer;
}
