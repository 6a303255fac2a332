"""The planners' page in headless Chromium: sign in, see every plan indicator with its
live value, the map with facilities, banners shaded by coverage, graves and restricted
areas; change the radius; suggest sites; nothing is fetched from outside the machine."""

from __future__ import annotations

import uuid

from tests.web.test_web_map import ARTIFACTS, MapPage, browser  # noqa: F401  (shared fixture)


def _open(m: MapPage, username: str = "demo_planner", password: str = "demo-planner"):
    """The planners' page, signed in."""
    m.page.goto(f"{m.base}/planner")
    m.page.fill("#username", username)
    m.page.fill("#password", password)
    m.page.click("#sign-in button[type=submit]")
    m.page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)


def test_planner_page_shows_indicators_and_map(browser, live_server, client, auth):  # noqa: F811
    m = MapPage(browser, live_server)
    _open(m)
    page = m.page
    expected = client.get("/api/v1/indicators", headers=auth("planner")).json()["indicators"]
    shown = page.eval_on_selector_all("#indicators tr[data-key]", "rows => rows.map(r => r.dataset.key)")
    assert shown == [i["key"] for i in expected]
    road_rail = next(i for i in expected if i["key"] == "remediation_road_rail")
    assert f"{road_rail['value']:.1f}%" in page.inner_text("#indicators tr[data-key=remediation_road_rail]")
    assert page.locator("#progress tbody tr").count() >= 9
    # Facilities drawn as circle markers on the canvas-less overlay, grave clusters as icons.
    assert page.locator(".grave-cluster").count() > 0
    assert page.locator(".leaflet-control-layers-overlays label").count() == 7
    fills = page.evaluate(
        "() => window.planner.state.layers.banners.getLayers().map(l => l.options.fillColor)"
    )
    assert len(fills) == 9 and all(f.startswith("rgb(") for f in fills)  # banners shaded by coverage
    assert page.evaluate("() => window.planner.state.layers.facilities.getLayers().length") > 0
    # A grave's record opens from the map.
    page.evaluate(
        "() => { const m = window.planner.state.layers.graveClusters.getLayers()[0];"
        " window.planner.map.setView(m.getLatLng(), 18, {animate: false}); }"
    )
    page.wait_for_function("() => window.planner.state.layers.graveClusters.getLayers()[0]._map")
    page.evaluate(
        "() => { const m = window.planner.state.layers.graveClusters.getLayers()[0];"
        " m.fire('click', {latlng: m.getLatLng()}, true); }"
    )
    page.wait_for_selector(".leaflet-popup-content .grave-popup")
    assert "调查日期" in page.inner_text(".leaflet-popup-content")
    page.fill("#radius", "10")
    page.dispatch_event("#radius", "change")
    page.wait_for_function("() => document.querySelector('.legend') !== null")
    page.fill("#k", "2")
    page.click("#suggest")
    page.wait_for_function(
        "() => document.querySelector('#suggest-result').textContent.includes('→')", timeout=60_000
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "planner-desktop.png"))
    assert not m.console_errors, m.console_errors
    assert not m.outside_requests, m.outside_requests
    m.close()


def test_planner_page_on_a_phone(browser, live_server):  # noqa: F811
    m = MapPage(browser, live_server, width=390, height=844)
    _open(m)
    assert m.page.locator("#indicators tr[data-key]").count() > 5
    box = m.page.locator("#map").bounding_box()
    assert box["width"] > 350 and box["height"] > 300
    # Every action in the title bar is on screen, the layer list is folded.
    for box in m.page.eval_on_selector_all(
        ".topbar-actions > *", "els => els.map(e => e.getBoundingClientRect().right)"
    ):
        assert box <= 390
    assert m.page.locator(".leaflet-control-layers-expanded").count() == 0
    m.page.screenshot(path=str(ARTIFACTS / "planner-phone.png"))
    assert not m.console_errors, m.console_errors
    m.close()


def test_standalone_map_export_needs_no_network(browser, live_server, client, auth):  # noqa: F811
    r = client.get("/api/v1/funeral/planner-map.html?radius_km=25", headers=auth("planner"))
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert '<script src="http' not in r.text and 'stylesheet" href="http' not in r.text
    m = MapPage(browser, live_server)
    m.page.set_content(r.text)  # as if opened from disk: nothing but the file itself
    m.page.wait_for_selector(".leaflet-control-layers")
    assert m.page.locator(".leaflet-control-layers-overlays label").count() == 6
    assert m.page.locator("canvas").count() >= 1  # the layers are drawn
    assert not m.console_errors, m.console_errors
    assert not m.outside_requests, m.outside_requests
    m.close()
    report = client.get("/api/v1/funeral/report.html", headers=auth("planner"))
    assert report.status_code == 200 and "规划目标与当前值" in report.text
    assert client.get("/api/v1/funeral/report.html", headers=auth("viewer")).status_code == 403


def test_the_page_is_for_one_unit(browser, live_server, client, auth):  # noqa: F811
    """The city's planner narrows the page to a banner; a banner's planner sees their banner
    and no picker, at 390 px."""
    m = MapPage(browser, live_server)
    _open(m)
    page = m.page
    assert page.is_visible("#unit-pick") and page.input_value("#unit") == "150600"
    page.select_option("#unit", "150621")
    dalad = client.get("/api/v1/indicators?unit=150621", headers=auth("planner")).json()["indicators"]
    managed = next(i for i in dalad if i["key"] == "markers_managed")
    page.wait_for_function(
        "(n) => document.querySelector('#indicators tr[data-key=markers_managed] td')?.title.endsWith(n)",
        arg=f"/ {managed['denominator']}",
    )
    assert page.inner_text("#unit-name") == "达拉特旗"
    assert page.locator("#progress tbody tr").count() == 1
    m.close()

    name, password = f"planner_dalad_{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    body = {"username": name, "role": "planner", "password": password, "unit_code": "150621"}
    assert client.post("/api/v1/users", json=body, headers=auth("admin")).status_code == 201
    m = MapPage(browser, live_server, width=390, height=844)
    _open(m, name, password)
    assert m.page.is_hidden("#unit-pick")
    assert m.page.locator("#progress tbody tr").count() == 1
    assert "达拉特旗" in m.page.inner_text("#progress tbody")
    assert m.page.inner_text("#unit-name") == "达拉特旗"
    m.page.screenshot(path=str(ARTIFACTS / "planner-banner-phone.png"))
    assert not m.console_errors, m.console_errors
    m.close()
