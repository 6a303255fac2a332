"""The place-name officer's panel in headless Chromium: a rename to a duplicate is refused
until waived with a reason; the panel in English and Chinese at desktop and phone sizes
leaves no interface text in the other language; the romanisation tool fills the record;
Mongolian script is drawn vertically in the shipped font; each role opens on its own
layers and tools."""

from __future__ import annotations

import re

import pytest

from tests.web.languages import in_the_other_language
from tests.web.test_web_map import ARTIFACTS, MapPage, browser  # noqa: F401  (shared fixture)

BASE = "/api/v1/place-names"
# Interface text of the open panel and the top bar: labels, headings, buttons, notes.
# Data (names, admin units, romanised forms, record fields) is left out.
INTERFACE = """() => {
  const panel = document.querySelector('#place-panel');
  const picks = [...panel.querySelectorAll('th, h3, summary, label, .finding strong, .finding, .refused > .error,'
    + ' button:not(.candidate), .badge, .muted, .warn')];
  // the language switch names the other language in that language (中文 / EN), as is usual;
  // the account button shows the user's own name, which is theirs in whatever language
  picks.push(...document.querySelectorAll(
    '.topbar button:not([hidden]):not(#lang-toggle):not(#user-name), .topbar a:not([hidden])'));
  return picks.filter((e) => e.offsetParent !== null || e.closest('details')).map((e) => {
    const copy = e.cloneNode(true);
    copy.querySelectorAll('input, textarea, .candidate, option').forEach((x) => x.remove());
    return copy.textContent.trim();
  }).filter(Boolean);
}"""


def _open(
    chromium, live_server, *, lang: str, width: int, user=("demo_placename_officer", "demo-placename-officer")
):
    m = MapPage(chromium, live_server, width=width, height=800 if width > 600 else 844)
    m.page.add_init_script(f"localStorage.setItem('lang', '{lang}')")
    m.open()
    m.sign_in(*user)
    m.wait_ready()
    return m


def _open_place(m: MapPage, query: str):
    page = m.page
    page.fill("#place-search-input", query)
    page.wait_for_selector(".place-result")
    page.locator(".place-result").first.click()
    page.wait_for_selector("#place-edit-form")


def test_a_rename_to_a_duplicate_is_refused_until_waived(browser, live_server, db, client, auth, current):  # noqa: F811
    pid = db.execute(
        "SELECT id FROM place_name WHERE name = '光生村' AND admin_code = '150627104'"
    ).fetchone()[0]
    m = _open(browser, live_server, lang="zh", width=1280)
    page = m.page
    try:
        _open_place(m, "光生村")
        page.click("#place-run-checks")
        page.wait_for_selector("#place-findings .finding, #place-findings .ok")
        # the homophone with its neighbour is shown: the panel hides no finding
        assert "同音" in page.inner_text("#place-findings")
        page.fill("#place-edit-form input[name=name]", "光胜村")
        page.fill("#place-edit-form input[name=reason]", "登记错误更正")
        page.click("#place-edit-form button[type=submit]")
        page.wait_for_selector("#place-refused:not([hidden])")
        refused = page.inner_text("#place-refused")
        assert "重名" in refused and "未保存" in refused
        assert db.execute("SELECT name FROM place_name WHERE id = %s", (pid,)).fetchone()[0] == "光生村"
        # no waiver reason: still refused, by the panel
        page.click("#place-edit-form button[type=submit]")
        page.wait_for_selector("#place-edit-form > .error:not([hidden])")
        assert db.execute("SELECT name FROM place_name WHERE id = %s", (pid,)).fetchone()[0] == "光生村"
        page.fill("#place-refused textarea[name=waiver_reason]", "两村历史上同名，经旗民政局核准保留")
        page.click("#place-edit-form button[type=submit]")
        page.wait_for_function("() => document.querySelector('#place-panel-title').textContent === '光胜村'")
        page.click("details:has(#place-history) > summary")
        page.wait_for_selector("#place-history .waiver")
        assert "经旗民政局核准保留" in page.inner_text("#place-history .waiver")
        assert "重名" in page.inner_text("#place-history .waiver")
        m.screenshot("officer-waiver-zh-desktop.png")
        audit = db.execute(
            "SELECT after FROM audit_log WHERE entity = 'place_name' AND entity_id = %s ORDER BY id DESC LIMIT 1",
            (str(pid),),
        ).fetchone()[0]
        assert audit["waived"] == {"rules": ["duplicate"], "reason": "两村历史上同名，经旗民政局核准保留"}
        # the 409s are the refusals above; nothing else went wrong
        assert [e for e in m.console_errors if "409" not in e] == []
        assert not m.outside_requests
    finally:
        m.close()
        r = client.patch(
            f"{BASE}/{pid}",
            json={"name": "光生村", "reason": "restore"},
            headers=current(f"{BASE}/{pid}", auth("placename_officer")),
        )
        assert r.status_code == 200, r.text


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_panel_speaks_one_language(browser, live_server, client, auth, lang, width):  # noqa: F811
    pid = client.get(BASE, params={"q": "达拉特旗"}, headers=auth("viewer")).json()["results"][0]["id"]
    record = client.get(f"{BASE}/{pid}", headers=auth("viewer"))
    if not record.json()["properties"]["mongolian_script"]:
        r = client.patch(
            f"{BASE}/{pid}",
            json={"mongolian_script": "ᠳᠠᠯᠠᠳ ᠬᠣᠰᠢᠭᠤ", "reason": "Mongolian form from the banner's sign"},
            headers={**auth("placename_officer"), "If-Match": record.headers["etag"]},
        )
        assert r.status_code == 200, r.text
    m = _open(browser, live_server, lang=lang, width=width)
    page = m.page
    try:
        _open_place(m, "达拉特旗")
        page.click("#place-run-checks")
        page.wait_for_selector("#place-findings .finding, #place-findings .ok")
        page.click("details:has(#place-history) > summary")
        page.wait_for_selector("#place-history li")
        page.click("#romanize-tool > summary")
        texts = page.evaluate(INTERFACE)
        assert len(texts) > 20
        assert in_the_other_language(texts, lang) == []
        # the location row gives coordinates, not a geometry type
        location = page.locator("#place-panel table.props tr").nth(3).inner_text()
        assert re.search(r"\d+\.\d{6}°E, \d+\.\d{6}°N", location) or (
            "未定位" in location or "not located" in location
        )
        # traditional Mongolian: vertical, in the font the service ships
        script = page.locator("#place-panel .mongolian-script")
        assert script.evaluate("(e) => getComputedStyle(e).writingMode") == "vertical-lr"
        page.wait_for_function("() => document.fonts.check('18px \"Noto Sans Mongolian\"', 'ᠳᠠᠯᠠᠳ')")
        assert page.evaluate(
            "async () => { await document.fonts.ready; return [...document.fonts].some("
            "(f) => f.family.includes('Noto Sans Mongolian') && f.status === 'loaded'); }"
        )
        # the romanisation tool: candidates for free text, one click into the record
        page.fill("#romanize-tool input[name=romanize-text]", "长滩村")
        page.click("#romanize-tool button[type=submit]")
        page.wait_for_selector("#romanize-result .candidate")
        assert page.locator("#romanize-result .candidate").first.inner_text() == "Changtancun"
        page.locator("#romanize-result .candidate").first.click()
        assert page.input_value("#place-edit-form input[name=romanization]") == "Changtancun"
        size = "desktop" if width > 600 else "phone"
        m.screenshot(f"officer-panel-{lang}-{size}.png")
        # switching language redraws the open record in the other language
        page.click("#lang-toggle")
        page.wait_for_function(
            "(zh) => { const th = document.querySelector('#place-panel table.props th');"
            " return th !== null && /[\\u4e00-\\u9fff]/.test(th.textContent) === zh; }",
            arg=lang == "en",
        )
        assert not m.console_errors, m.console_errors
        assert not m.outside_requests, m.outside_requests
    finally:
        m.close()


@pytest.mark.parametrize(
    ("user", "on", "off", "tools"),
    [
        (("demo_placename_officer", "demo-placename-officer"), "place_name", "boundary_marker", False),
        (("demo_inspector", "demo-inspector"), "boundary_marker", "place_name", True),
    ],
    ids=["officer", "inspector"],
)
def test_each_role_opens_on_its_own_layers_and_tools(browser, live_server, user, on, off, tools):  # noqa: F811
    m = _open(browser, live_server, lang="zh", width=1280, user=user)
    page = m.page
    try:
        checked = page.evaluate(
            "() => Object.fromEntries([...document.querySelectorAll('.layer-switcher input[data-layer]')]"
            ".map((i) => [i.dataset.layer, i.checked]))"
        )
        assert checked[on] is True and checked[off] is False
        assert page.is_visible("#nearest-button") is tools
        assert page.is_visible("#tools-button") is tools
        assert not m.console_errors, m.console_errors
    finally:
        m.close()
