"""The inspector's day on a 390-px phone with a persistent profile, the service really
stopped while the inspector is out: where am I (a position dot, its accuracy and age,
following, the distance and bearing to the open marker as the inspector walks)."""

from __future__ import annotations

import math

import pytest
from playwright.sync_api import sync_playwright

from tests.web.field_browser import Phone, RestartableServer


@pytest.fixture(scope="module")
def day(settings, prepared_db, db, tmp_path_factory):
    code, lon, lat = db.execute(
        "SELECT code, ST_X(geom), ST_Y(geom) FROM boundary_marker WHERE last_inspection_id IS NULL"
        " ORDER BY code DESC OFFSET 11 LIMIT 1"
    ).fetchone()
    server = RestartableServer(settings).start()
    with sync_playwright() as p:
        profile = tmp_path_factory.mktemp("inspector-day") / "phone"
        phone = Phone(p, profile, server.base, at=(lon, lat + 0.002), offline=False)
        phone.sign_in("demo_inspector", "demo-inspector")
        phone.panel("marker_panel", "showMarker", code)  # read online: kept for offline
        phone.page.wait_for_selector("#log-visit")
        phone.close()
        server.stop()  # out in the field: nothing answers
        phone = Phone(p, profile, server.base, at=(lon, lat + 0.002), offline=True)
        phone.page.goto(server.base + "/map")
        phone.wait_ready()
        yield {"phone": phone, "server": server, "code": code, "at": (lon, lat)}
        phone.close()
    server.stop()


def _metres_north(lat_from: float, lat_to: float) -> float:
    return (lat_to - lat_from) * math.pi / 180 * 6371008.8


def test_the_map_shows_where_i_am_offline(day):
    phone, (lon, lat) = day["phone"], day["at"]
    page = phone.page
    assert page.is_visible("#offline-badge")
    page.click("#locate-button")
    page.wait_for_selector(".my-dot")
    page.wait_for_function("() => document.querySelector('#fix-chip').textContent.startsWith('±5 m')")
    me = page.evaluate("""() => { const l = window.gisMap.myLocation; const c = l.accuracyCircle;
        return { lat: c.getLatLng().lat, lon: c.getLatLng().lng, radius: c.getRadius(), zoom: window.gisMap.map.getZoom(),
                 inView: window.gisMap.map.getBounds().contains(c.getLatLng()) }; }""")
    assert me["lat"] == pytest.approx(lat + 0.002) and me["lon"] == pytest.approx(lon)
    assert me["radius"] == 5 and me["inView"] and me["zoom"] >= 16
    phone.screenshot("day-1-my-position.png")
    # the fix ages while no new one comes
    page.wait_for_function("() => document.querySelector('#fix-chip').textContent.includes('秒前')", timeout=10_000)

    # the open marker's distance and bearing follow the inspector
    phone.panel("marker_panel", "showMarker", day["code"])
    page.wait_for_selector("#from-me")
    far = page.inner_text("#from-me")
    expected = _metres_north(lat, lat + 0.002)
    assert f"{expected:.0f} m" in far and "180°" in far, far
    phone.context.set_geolocation({"longitude": lon, "latitude": lat + 0.0003, "accuracy": 8})
    page.wait_for_function("() => document.querySelector('#from-me').textContent.includes('±8 m')")
    near = page.inner_text("#from-me")
    assert f"{_metres_north(lat, lat + 0.0003):.0f} m" in near and "180°" in near, near
    assert page.inner_text("#fix-chip").startswith("±8 m")
    phone.screenshot("day-2-walking-to-the-marker.png")

    # following: the map keeps the inspector in the middle; a drag stops following
    page.click("#marker-panel-close")
    page.click("#locate-button")
    assert page.get_attribute("#locate-button", "data-mode") == "follow"
    phone.context.set_geolocation({"longitude": lon + 0.01, "latitude": lat + 0.01, "accuracy": 6})
    page.wait_for_function(
        "(want) => Math.abs(window.gisMap.map.getCenter().lng - want) < 1e-6", arg=lon + 0.01, timeout=10_000
    )
    page.click("#locate-button")
    assert page.get_attribute("#locate-button", "data-mode") == "off"
    assert page.locator(".my-dot").count() == 0 and page.is_hidden("#fix-chip")
    assert phone.errors == [] and phone.outside == [], (phone.errors, phone.outside)
