"""The OGC API documents as pages for a person following links in a browser: what each
link leads to in words, links that stay in the HTML view, collections as a table with
their descriptions, and (see `sign_in_page`) a sign-in where a document needs one."""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# What a link of each relation leads to, in Chinese and English.
RELATIONS = {
    "self": ("本页（JSON）", "This page (JSON)"),
    "alternate": ("本页的其他格式", "This page in another format"),
    "service-desc": ("API 定义（OpenAPI）", "API definition (OpenAPI)"),
    "service-doc": ("API 文档", "API documentation"),
    "conformance": ("遵循的标准", "Conformance classes"),
    "data": ("图层列表", "Layers"),
    "items": ("要素", "Features"),
    "collection": ("所属图层", "The layer"),
    "next": ("下一页", "Next page"),
    "prev": ("上一页", "Previous page"),
    "http://www.opengis.net/def/rel/ogc/1.0/queryables": ("可查询字段", "Queryable properties"),
    "http://www.opengis.net/def/rel/ogc/1.0/conformance": ("遵循的标准", "Conformance classes"),
    "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector": ("矢量切片", "Vector tiles"),
}
JSON_TYPES = ("application/json", "application/geo+json", "application/schema+json")
STYLE = (
    "body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:0;color:#1f2328;background:#fafafa}"
    "header{background:#7b3294;color:#fff;padding:10px 24px}header a{color:#fff;margin-right:16px}"
    "main{padding:8px 24px 32px;max-width:1100px}h1{font-size:22px}h2{font-size:16px;margin-top:24px}"
    "table{border-collapse:collapse;background:#fff}td,th{border:1px solid #d0d7de;padding:4px 8px;font-size:13px;"
    "text-align:left;vertical-align:top}th{background:#f3f4f6}ul.links{padding-left:18px}ul.links li{margin:4px 0}"
    ".muted{color:#57606a;font-size:12px}.scroll{overflow-x:auto}"
)


def _in_html(href: str) -> str:
    """The same document as a page (f=html), so that following links stays readable."""
    parts = urlsplit(href)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "f"] + [("f", "html")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _link_item(link: dict) -> str:
    rel = link.get("rel", "")
    zh, en = RELATIONS.get(rel, (rel, rel))
    title = link.get("title") or f"{zh} · {en}"
    href = link["href"]
    kind = link.get("type", "")
    if kind in JSON_TYPES and rel not in ("self", "service-desc"):
        # a JSON document the service also renders as a page: lead to the page, keep the JSON
        return (
            f'<li><a href="{escape(_in_html(href))}">{escape(title)}</a>'
            f' <small class="muted">(<a href="{escape(href)}">{escape(kind)}</a>)</small></li>'
        )
    return (
        f'<li><a href="{escape(href)}">{escape(title)}</a> <small class="muted">{escape(kind)}</small></li>'
    )


def _links(links: list[dict]) -> str:
    shown = [
        link for link in links if not (link.get("rel") == "alternate" and "html" in link.get("type", ""))
    ]
    if not shown:
        return ""
    return '<h2>链接 · Links</h2><ul class="links">' + "".join(_link_item(link) for link in shown) + "</ul>"


def _cell(value) -> str:
    return "—" if value is None else str(value)


def _table(rows: list[dict]) -> str:
    if not rows:
        return "<p>—</p>"
    keys = list(dict.fromkeys(k for r in rows for k in r))
    head = "".join(f"<th>{escape(k)}</th>" for k in keys)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_cell(r.get(k)))}</td>" for k in keys) + "</tr>" for r in rows
    )
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _collections(collections: list[dict]) -> str:
    rows = "".join(
        f'<tr><td><a href="{escape(_in_html(_self(c)))}">{escape(c.get("title", c["id"]))}</a></td>'
        f"<td>{escape(c.get('description', ''))}</td><td><code>{escape(c['id'])}</code></td>"
        f'<td><a href="{escape(_in_html(_self(c) + "/items"))}">要素 · features</a></td></tr>'
        for c in collections
    )
    return (
        '<div class="scroll"><table><thead><tr><th>图层 · Layer</th><th>说明 · Description</th><th>id</th>'
        f"<th></th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _self(doc: dict) -> str:
    return next(
        (link["href"] for link in doc.get("links", []) if link.get("rel") == "self"), doc.get("id", "")
    )


def _shell(title: str, body: str, root: str) -> str:
    """A page with the service's header; `root` is the path prefix the service is under."""
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><header>"
        f'<a href="{root}/ogc?f=html">OGC API</a><a href="{root}/ogc/collections?f=html">图层 · Layers</a>'
        f'<a href="{root}/map">地图 · Map</a><a href="{root}/docs">API</a></header>'
        f"<main>{body}</main></body></html>"
    )


def page(title: str, doc: dict, root: str) -> str:
    parts = [f"<h1>{escape(doc.get('title') or title)}</h1>"]
    if doc.get("description"):
        parts.append(f"<p>{escape(doc['description'])}</p>")
    if "collections" in doc:
        parts.append(_collections(doc["collections"]))
    if "conformsTo" in doc:
        parts.append(
            "<ul>" + "".join(f"<li><code>{escape(c)}</code></li>" for c in doc["conformsTo"]) + "</ul>"
        )
    if "features" in doc:
        matched = doc.get("numberMatched")
        shown = f"{doc.get('numberReturned', len(doc['features']))}" + (
            f" / {matched}" if matched is not None else ""
        )
        parts.append(f'<p class="muted">要素 · features: {escape(shown)}</p>')
        parts.append(_table([{"id": f.get("id"), **(f.get("properties") or {})} for f in doc["features"]]))
    if doc.get("type") == "Feature":
        parts.append(_table([{"id": doc.get("id"), **(doc.get("properties") or {})}]))
    parts.append(_links(doc.get("links", [])))
    return _shell(title, "".join(parts), root)


def sign_in_page(root: str) -> str:
    """Answered (401) to a browser that asks for a page it must sign in for. Signing in
    keeps the token where the map keeps it, then loads the page with it; later pages
    load with it at once."""
    body = f"""<div id="ogc-sign-in" class="card" hidden>
<h1>请登录 · Sign in</h1>
<p class="muted">此页面需要登录后查看。This page is for signed-in users.</p>
<form id="ogc-sign-in-form" method="post">
<label>用户名 · User name <input id="username" autocomplete="username" required autocapitalize="off"></label>
<label>密码 · Password <input id="password" type="password" autocomplete="current-password" required></label>
<p id="sign-in-error" class="error" role="alert" hidden></p>
<button type="submit" class="btn-primary">登录 · Sign in</button>
</form></div>
<p id="ogc-loading" class="muted">正在加载… Loading…</p>
<script type="module" src="{root}/map/static/js/ogc_sign_in.js"></script>"""
    style = (
        ".card{background:#fff;border-radius:8px;padding:20px;max-width:360px;box-shadow:0 1px 4px rgba(0,0,0,.2)}"
        ".card label{display:flex;flex-direction:column;gap:4px;margin:10px 0;font-size:14px}"
        ".card input{font-size:16px;padding:8px 10px;border:1px solid #c9ccd1;border-radius:6px}"
        ".btn-primary{background:#7b3294;color:#fff;border:0;border-radius:6px;padding:10px 16px;font-size:15px}"
        ".error{color:#b42318;background:#fef3f2;border:1px solid #fecdca;border-radius:6px;padding:6px}"
        "[hidden]{display:none!important}"
    )
    return _shell("请登录 · Sign in", f"<style>{style}</style>{body}", root)
