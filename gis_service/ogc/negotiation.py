"""Choosing HTML or JSON from a request: `f` wins; otherwise the Accept header with its
q-values, the most specific match counting for each (a browser's `text/html, */*;q=0.8`
is HTML; `text/html;q=0.5, application/json` is JSON). A tie goes to JSON, which is what
GIS clients read."""

from __future__ import annotations

HTML_TYPES = {"text/html": 2, "text/*": 1, "*/*": 0}
JSON_TYPES = {
    "application/json": 2,
    "application/geo+json": 2,
    "application/schema+json": 2,
    "application/*": 1,
    "*/*": 0,
}


def _entries(accept: str) -> list[tuple[str, float]]:
    out = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        out.append((fields[0].lower(), q))
    return out


def _quality(entries: list[tuple[str, float]], types: dict[str, int]) -> float:
    """The q of the most specific entry that matches one of `types`."""
    best: tuple[int, float] | None = None
    for media, q in entries:
        if media in types and (best is None or types[media] > best[0]):
            best = (types[media], q)
    return best[1] if best else 0.0


def prefers_html(accept: str) -> bool:
    entries = _entries(accept)
    return _quality(entries, HTML_TYPES) > _quality(entries, JSON_TYPES)


def schema_media_type(accept: str) -> str:
    """application/schema+json, unless the client asks for application/json and not for
    schema+json (GDAL does, and refuses any other type in its answer)."""
    entries = dict(_entries(accept))
    if entries.get("application/schema+json", 0) == 0 and entries.get("application/json", 0) > 0:
        return "application/json"
    return "application/schema+json"
