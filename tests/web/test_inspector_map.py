"""The inspector's workflow in headless Chromium: open a marker, log a visit with a
GNSS fix, then log one offline and check that exactly one arrives after reconnecting."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from tests.web.test_web_map import MapPage, browser  # noqa: F401  (shared fixture)


@pytest.fixture
def marker(db):
    code, lon, lat = db.execute(
        "SELECT code, ST_X(geom), ST_Y(geom) FROM boundary_marker WHERE last_inspection_id IS NULL"
        " AND marker_type = 'single' ORDER BY code LIMIT 1"
    ).fetchone()
    return code, lon, lat


def _inspector_page(browser, live_server, lon, lat):  # noqa: F811
    m = MapPage(browser, live_server, width=390, height=800)
    m.context.grant_permissions(["geolocation"])
    m.context.set_geolocation({"longitude": lon + 0.0003, "latitude": lat, "accuracy": 6})
    m.open()
    m.sign_in("demo_inspector", "demo-inspector")
    m.wait_ready()
    m.page.wait_for_function("() => window.gisMap.layers.get('boundary_marker').features.length > 900")
    return m


COUNT = (
    "SELECT count(*) FROM marker_inspection i JOIN boundary_marker b ON b.id = i.marker_id WHERE b.code = %s"
)


def _wait_for_visits(m, db, code, n, seconds=20):
    # Wait through Playwright, not time.sleep: its request guard runs only while the
    # test is inside a Playwright call.
    deadline = time.monotonic() + seconds
    while db.execute(COUNT, (code,)).fetchone()[0] < n:
        assert time.monotonic() < deadline, f"expected {n} visits of {code}"
        m.page.wait_for_timeout(100)


def _open_visit_form(m, code):
    m.page.evaluate("(code) => import('/map/static/js/marker_panel.js').then(p => p.showMarker(code))", code)
    m.page.wait_for_selector("#log-visit")
    m.page.click("#log-visit")
    m.page.wait_for_selector("#visit-form")
    m.page.wait_for_function("() => document.querySelector('#visit-gnss').textContent.includes('±6')")


def test_log_a_visit_then_one_offline(browser, live_server, db, marker):  # noqa: F811
    code, lon, lat = marker
    m = _inspector_page(browser, live_server, lon, lat)
    # Online: the visit goes straight to the server with the phone's GNSS fix.
    _open_visit_form(m, code)
    assert "m" in m.page.inner_text("#visit-gnss")  # accuracy and distance are shown
    m.page.select_option("#visit-condition", "damaged")
    m.page.check("input[name=inscription_legible]")
    m.page.fill("#visit-notes", "base cracked")
    big = io.BytesIO()
    Image.new("RGB", (4000, 3000), (90, 120, 60)).save(big, format="JPEG")  # a 12 MP camera photo
    # The phone faces west: its compass reports alpha 90° (counter-clockwise from north).
    m.page.evaluate(
        """() => ['deviceorientationabsolute', 'deviceorientation'].forEach((kind) => window.dispatchEvent(
               new DeviceOrientationEvent(kind, { alpha: 90, beta: 80, gamma: 0, absolute: true })))"""
    )
    m.page.set_input_files(
        "#visit-photos", files=[{"name": "IMG_1.JPG", "mimeType": "image/jpeg", "buffer": big.getvalue()}]
    )
    assert "270°" in m.page.inner_text("#visit-photo-bearing")
    m.page.click("#visit-form button[type=submit]")
    _wait_for_visits(m, db, code, 1)
    row = db.execute(
        "SELECT i.condition, i.gnss_accuracy_m, round(i.distance_to_marker_m), i.notes"
        " FROM marker_inspection i JOIN boundary_marker b ON b.id = i.marker_id"
        " WHERE b.code = %s",
        (code,),
    ).fetchall()
    assert len(row) == 1 and row[0][0] == "damaged" and row[0][1] == 6 and 20 <= row[0][2] <= 30
    fixes = db.execute(
        "SELECT i.gnss_fixes_averaged FROM marker_inspection i JOIN boundary_marker b ON b.id = i.marker_id"
        " WHERE b.code = %s",
        (code,),
    ).fetchone()[0]
    assert fixes >= 1  # the form averages the fixes it got while open
    assert row[0][3] == "base cracked"
    width = db.execute(
        "SELECT p.width, ip.camera_bearing_deg FROM inspection_photo ip JOIN photo p ON p.sha256 = ip.photo_sha256"
        " JOIN marker_inspection i ON i.id = ip.inspection_id JOIN boundary_marker b"
        " ON b.id = i.marker_id WHERE b.code = %s",
        (code,),
    ).fetchall()
    assert width == [(2560, 270)]  # scaled on the phone before it was queued; the camera faced west
    # A damaged marker opened a repair order.
    assert (
        db.execute(
            "SELECT count(*) FROM repair_order r JOIN boundary_marker b ON b.id = r.marker_id"
            " WHERE b.code = %s AND r.status = 'open'",
            (code,),
        ).fetchone()[0]
        == 1
    )

    # Offline: the visit waits in the outbox, shown as waiting to send.
    m.context.set_offline(True)
    _open_visit_form(m, code)
    m.page.select_option("#visit-condition", "intact")
    m.page.click("#visit-form button[type=submit]")
    m.page.wait_for_selector("#outbox-button:not([hidden])")
    assert "(1)" in m.page.inner_text("#outbox-button")
    assert "待联网" in m.page.inner_text("#visit-message")
    m.page.wait_for_timeout(1000)
    assert db.execute(COUNT, (code,)).fetchone()[0] == 1
    # Back online: it is sent once, the outbox empties, and nothing is duplicated.
    m.context.set_offline(False)
    _wait_for_visits(m, db, code, 2)
    m.page.wait_for_function("() => document.querySelector('#outbox-button').hidden", timeout=20_000)
    m.page.evaluate(
        "() => import('/map/static/js/outbox.js').then(o => o.flush())"
    )  # a resend changes nothing
    m.page.wait_for_timeout(500)
    assert db.execute(COUNT, (code,)).fetchone()[0] == 2
    latest = db.execute("SELECT condition FROM boundary_marker WHERE code = %s", (code,)).fetchone()[0]
    assert latest == "intact"
    m.screenshot("inspector-phone.png")
    # The only console errors are the requests refused while the phone was offline.
    assert all("ERR_INTERNET_DISCONNECTED" in e for e in m.console_errors), m.console_errors
    assert m.outside_requests == []
    m.close()


def test_marker_card_line_view_and_nearest(browser, live_server, marker):  # noqa: F811
    code, lon, lat = marker
    m = _inspector_page(browser, live_server, lon, lat)
    m.page.evaluate("(code) => import('/map/static/js/marker_panel.js').then(p => p.showMarker(code))", code)
    m.page.wait_for_selector("#marker-panel:not([hidden]) table.props")
    text = m.page.inner_text("#marker-panel")
    assert code in text and "方位物" in text and "X 4" in text
    m.page.click("text=整条界线")
    m.page.wait_for_selector(".line-list li")
    assert m.page.eval_on_selector_all(".line-list li", "els => els.length") > 3
    m.page.click("#nearest-button")
    m.page.wait_for_selector("#nearest-list li")
    first = m.page.inner_text("#nearest-list li:first-child")
    assert code in first  # we stand 25 m from it
    # The needs-attention filter hides intact and never-inspected markers.
    total = m.page.evaluate("() => window.gisMap.layers.get('boundary_marker').cluster.getLayers().length")
    m.page.click("#marker-panel-close")
    m.page.check("#attention-filter")
    shown = m.page.evaluate("() => window.gisMap.layers.get('boundary_marker').cluster.getLayers().length")
    assert shown < total
    m.screenshot("marker-card-phone.png")
    assert m.console_errors == [] and m.outside_requests == []
    m.close()


def test_poor_fix_needs_consent_and_a_sent_visit_is_corrected(browser, live_server, db, marker):  # noqa: F811
    code, lon, lat = marker
    m = _inspector_page(browser, live_server, lon, lat)
    m.context.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": 80})  # under trees, say
    m.page.evaluate("(code) => import('/map/static/js/marker_panel.js').then(p => p.showMarker(code))", code)
    m.page.click("#log-visit")
    m.page.wait_for_function("() => document.querySelector('#visit-gnss').textContent.includes('±80')")
    assert "±30 m" in m.page.inner_text("#visit-gnss")  # the form says the fix is too poor
    m.page.select_option("#visit-condition", "buried")
    m.page.fill("#visit-notes", "covered by sand")
    m.page.click("#visit-form button[type=submit]")
    m.page.wait_for_selector("#visit-message.warn")
    m.page.wait_for_timeout(500)
    assert db.execute(COUNT, (code,)).fetchone()[0] == 0  # refused until the inspector says so
    m.screenshot("visit-poor-fix-phone.png")
    m.page.check("#visit-accept-poor-fix")
    m.page.click("#visit-form button[type=submit]")
    _wait_for_visits(m, db, code, 1)
    m.page.wait_for_function("() => document.querySelector('#outbox-button').hidden", timeout=20_000)

    # The inspector corrects the notes from the history; the observation stays.
    m.page.evaluate("(code) => import('/map/static/js/marker_panel.js').then(p => p.showMarker(code))", code)
    m.page.click("text=巡查历史")
    m.page.click(".correct-visit")
    m.page.fill("#correct-notes", "covered by drifting sand, top 10 cm visible")
    m.page.fill("#correct-reason", "more detail")
    m.page.click("#correct-form button[type=submit]")
    m.page.wait_for_selector("text=已修改")
    notes, accuracy, condition, edits = db.execute(
        "SELECT i.notes, i.gnss_accuracy_m, i.condition, i.edit_count FROM marker_inspection i"
        " JOIN boundary_marker b ON b.id = i.marker_id WHERE b.code = %s",
        (code,),
    ).fetchone()
    assert (notes, accuracy, condition, edits) == (
        "covered by drifting sand, top 10 cm visible",
        80,
        "buried",
        1,
    )
    m.screenshot("visit-corrected-phone.png")
    assert m.console_errors == [] and m.outside_requests == []
    m.close()


def test_a_place_name_sign_is_visited_like_a_marker(browser, live_server, client, auth, db):  # noqa: F811
    from tests.placenames.test_signs import _sign

    sign = _sign(client, auth, db, text_zh="达拉特", lon=110.03, lat=40.40)  # the generic is missing
    code = sign["code"]
    m = _inspector_page(browser, live_server, 110.03, 40.40)
    m.page.evaluate("(code) => import('/map/static/js/marker_panel.js').then(p => p.showSign(code))", code)
    m.page.wait_for_selector("#sign-findings")
    assert "达拉特旗" in m.page.inner_text("#sign-findings")  # the check names the standard name
    m.page.click("#log-visit")
    m.page.wait_for_function("() => document.querySelector('#visit-gnss').textContent.includes('±6')")
    m.page.select_option("#visit-condition", "damaged")
    m.page.fill("#visit-notes", "paint peeling")
    m.page.click("#visit-form button[type=submit]")
    deadline = time.monotonic() + 20
    count = (
        "SELECT count(*) FROM sign_inspection i JOIN place_name_sign s ON s.id = i.sign_id WHERE s.code = %s"
    )
    while db.execute(count, (code,)).fetchone()[0] < 1:
        assert time.monotonic() < deadline, "the sign visit did not arrive"
        m.page.wait_for_timeout(100)
    condition, repairs = db.execute(
        "SELECT s.condition, (SELECT count(*) FROM sign_repair_order r WHERE r.sign_id = s.id AND r.status = 'open')"
        " FROM place_name_sign s WHERE s.code = %s",
        (code,),
    ).fetchone()
    assert (condition, repairs) == ("damaged", 1)
    m.page.evaluate("(code) => import('/map/static/js/marker_panel.js').then(p => p.showSign(code))", code)
    m.page.wait_for_selector("#marker-panel .warn")  # the open repair shows on the card
    m.screenshot("sign-card-phone.png")
    assert m.console_errors == [] and m.outside_requests == []
    m.close()
