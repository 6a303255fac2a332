// The phone's sensors for a visit: a position averaged over the fixes taken while the
// inspector stands at the marker, and the compass heading for camera directions.

/**
 * Watch the position and average it. Fixes much worse than the best one so far are left
 * out (a phone's first fixes are often network guesses); the rest are weighted by
 * 1/accuracy². The accuracy reported is the best single fix's, not the formal error of
 * the mean: GNSS errors a few seconds apart are correlated, so averaging steadies the
 * position more than it shrinks its true error.
 * onUpdate({lon, lat, accuracy_m, fixed_at, fixes_averaged}) runs after each fix;
 * onError(error) when the phone gives none. Returns a function that stops watching.
 */
export function averagePosition(onUpdate, onError) {
  const fixes = [];
  const id = navigator.geolocation.watchPosition((pos) => {
    fixes.push({ lon: pos.coords.longitude, lat: pos.coords.latitude, acc: Math.max(pos.coords.accuracy, 0.1),
                 at: pos.timestamp });
    const best = Math.min(...fixes.map((f) => f.acc));
    const used = fixes.filter((f) => f.acc <= 2 * best);
    const weight = used.reduce((s, f) => s + 1 / f.acc ** 2, 0);
    onUpdate({
      lon: used.reduce((s, f) => s + f.lon / f.acc ** 2, 0) / weight,
      lat: used.reduce((s, f) => s + f.lat / f.acc ** 2, 0) / weight,
      accuracy_m: best,
      fixed_at: new Date(Math.max(...used.map((f) => f.at))).toISOString(),
      fixes_averaged: used.length,
    });
  }, onError, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  return () => navigator.geolocation.clearWatch(id);
}

/**
 * Follow the compass while the visit form is open, so that each photo can carry the
 * direction the camera faced. Android's Chrome gives absolute orientation events (alpha
 * counter-clockwise from north); iOS gives webkitCompassHeading and asks for permission
 * on a tap (call `ask()` from one). heading() is degrees from north, or null when the
 * phone has no compass.
 */
export function followCompass() {
  let heading = null;
  const screenAngle = () => (screen.orientation ? screen.orientation.angle : 0) || 0;
  const onEvent = (e) => {
    let h = null;
    if (typeof e.webkitCompassHeading === "number") h = e.webkitCompassHeading;
    else if (e.absolute && typeof e.alpha === "number") h = 360 - e.alpha;
    if (h != null) heading = (h + screenAngle() + 360) % 360;
  };
  const kind = "ondeviceorientationabsolute" in window ? "deviceorientationabsolute" : "deviceorientation";
  window.addEventListener(kind, onEvent);
  return {
    heading: () => (heading == null ? null : Math.round(heading) % 360),
    async ask() {
      const request = window.DeviceOrientationEvent && DeviceOrientationEvent.requestPermission;
      if (request) { try { await request(); } catch (_) { /* refused: photos go without a direction */ } }
    },
    stop: () => window.removeEventListener(kind, onEvent),
  };
}
