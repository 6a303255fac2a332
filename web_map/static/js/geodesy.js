// Distances and bearings on the phone, good to a metre over the few kilometres an
// inspector walks.

/** Great-circle distance (m) and initial bearing (deg) from a to b ({lon, lat}). */
export function distanceBearing(a, b) {
  const R = 6371008.8, rad = Math.PI / 180;
  const p1 = a.lat * rad, p2 = b.lat * rad, dl = (b.lon - a.lon) * rad;
  const d = 2 * R * Math.asin(Math.sqrt(Math.sin((p2 - p1) / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2));
  const y = Math.sin(dl) * Math.cos(p2);
  const x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
  return { distance_m: d, bearing_deg: ((Math.atan2(y, x) / rad) + 360) % 360 };
}

export function fmtMetres(m) { return m >= 1000 ? `${(m / 1000).toFixed(2)} km` : `${m.toFixed(0)} m`; }
