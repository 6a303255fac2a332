"""A deployment whose accounts read their own unit only (READ_SCOPE=unit), in headless
Chromium on a 390-px phone: a Dalad Banner inspector's map carries Dalad's markers and no
other banner's, and a search of the register finds Dalad's names only."""

from __future__ import annotations

import uuid

import pytest

from tests.service_process import in_thread
from tests.web.test_planner_page import _open as open_planner_page
from tests.web.test_web_map import MapPage, browser  # noqa: F401  (shared fixture)

DALAD = "150621"


@pytest.fixture(scope="module")
def unit_server(settings, prepared_db):
    with in_thread(settings.model_copy(update={"read_scope": "unit"})) as base:
        yield base


def _dalad_account(client, auth, role: str) -> tuple[str, str]:
    """A new account of Dalad Banner: its user name and password."""
    name, password = f"dalad_{role}_{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    body = {"username": name, "role": role, "password": password, "unit_code": DALAD}
    assert client.post("/api/v1/users", json=body, headers=auth("admin")).status_code == 201
    return name, password


def test_a_banners_inspector_sees_the_banners_records(browser, unit_server, client, auth, db):  # noqa: F811
    m = MapPage(browser, unit_server, width=390, height=800)
    m.open()
    m.sign_in(*_dalad_account(client, auth, "inspector"))
    m.wait_ready()
    expected = db.execute(
        "SELECT count(*) FROM boundary_marker WHERE units_within(line_code, %s)", (DALAD,)
    ).fetchone()[0]
    m.page.wait_for_function(
        "(n) => window.gisMap.layers.get('boundary_marker').features.length === n",
        arg=expected,
        timeout=20_000,
    )
    lines = m.page.evaluate(
        "() => window.gisMap.layers.get('boundary_marker').features.map(f => f.properties.line_code)"
    )
    assert lines and all(DALAD in line.split("-") for line in lines)
    m.screenshot("unit-reads-inspector-phone.png")
    # the register: a name of Dongsheng District is not found, one of Dalad is
    other, own = (
        db.execute(
            "SELECT name FROM place_name p WHERE level = 'village' AND admin_code LIKE %s AND NOT EXISTS"
            " (SELECT 1 FROM place_name q WHERE q.name = p.name AND q.id <> p.id) ORDER BY id LIMIT 1",
            (prefix + "%",),
        ).fetchone()[0]
        for prefix in ("150602", DALAD)
    )
    page = m.page
    for name, found in ((other, False), (own, True)):
        page.fill("#place-search-input", "")
        page.wait_for_selector("#place-search-results", state="hidden")
        page.fill("#place-search-input", name)
        page.wait_for_selector("#place-search-results:not([hidden]) li")
        results = page.inner_text("#place-search-results")
        assert (name in results) is found, (name, results)
        if not found:
            m.screenshot("unit-reads-search-other-banner-phone.png")
    assert not m.console_errors, m.console_errors
    assert not m.outside_requests, m.outside_requests
    m.close()


def test_a_banners_planner_sees_the_banners_graves(browser, unit_server, client, auth, db):  # noqa: F811
    """The planners' page in a unit-limited deployment, on a phone: the banner's figures and
    the banner's graves, with nothing refused on the way."""
    m = MapPage(browser, unit_server, width=390, height=844)
    open_planner_page(m, *_dalad_account(client, auth, "planner"))
    assert m.page.inner_text("#unit-name") == "达拉特旗" and m.page.is_hidden("#unit-pick")
    graves = m.page.evaluate(
        """() => fetch('/api/v1/funeral/graves/points', {headers: {Authorization: 'Bearer '
             + JSON.parse(localStorage.getItem('gis_token')).value}})
             .then(r => r.json())"""
    )
    expected = db.execute("SELECT count(*) FROM grave WHERE county_code LIKE %s", (DALAD + "%",)).fetchone()[
        0
    ]
    assert len(graves["points"]) == expected
    m.screenshot("unit-reads-planner-phone.png")
    assert not m.console_errors, m.console_errors
    assert not m.outside_requests, m.outside_requests
    m.close()
