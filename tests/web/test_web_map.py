"""The web map in a real headless Chromium (Debian's chromium package).

Every request the page makes is checked: anything not on this machine's loopback
is blocked and recorded, and the test fails if the page tried one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.catalogue.layer_ids import layers_for
from tests.reference_data.test_reference_data import ORDOS_UNITS
from tests.web.field_browser import ARGS, ARTIFACTS, CHROMIUM, LOCAL_HOSTS


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (./scripts/test installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class MapPage:
    """A page with console errors and non-local requests recorded."""

    def __init__(self, browser: Browser, base: str, width: int = 1280, height: int = 800):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page: Page = self.context.new_page()
        self.base = base
        self.console_errors: list[str] = []
        self.outside_requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.route("**/*", self._guard)

    def _guard(self, route):
        host = urlsplit(route.request.url).hostname or ""
        if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside_requests.append(route.request.url)
            route.abort()

    def open(self):
        self.page.goto(self.base + "/map")
        self.page.wait_for_selector("#sign-in:not([hidden])")
        return self

    def sign_in(self, username: str, password: str):
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("#sign-in-form button[type=submit]")

    def wait_ready(self):
        self.page.wait_for_selector("body[data-layers-ready=true]", timeout=20_000)
        self.page.wait_for_function(
            "() => window.gisMap.layers.get('county_boundary').tiles._loading === false", timeout=20_000
        )

    def drawn_feature_ids(self, layer: str) -> set[str]:
        return set(
            self.page.evaluate(
                """(layer) => { const grid = window.gisMap.layers.get(layer).tiles;
                 return Object.values(grid._vectorTiles).flatMap(t => Object.keys(t._features)); }""",
                layer,
            )
        )

    def screenshot(self, name: str):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name))

    def close(self):
        self.context.close()


def test_map_loads_offline_and_draws_the_nine_banners(browser, live_server):
    m = MapPage(browser, live_server).open()
    m.sign_in("demo_viewer", "demo-viewer")
    m.wait_ready()
    drawn = m.drawn_feature_ids("county_boundary")
    assert set(ORDOS_UNITS) <= drawn
    labels = m.page.eval_on_selector_all(
        ".map-label.focus[data-layer=county_boundary]", "els => els.map(e => e.textContent)"
    )
    assert sorted(labels) == sorted(name for name, _ in ORDOS_UNITS.values())
    # The scale bar and the coordinate read-out in lon/lat and Gauss-Krueger.
    assert m.page.is_visible(".leaflet-control-scale-line")
    m.page.mouse.move(640, 420)
    readout = m.page.inner_text("#coords")
    assert "°" in readout and "X " in readout and "Y 3" in readout
    # Layer switcher built from the catalogue.
    boxes = m.page.eval_on_selector_all(".layer-switcher input", "els => els.map(e => e.dataset.layer)")
    assert boxes == layers_for("viewer")
    m.screenshot("map-desktop.png")
    assert m.console_errors == []
    assert m.outside_requests == []
    m.close()


def test_failed_sign_in_shows_a_clear_message(browser, live_server):
    m = MapPage(browser, live_server).open()
    m.sign_in("demo_viewer", "not-the-password")
    m.page.wait_for_selector("#sign-in-error:not([hidden])")
    assert m.page.inner_text("#sign-in-error") == "用户名或密码错误。"
    m.page.click("#lang-toggle")
    m.sign_in("demo_viewer", "still-wrong")
    m.page.wait_for_function(
        "() => document.querySelector('#sign-in-error').textContent === 'Wrong user name or password.'"
    )
    assert m.page.is_visible("#sign-in")  # still on the sign-in form, map not shown
    assert m.outside_requests == []
    m.close()


def test_english_toggle_and_labels(browser, live_server):
    m = MapPage(browser, live_server).open()
    m.sign_in("demo_planner", "demo-planner")
    m.wait_ready()
    m.page.click("#lang-toggle")
    assert m.page.inner_text(".topbar h1") == "Ordos Boundaries and Place Names"
    labels = m.page.eval_on_selector_all(
        ".map-label.focus[data-layer=county_boundary]", "els => els.map(e => e.textContent)"
    )
    assert "Dalad Qi" in labels and "Ejin Horo Qi" in labels
    m.page.click("#lang-toggle")  # leave Chinese as the stored choice
    assert m.console_errors == []
    m.close()


def test_usable_on_a_375px_phone(browser, live_server):
    m = MapPage(browser, live_server, width=375, height=740).open()
    m.sign_in("demo_inspector", "demo-inspector")
    m.wait_ready()
    assert m.page.evaluate("document.documentElement.scrollWidth") <= 375
    # The layer list starts collapsed on a phone and opens with one tap.
    assert not m.page.is_visible(".layer-switcher ul")
    m.page.click(".layer-switcher-head")
    assert m.page.is_visible(".layer-switcher ul")
    m.page.check("input[data-layer=township_unit]")
    m.page.wait_for_selector("#township-list details")
    assert m.page.eval_on_selector_all("#township-list li", "els => els.length") == 88
    m.screenshot("map-phone.png")
    assert m.console_errors == [] and m.outside_requests == []
    m.close()


def test_sign_out_returns_to_the_sign_in_page(browser, live_server):
    m = MapPage(browser, live_server).open()
    m.sign_in("demo_admin", "demo-admin")
    m.wait_ready()
    m.page.click("#sign-out")
    m.page.wait_for_selector("#sign-in:not([hidden])")
    assert m.page.evaluate("localStorage.getItem('gis_token')") is None
    m.close()


def test_api_docs_work_offline(browser, live_server):
    m = MapPage(browser, live_server)
    m.page.goto(live_server + "/docs")
    m.page.wait_for_selector(".swagger-ui .info", timeout=20_000)
    assert m.outside_requests == []
    m.close()
