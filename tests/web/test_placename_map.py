"""The place-name officer's workflow in headless Chromium: search a name, open it from
the results (the map zooms to it), edit it with a reason, and see the new version."""

from __future__ import annotations

import uuid

from tests.web.test_web_map import ARTIFACTS, MapPage, browser  # noqa: F401  (shared fixture)


def test_search_open_and_edit_a_place_name(browser, live_server, db):  # noqa: F811
    m = MapPage(browser, live_server)
    m.open()
    m.sign_in("demo_placename_officer", "demo-placename-officer")
    m.wait_ready()
    page = m.page
    page.fill("#place-search-input", "dlt")
    page.wait_for_selector(".place-result")
    first = page.locator(".place-result").first
    assert "达拉特旗" in first.inner_text() and "Dalad Qi" in first.inner_text()
    first.click()
    page.wait_for_selector("#place-edit-form")
    assert page.inner_text("#place-panel-title") == "达拉特旗"
    # the map moved to the banner (Dalad lies north of 40°N)
    center = page.evaluate("() => window.gisMap.map.getCenter()")
    assert 39.9 < center["lat"] < 40.6 and 109.3 < center["lng"] < 110.9
    page.click("#place-run-checks")
    page.wait_for_selector("#place-findings .ok, #place-findings .finding")
    meaning = f"由蒙古语“达拉特”（意为“弓箭手”）得名 {uuid.uuid4().hex[:6]}"
    page.fill("#place-edit-form textarea[name=meaning]", meaning)
    page.fill("#place-edit-form input[name=reason]", "recorded the meaning from the gazetteer")
    page.click("#place-edit-form button[type=submit]")
    page.wait_for_function(
        "(m) => document.querySelector('#place-panel-body')?.innerText.includes(m)",
        arg=meaning,
        timeout=10_000,
    )
    stored = db.execute("SELECT meaning, version FROM place_name WHERE unit_code = '150621'").fetchone()
    assert stored[0] == meaning and stored[1] >= 2
    page.click("details:has(#place-history) > summary")
    page.wait_for_selector("#place-history li")
    assert "recorded the meaning from the gazetteer" in page.inner_text("#place-history")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "placename-panel.png"))
    assert not m.console_errors, m.console_errors
    assert not m.outside_requests, m.outside_requests
    m.context.close()
