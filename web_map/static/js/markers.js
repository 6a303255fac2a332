// The marker layer: clustered markers coloured by condition, a legend with counts and
// a "needs attention" filter. Data comes through the catalogue's items endpoint.
import { getAllFeatures, getJson } from "./api.js";
import { currentLang, t } from "./i18n.js";
import { recordsOf } from "./offline_store.js";

export class MarkerLayer {
  constructor(map, decl, { onSelect }) {
    this.map = map;
    this.decl = decl;
    this.onSelect = onSelect;
    this.features = [];
    this.byCode = new Map();
    this.attentionOnly = false;
    this.conditions = [];
    this.cluster = L.markerClusterGroup({
      chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45,
      disableClusteringAtZoom: 12,
      iconCreateFunction: (c) => this.clusterIcon(c),
    });
    this.legend = null;
  }

  colour(condition) { return this.decl.style.colors[condition] || this.decl.style.color; }

  clusterIcon(cluster) {
    const children = cluster.getAllChildMarkers();
    const bad = children.filter((m) => this.needsAttention(m.feature.properties.condition)).length;
    const el = document.createElement("div");
    el.className = `marker-cluster-badge${bad ? " has-attention" : ""}`;
    el.textContent = String(children.length);
    if (bad) el.title = `${bad} ${t("needs_attention")}`;
    return L.divIcon({ html: el.outerHTML, className: "marker-cluster-icon", iconSize: [36, 36] });
  }

  needsAttention(code) {
    return this.conditions.some((c) => c.code === code && c.needs_attention);
  }

  async show() {
    if (!this.conditions.length) this.conditions = (await getJson("/api/v1/markers/conditions")).conditions;
    if (!this.features.length) await this.reload();
    this.cluster.addTo(this.map);
    this.showLegend();
  }

  hide() {
    this.map.removeLayer(this.cluster);
    if (this.legend) { this.legend.remove(); this.legend = null; }
  }

  updateLabelVisibility() {}

  /** The markers from the server; with no network, those of the downloaded areas. */
  async reload() {
    try {
      this.features = await getAllFeatures(`${this.decl.links.items}?limit=1000`);
    } catch (err) {
      if (!err.offline) throw err;
      this.features = (await recordsOf("marker")).map((r) => r.data);
      this.offline = true;
    }
    this.byCode = new Map(this.features.map((f) => [f.properties.code, f]));
    this.render();
  }

  /** Update one marker after a visit without reloading the layer. */
  setCondition(code, condition) {
    const f = this.byCode.get(code);
    if (f) { f.properties.condition = condition; this.render(); this.showLegend(); }
  }

  render() {
    this.cluster.clearLayers();
    const markers = [];
    for (const f of this.features) {
      const p = f.properties;
      if (this.attentionOnly && !this.needsAttention(p.condition)) continue;
      const [lon, lat] = f.geometry.coordinates;
      const icon = L.divIcon({
        className: "marker-dot-icon",
        html: `<span class="marker-dot${p.alert_open ? " alert" : ""}" style="background:${this.colour(p.condition)}"></span>`,
        iconSize: [18, 18],
      });
      const m = L.marker([lat, lon], { icon, title: p.code, keyboard: true });
      m.feature = f;
      m.on("click", () => this.onSelect(p.code));
      markers.push(m);
    }
    this.cluster.addLayers(markers);
  }

  showLegend() {
    if (this.legend) this.legend.remove();
    const counts = {};
    for (const f of this.features) counts[f.properties.condition] = (counts[f.properties.condition] || 0) + 1;
    const legend = L.control({ position: "bottomright" });
    legend.onAdd = () => {
      const box = L.DomUtil.create("div", "legend leaflet-bar");
      L.DomEvent.disableClickPropagation(box);
      const title = L.DomUtil.create("div", "legend-title", box);
      title.textContent = t("marker_legend");
      const rows = [...this.conditions, { code: "unknown", label: t("not_inspected") }];
      for (const c of rows) {
        if (!counts[c.code]) continue;
        const row = L.DomUtil.create("div", "legend-row", box);
        const dot = L.DomUtil.create("span", "marker-dot", row);
        dot.style.background = this.colour(c.code);
        const label = L.DomUtil.create("span", "", row);
        label.textContent = `${c.label || (currentLang() === "zh" ? c.zh : c.en)} ${counts[c.code]}`;
      }
      const filter = L.DomUtil.create("label", "legend-filter", box);
      const input = L.DomUtil.create("input", "", filter);
      input.type = "checkbox";
      input.id = "attention-filter";
      input.checked = this.attentionOnly;
      input.onchange = () => { this.attentionOnly = input.checked; this.render(); };
      filter.append(` ${t("needs_attention")}`);
      return box;
    };
    legend.addTo(this.map);
    this.legend = legend;
  }

  renderLabels() { this.showLegend(); }
  get labelFeatures() { return []; }
}
