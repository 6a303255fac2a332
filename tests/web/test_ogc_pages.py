"""The OGC API as pages for a person: links say where they lead and stay in the HTML view,
and a page that needs a sign-in offers one instead of raw 401 JSON."""

from __future__ import annotations

from tests.web.test_web_map import ARTIFACTS, MapPage, browser  # noqa: F401  (shared fixture)


def test_the_landing_page_reads_as_a_page(client):
    r = client.get("/ogc", params={"f": "html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    text = r.text
    assert "self self" not in text and "self · application/json" not in text
    # the data link leads to the layers as a page, with the JSON beside it
    assert 'href="http://testserver/ogc/collections?f=html"' in text and "图层列表 · Layers" in text
    assert "遵循的标准 · Conformance classes" in text and "API 文档 · API documentation" in text


def test_a_browser_is_offered_a_sign_in_not_raw_json(client, browser, live_server):  # noqa: F811
    anonymous = client.get("/ogc/collections/county_boundary/items", headers={"Accept": "text/html"})
    assert anonymous.status_code == 401 and "ogc-sign-in-form" in anonymous.text
    # clients that ask for JSON still get the JSON error
    assert client.get("/ogc/collections/county_boundary/items").json()["code"] == "unauthorized"
    m = MapPage(browser, live_server)
    page = m.page
    page.goto(f"{live_server}/ogc/collections?f=html")
    page.wait_for_selector("#ogc-sign-in:not([hidden])")
    page.fill("#username", "demo_viewer")
    page.fill("#password", "wrong")
    page.click("#ogc-sign-in-form button[type=submit]")
    page.wait_for_selector("#sign-in-error:not([hidden])")
    page.fill("#password", "demo-viewer")
    page.click("#ogc-sign-in-form button[type=submit]")
    page.wait_for_selector("table a:has-text('旗县区')", timeout=15_000)
    # following a link: the next page needs the token too, and gets it without asking again
    page.click("table a:has-text('旗县区')")
    page.wait_for_selector("h2:has-text('Links')", timeout=15_000)
    page.click("ul.links a:has-text('要素 · Features')")
    page.wait_for_selector("p.muted:has-text('features')", timeout=15_000)
    assert page.locator("table tbody tr").count() >= 5 and "旗县区" in page.inner_text("h1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ogc-items-page.png"))
    assert [e for e in m.console_errors if "401" not in e] == [], m.console_errors
    assert not m.outside_requests, m.outside_requests
    m.close()
