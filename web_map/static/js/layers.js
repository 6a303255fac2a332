// Map layers built from the server's layer catalogue (/api/v1/layers): vector tiles
// for geometry, label markers from the items endpoint, a list panel for table layers.
import { authHeaders, getAllFeatures } from "./api.js";
import { currentLang, pick, t } from "./i18n.js";

function pathStyle(style) {
  return {
    color: style.color, weight: style.weight, opacity: style.opacity,
    fill: style.fill_opacity > 0, fillColor: style.fill_color || style.color,
    fillOpacity: style.fill_opacity, dashArray: style.dash_array || null,
    radius: style.radius,
  };
}

function popupContent(layer, properties) {
  const table = document.createElement("table");
  table.className = "props";
  for (const key of layer.properties) {
    if (properties[key] === undefined || properties[key] === null) continue;
    const row = table.insertRow();
    row.insertCell().textContent = t(key);
    row.insertCell().textContent = String(properties[key]);
  }
  const box = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = pick(layer.title);
  box.append(title, table);
  return box;
}

function labelText(properties, layer) {
  const name = properties[layer.label_property];
  // in English, a unit's or a place's romanised form where it has one
  const romanized = properties.name_romanized || properties.romanization;
  return currentLang() === "en" && romanized ? romanized : name;
}

/** One catalogue layer on the map: tiles + labels, toggled together. */
class CatalogueLayer {
  constructor(map, decl, options) {
    this.map = map;
    this.decl = decl;
    this.focusCode = options.focusCode;
    this.labels = L.layerGroup();
    this.labelFeatures = [];
    this.tiles = null;
    if (decl.links.tiles) {
      this.tiles = L.vectorGrid.protobuf(decl.links.tiles, {
        rendererFactory: L.svg.tile,
        interactive: true,
        minZoom: 0,
        // deeper zooms draw the native tiles enlarged (what an offline area stores)
        maxNativeZoom: decl.native_max_zoom ?? 18,
        fetchOptions: { headers: authHeaders() },
        vectorTileLayerStyles: { [decl.id]: (properties) => this.featureStyle(properties) },
        getFeatureId: (f) => f.properties.code ?? f.properties.id,
      });
      this.tiles.on("click", (e) => {
        // A layer with its own panel opens it; others show the feature's properties.
        if (options.onSelect) { options.onSelect(e.layer.properties); return; }
        L.popup().setLatLng(e.latlng).setContent(popupContent(decl, e.layer.properties)).openOn(map);
      });
    }
  }

  /** Units of the home city in full colour, their neighbours muted. */
  featureStyle(properties) {
    const style = pathStyle(this.decl.style);
    const by = this.decl.style.color_by;
    if (by && this.decl.style.colors[properties[by]]) {
      const colour = this.decl.style.colors[properties[by]];
      if (this.decl.geometry_type.endsWith("Point")) {
        Object.assign(style, { fill: true, fillColor: colour, color: "#ffffff", weight: 1.5 });
      } else {
        style.color = colour;
      }
    }
    if (properties.parent_code === undefined) return style;  // not an admin unit layer
    if (this.isFocus(properties)) return style;
    return { ...style, opacity: 0.45, weight: Math.max(1, style.weight * 0.6), fillOpacity: style.fillOpacity / 4 };
  }

  async show() {
    if (this.tiles) this.tiles.addTo(this.map);
    if (this.decl.label_point && !this.labelFeatures.length) {
      this.labelFeatures = await getAllFeatures(`${this.decl.links.items}?skip_geometry=true&limit=1000`);
      this.renderLabels();
    }
    this.visible = true;
    this.updateLabelVisibility();
  }

  hide() {
    this.visible = false;
    if (this.tiles) this.map.removeLayer(this.tiles);
    this.map.removeLayer(this.labels);
  }

  /** Units of the home city are always labelled; others from zoom 8 on. */
  isFocus(properties) {
    return properties.code === this.focusCode || properties.parent_code === this.focusCode;
  }

  renderLabels() {
    this.labels.clearLayers();
    const [lonKey, latKey] = this.decl.label_point;
    for (const f of this.labelFeatures) {
      const p = f.properties;
      const cls = `map-label ${this.decl.style.label_class || ""} ${this.isFocus(p) ? "focus" : "other"}`;
      const marker = L.marker([p[latKey], p[lonKey]], {
        interactive: false, keyboard: false, pane: "labels",
        icon: L.divIcon({ className: cls, html: "<span></span>", iconSize: [0, 0] }),
      });
      marker.on("add", () => {
        const el = marker.getElement();
        el.firstChild.textContent = labelText(p, this.decl);
        el.dataset.code = p.code;
        el.dataset.layer = this.decl.id;
      });
      this.labels.addLayer(marker);
    }
  }

  /** Labels follow the layer's zoom range; other cities' units appear from zoom 8. */
  updateLabelVisibility() {
    const zoom = this.map.getZoom();
    this.map.getContainer().classList.toggle("labels-zoomed-in", zoom >= 8);
    const { label_min_zoom: min = 0, label_max_zoom: max = 22 } = this.decl.style;
    const show = this.visible && zoom >= min && zoom <= max;
    if (show && !this.map.hasLayer(this.labels)) this.labels.addTo(this.map);
    if (!show && this.map.hasLayer(this.labels)) this.map.removeLayer(this.labels);
  }
}

/** The layer switcher: a checkbox per catalogue layer, titles in the current language. */
export function buildLayerSwitcher(map, layers, options) {
  const control = L.control({ position: "topright" });
  const entries = [];
  control.onAdd = () => {
    const box = L.DomUtil.create("div", "layer-switcher leaflet-bar");
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    const head = L.DomUtil.create("button", "layer-switcher-head", box);
    head.type = "button";
    head.dataset.i18n = "layers";
    head.textContent = t("layers");
    head.setAttribute("aria-expanded", String(window.innerWidth > 600));
    const list = L.DomUtil.create("ul", "", box);
    list.hidden = window.innerWidth <= 600;  // collapsed on phones
    head.onclick = () => { list.hidden = !list.hidden; head.setAttribute("aria-expanded", String(!list.hidden)); };
    for (const decl of layers) {
      const li = L.DomUtil.create("li", "", list);
      const label = L.DomUtil.create("label", "", li);
      const input = L.DomUtil.create("input", "", label);
      input.type = "checkbox";
      input.dataset.layer = decl.id;
      const swatch = L.DomUtil.create("span", "swatch", label);
      swatch.style.borderColor = decl.style.color;
      swatch.style.background = decl.style.fill_opacity > 0 ? (decl.style.fill_color || decl.style.color) : "transparent";
      const title = L.DomUtil.create("span", "", label);
      entries.push({ decl, title, input });
      input.checked = decl.default_visible;
      input.onchange = () => options.onToggle(decl, input.checked);
    }
    const refresh = () => entries.forEach((e) => { e.title.textContent = pick(e.decl.title); });
    refresh();
    control.refresh = refresh;
    return box;
  };
  control.addTo(map);
  return control;
}

export function createCatalogueLayer(map, decl, options) {
  return new CatalogueLayer(map, decl, options);
}
