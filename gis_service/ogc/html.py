"""A plain HTML view of OGC API responses, for people following links in a browser."""

from __future__ import annotations

from html import escape


def _links(links: list[dict]) -> str:
    items = "".join(
        f'<li><a href="{escape(link["href"])}">{escape(link.get("title") or link["rel"])}</a>'
        f" <small>{escape(link['rel'])} · {escape(link.get('type', ''))}</small></li>"
        for link in links
    )
    return f"<ul>{items}</ul>"


def _table(rows: list[dict]) -> str:
    if not rows:
        return "<p>—</p>"
    keys = list(dict.fromkeys(k for r in rows for k in r))
    head = "".join(f"<th>{escape(k)}</th>" for k in keys)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(r.get(k, '')))}</td>" for k in keys) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, doc: dict) -> str:
    parts = [f"<h1>{escape(title)}</h1>"]
    if doc.get("description"):
        parts.append(f"<p>{escape(doc['description'])}</p>")
    if "collections" in doc:
        parts.append(_table([{"id": c["id"], "title": c.get("title", "")} for c in doc["collections"]]))
    if "conformsTo" in doc:
        parts.append("<ul>" + "".join(f"<li>{escape(c)}</li>" for c in doc["conformsTo"]) + "</ul>")
    if "features" in doc:
        parts.append(_table([{"id": f.get("id"), **(f.get("properties") or {})} for f in doc["features"]]))
    if doc.get("type") == "Feature":
        parts.append(_table([{"id": doc.get("id"), **(doc.get("properties") or {})}]))
    parts.append(_links(doc.get("links", [])))
    style = (
        "body{font-family:system-ui,sans-serif;margin:24px}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}"
    )
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{style}</style></head><body>{''.join(parts)}</body></html>"
    )
