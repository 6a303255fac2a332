"""The app shell the service worker keeps for offline use: the map page, its scripts,
styles, icons and vendored libraries. Its version is a hash of those files' contents,
so every release that changes any of them is a new version, and nothing else is."""

from __future__ import annotations

import hashlib
from pathlib import Path

# Vendored files the map page loads (under web_map/node_modules), by URL.
VENDOR_FILES = {
    "/vendor/leaflet/leaflet.css": "leaflet/dist/leaflet.css",
    "/vendor/leaflet/leaflet.js": "leaflet/dist/leaflet.js",
    "/vendor/leaflet/images/layers.png": "leaflet/dist/images/layers.png",
    "/vendor/leaflet/images/layers-2x.png": "leaflet/dist/images/layers-2x.png",
    "/vendor/leaflet/images/marker-icon.png": "leaflet/dist/images/marker-icon.png",
    "/vendor/leaflet/images/marker-icon-2x.png": "leaflet/dist/images/marker-icon-2x.png",
    "/vendor/leaflet/images/marker-shadow.png": "leaflet/dist/images/marker-shadow.png",
    "/vendor/markercluster/MarkerCluster.css": "leaflet.markercluster/dist/MarkerCluster.css",
    "/vendor/markercluster/leaflet.markercluster.js": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "/vendor/vectorgrid/Leaflet.VectorGrid.bundled.min.js": "leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js",
    "/vendor/proj4/proj4.js": "proj4/dist/proj4.js",
    "/vendor/mongolian-font/noto-sans-mongolian-mongolian-400-normal.woff2": (
        "@fontsource/noto-sans-mongolian/files/noto-sans-mongolian-mongolian-400-normal.woff2"
    ),
}
STATIC_KINDS = {".js", ".css", ".svg", ".png", ".woff2", ".json"}

_cache: dict[tuple, tuple[str, list[str]]] = {}


def _files(web: Path) -> dict[str, Path]:
    files = {
        "/map": web / "index.html",
        "/manifest.webmanifest": web / "manifest.webmanifest",
        "/sw-source": web / "sw.js",
    }
    for path in sorted((web / "static").rglob("*")):
        if path.is_file() and path.suffix in STATIC_KINDS:
            files["/map/static/" + path.relative_to(web / "static").as_posix()] = path
    for url, rel in VENDOR_FILES.items():
        files[url] = web / "node_modules" / rel
    return files


def manifest(web: Path) -> tuple[str, list[str]]:
    """(version, URLs to precache). Re-hashed only when a file's size or time changes."""
    files = _files(web)
    signature = tuple((url, p.stat().st_mtime_ns, p.stat().st_size) for url, p in files.items())
    if signature not in _cache:
        digest = hashlib.sha256()
        for url, path in files.items():
            digest.update(url.encode() + b"\0" + path.read_bytes() + b"\0")
        _cache.clear()
        _cache[signature] = (digest.hexdigest()[:16], [u for u in files if u != "/sw-source"])
    return _cache[signature]
