"""Text from the database made safe for the one context where generated pages put it
that plain HTML escaping does not cover: HTML inside a JavaScript template literal (folium
writes tooltips as `<div>…</div>` in backticks). `${…}`, a backtick or a backslash there
would run or end the literal; as HTML entities they only show."""

from __future__ import annotations

import html

_TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})


def html_in_template_literal(text: object) -> str:
    """Escaped for HTML, then for a JS template literal holding that HTML."""
    return html.escape(str(text), quote=True).translate(_TEMPLATE_LITERAL)
