"""The planners' page in English and Chinese at desktop and phone sizes: no interface text
in the other language, one radius for the indicator, the map and the report, a sign-in
that answers in the page's language, and a page that tells a viewer it is not theirs."""

from __future__ import annotations

import re

import pytest

from tests.web.languages import CJK, in_the_other_language
from tests.web.test_web_map import ARTIFACTS, MapPage, browser  # noqa: F401  (shared fixture)

# Interface text: headings, table heads, labels, buttons, links, the legend and the layer
# list, the indicators' names and targets. Names of places (data) are left out.
INTERFACE = """() => [...document.querySelectorAll(
    'h1, h2, th, label, button:not(#lang-toggle), .topbar a, .as-of > span:first-child, .legend, .leaflet-control-layers-overlays,'
    + ' #indicators td:first-child, #indicators td:last-child, #indicators tr.group td')]
  .filter((e) => e.offsetParent !== null || e.closest('.legend, .leaflet-control-layers'))
  .map((e) => e.textContent.trim()).filter(Boolean)"""


def _sign_in(m: MapPage, user: str, password: str):
    m.page.fill("#username", user)
    m.page.fill("#password", password)
    m.page.click("#sign-in button[type=submit]")


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_planners_page_speaks_one_language(browser, live_server, client, auth, lang, width):  # noqa: F811
    m = MapPage(browser, live_server, width=width, height=800 if width > 600 else 844)
    page = m.page
    page.add_init_script(f"localStorage.setItem('lang', '{lang}')")
    page.goto(f"{live_server}/planner")
    page.wait_for_selector("#sign-in:not([hidden])")
    assert page.is_hidden("#sign-in-error"), "no empty error box before a wrong password"
    _sign_in(m, "demo_planner", "wrong-password")
    page.wait_for_selector("#sign-in-error:not([hidden])")
    wrong = page.inner_text("#sign-in-error")
    assert bool(CJK.search(wrong)) is (lang == "zh"), wrong
    _sign_in(m, "demo_planner", "demo-planner")
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)
    page.fill("#radius", "50")
    page.dispatch_event("#radius", "change")
    page.wait_for_function(
        "() => document.querySelector('#indicators tr[data-key=coverage_distance] td')?.textContent.includes('50')"
    )
    texts = page.evaluate(INTERFACE)
    assert len(texts) > 15
    assert in_the_other_language(texts, lang) == []
    # one radius: the indicator, the legend and the report all say 50 km
    assert "50" in page.text_content(".legend")  # folded on a phone: its text, not what shows
    report = client.get(
        "/api/v1/funeral/report.html", params={"radius_km": 50, "lang": lang}, headers=auth("planner")
    ).text
    assert (
        ("50 公里" if lang == "zh" else "50 km") in report
        and "30 公里" not in report
        and "30 km" not in report
    )
    assert ('lang="en"' in report) is (lang == "en")
    assert "township" not in report if lang == "zh" else "乡镇" not in report
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", report), "no raw ISO time in the report"
    ARTIFACTS.mkdir(exist_ok=True)
    size = "desktop" if width > 600 else "phone"
    page.screenshot(path=str(ARTIFACTS / f"planner-{lang}-{size}.png"))
    # the toggle switches the page without a reload
    page.click("#lang-toggle")
    page.wait_for_function(
        "(zh) => /[\\u4e00-\\u9fff]/.test(document.querySelector('h1').textContent) === zh", arg=lang == "en"
    )
    assert [e for e in m.console_errors if "401" not in e] == [], m.console_errors
    assert not m.outside_requests, m.outside_requests
    m.close()


def test_a_viewer_is_told_the_planners_page_is_not_theirs(browser, live_server, client, auth):  # noqa: F811
    # the page and the API agree: individual graves and the planners' files are not a viewer's
    assert client.get("/api/v1/funeral/graves/points", headers=auth("viewer")).status_code == 403
    assert client.get("/api/v1/funeral/report.html", headers=auth("viewer")).status_code == 403
    assert "planner_page" not in client.get("/api/v1/map-config", headers=auth("viewer")).json()["actions"]
    assert "planner_page" in client.get("/api/v1/map-config", headers=auth("planner")).json()["actions"]
    m = MapPage(browser, live_server)
    m.page.goto(f"{live_server}/planner")
    _sign_in(m, "demo_viewer", "demo-viewer")
    m.page.wait_for_selector("#not-for-role:not([hidden])")
    assert "访客" in m.page.inner_text("#not-for-role")
    assert m.page.is_hidden("#planner-body")
    assert not m.console_errors, m.console_errors
    m.close()


def test_the_exported_map_has_a_title_and_a_legend(browser, live_server, client, auth, db):  # noqa: F811
    r = client.get(
        "/api/v1/funeral/planner-map.html", params={"radius_km": 40, "lang": "en"}, headers=auth("planner")
    )
    demo = db.execute("SELECT bool_and(source = 'demo') FROM restricted_corridor").fetchone()[0]
    m = MapPage(browser, live_server)
    m.page.set_content(r.text)
    m.page.wait_for_selector(".export-legend")
    assert "planning map" in m.page.inner_text(".export-title")
    legend = m.page.inner_text(".export-legend")
    assert "Funeral home" in legend and "40 km" in legend
    assert ("demo data" in legend) is bool(demo)  # the corridors are labelled demo while they all are
    assert not CJK.search(m.page.inner_text(".leaflet-control-layers"))
    m.page.screenshot(path=str(ARTIFACTS / "planner-exported-map.png"))
    m.close()
