"""The inspector's app with no network, as a phone in open country: download a line's
area online, close the browser, lose the network (the service stops answering), start the
browser again, and work: map, base map, the full marker card and history, the nearest
markers, a damaged visit with a photo, its correction and a repair closing, all queued.
After another restart the queue is intact; when the network returns, exactly those
writes reach the server, once each and in order."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

from tests.web.field_browser import Phone, RestartableServer

LINE = "150602-150603"


def _photo() -> dict:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (120, 90, 60)).save(out, format="JPEG")
    return {"name": "IMG_2.JPG", "mimeType": "image/jpeg", "buffer": out.getvalue()}


@pytest.fixture
def field(settings, prepared_db, client, auth, db):
    """Two fresh markers of the line: one damaged (a visit and an open repair), one never visited."""
    codes = [
        r[0]
        for r in db.execute(
            "SELECT code FROM boundary_marker m WHERE line_code = %s AND last_inspection_id IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM repair_order r WHERE r.marker_id = m.id) ORDER BY seq LIMIT 2",
            (LINE,),
        )
    ]
    damaged, fresh = codes
    visit = {
        "id": str(uuid.uuid4()),
        "condition": "damaged",
        "observed_at": datetime.now(UTC).isoformat(),
        "notes": "base cracked (before the trip)",
    }
    repair = client.post(
        f"/api/v1/markers/{damaged}/inspections", json=visit, headers=auth("inspector")
    ).json()["repair_order_id"]
    lon, lat = db.execute(
        "SELECT ST_X(geom), ST_Y(geom) FROM boundary_marker WHERE code = %s", (fresh,)
    ).fetchone()
    server = RestartableServer(settings).start()
    yield {"server": server, "damaged": damaged, "fresh": fresh, "repair": repair, "at": (lon + 0.0002, lat)}
    server.stop()


def _visits(db, code) -> int:
    return db.execute(
        "SELECT count(*) FROM marker_inspection i JOIN boundary_marker b ON b.id = i.marker_id WHERE b.code = %s",
        (code,),
    ).fetchone()[0]


def test_an_inspector_works_offline_for_days(field, db, tmp_path):
    server, profile = field["server"], tmp_path / "phone-profile"
    with sync_playwright() as p:
        # 1. Online: sign in, download the line's area.
        phone = Phone(p, profile, server.base, at=field["at"], offline=False)
        page = phone.page
        phone.sign_in("demo_inspector", "demo-inspector")
        page.click("#tools-button")
        page.click("#open-areas")
        page.wait_for_function(
            f"() => [...document.querySelectorAll('#area-code option')].some(o => o.value === '{LINE}')"
        )
        page.select_option("#area-code", LINE)
        page.click("#area-check")
        page.wait_for_function(
            "() => document.querySelector('#area-size').textContent.includes('MB') || document.querySelector('#area-size').textContent.includes('kB')"
        )
        page.click("#area-download")
        page.wait_for_selector("#area-status.ok", timeout=120_000)
        assert page.locator("#area-list li").count() == 1
        phone.screenshot("offline-1-area-downloaded.png")
        phone.close()

        # 2. The phone restarts with no network: nothing answers at the service's address.
        server.stop()
        phone = Phone(p, profile, server.base, at=field["at"], offline=True)
        page = phone.page
        page.goto(server.base + "/map")
        phone.wait_ready()
        assert page.is_visible("#offline-badge") and not page.is_visible("#sign-in")
        # every marker of the line is on the map (the last markers read online come from the
        # service worker's cache, the area's from its records)
        line_codes = [
            r[0] for r in db.execute("SELECT code FROM boundary_marker WHERE line_code = %s", (LINE,))
        ]
        page.wait_for_function(
            "(codes) => codes.every((c) => window.gisMap.layers.get('boundary_marker').byCode.has(c))",
            arg=line_codes,
        )
        base_tile = page.evaluate("""async () => {
            const info = await (await fetch('/basemap/tilejson.json')).json();
            const r = await fetch('/basemap/tiles/10/824/388');
            return [info.source, r.status, (await r.arrayBuffer()).byteLength];
        }""")
        assert base_tile[0] == "reference" and base_tile[1] == 200 and base_tile[2] > 100
        page.evaluate("(c) => window.gisMap.map.setView([c[1], c[0]], 14)", list(field["at"]))
        page.wait_for_timeout(1500)
        phone.screenshot("offline-2-map-after-restart.png")

        # The full card of the damaged marker, with its history, from the area.
        phone.panel("marker_panel", "showMarker", field["damaged"])
        page.wait_for_selector("#card-offline-note")
        # the card zooms to the marker and shows it above the bottom sheet
        shown = page.evaluate(
            """(code) => {
            const f = window.gisMap.layers.get('boundary_marker').byCode.get(code);
            const [lon, lat] = f.geometry.coordinates;
            const pt = window.gisMap.map.latLngToContainerPoint([lat, lon]);
            const sheet = document.querySelector('#marker-panel').getBoundingClientRect();
            const top = document.querySelector('#map').getBoundingClientRect().top;
            return { zoom: window.gisMap.map.getZoom(), y: pt.y + top, sheetTop: sheet.top, x: pt.x };
        }""",
            field["damaged"],
        )
        assert shown["zoom"] >= 16 and 48 < shown["y"] < shown["sheetTop"] and 0 < shown["x"] < 390, shown
        card = page.inner_text("#marker-panel")
        assert "X 4" in card and "方位物" in card and "m" in card and "base cracked" not in card
        assert "尚无巡查记录" not in card and page.locator("#card-history li").count() >= 1
        assert page.is_visible("#close-repair")
        phone.screenshot("offline-3-card.png")
        page.click("text=巡查历史")
        page.wait_for_selector("text=base cracked (before the trip)")

        # The nearest markers, computed on the phone.
        page.click("#nearest-button")
        page.wait_for_selector("#nearest-list li")
        assert field["fresh"] in page.inner_text("#nearest-list li:first-child")
        assert "离线" in page.inner_text("#marker-panel")
        page.fill("#marker-code-search", field["damaged"][-6:])
        page.wait_for_selector(f"#marker-code-results >> text={field['damaged']}")
        phone.screenshot("offline-4-nearest.png")

        # A damaged visit with a photo, its correction, and closing the repair.
        phone.log_visit(field["fresh"], "damaged", "top broken", photo=_photo())
        page.wait_for_selector("text=已保存，待联网后自动发送。")
        phone.panel("marker_panel", "showMarker", field["fresh"])
        page.click("text=巡查历史")
        page.click(".correct-visit")
        page.fill("#correct-notes", "top broken off, lying 2 m east")
        page.fill("#correct-reason", "more detail")
        page.click("#correct-form button[type=submit]")
        page.wait_for_selector("text=修改已保存，待联网后发送。")
        phone.panel("marker_panel", "showMarker", field["damaged"])
        page.click("#close-repair")
        page.select_option("#repair-resolution", "repaired")
        page.set_input_files("#repair-photo", files=[_photo()])
        page.click("#repair-form button[type=submit]")
        page.wait_for_selector("#outbox-button:has-text('(3)')")
        # the top bar keeps "退出" on the screen beside "待发送 (3)"
        box = page.locator("#sign-out").bounding_box()
        assert box and box["x"] + box["width"] <= 390, box
        page.click("#outbox-button")
        page.click("#send-now")
        assert "联网后" in page.inner_text("#outbox-note")
        phone.screenshot("offline-5-three-queued.png")
        phone.close()

        # 3. Restarted again, still offline: the queue is intact.
        phone = Phone(p, profile, server.base, at=field["at"], offline=True)
        page = phone.page
        page.goto(server.base + "/map")
        phone.wait_ready()
        page.wait_for_selector("#outbox-button:has-text('(3)')")
        phone.screenshot("offline-6-queue-after-restart.png")
        assert _visits(db, field["fresh"]) == 0

        # 4. The network returns: each write arrives once, in order.
        server.start()
        phone.context.set_offline(False)
        page.wait_for_function("() => document.querySelector('#outbox-button').hidden", timeout=60_000)
        visits = db.execute(
            "SELECT i.condition, i.notes, i.edit_count, i.received_at, i.edited_at,"
            " (SELECT count(*) FROM inspection_photo p WHERE p.inspection_id = i.id)"
            " FROM marker_inspection i JOIN boundary_marker b ON b.id = i.marker_id WHERE b.code = %s",
            (field["fresh"],),
        ).fetchall()
        assert len(visits) == 1
        condition, notes, edits, received, edited, photos = visits[0]
        assert (condition, notes, edits, photos) == ("damaged", "top broken off, lying 2 m east", 1, 1)
        status, closing, closed_at = db.execute(
            "SELECT status, closing_inspection, closed_at FROM repair_order WHERE id = %s", (field["repair"],)
        ).fetchone()
        assert status == "closed"
        closing_photos = db.execute(
            "SELECT count(*) FROM inspection_photo WHERE inspection_id = %s", (closing,)
        ).fetchone()[0]
        assert closing_photos == 1
        closing_observed, closing_received, closing_gnss = db.execute(
            "SELECT observed_at, received_at, gnss_accuracy_m FROM marker_inspection WHERE id = %s",
            (closing,),
        ).fetchone()
        assert received < edited < closing_received  # sent in the order they were made
        # the closing is dated by the work on the phone, offline, and placed by its fix
        assert closed_at == closing_observed < received and closing_gnss == 5
        # sending again changes nothing
        page.evaluate("() => import('/map/static/js/outbox.js').then((o) => o.flushNow())")
        page.wait_for_timeout(500)
        assert _visits(db, field["fresh"]) == 1
        phone.screenshot("offline-7-sent.png")
        assert phone.errors == [] and phone.outside == []
        phone.close()


def test_a_sign_in_that_expires_offline_keeps_the_queue(settings, prepared_db, db, tmp_path):
    code, lon, lat = db.execute(
        "SELECT code, ST_X(geom), ST_Y(geom) FROM boundary_marker WHERE last_inspection_id IS NULL"
        " ORDER BY code DESC OFFSET 3 LIMIT 1"
    ).fetchone()
    server = RestartableServer(settings).start()
    try:
        with sync_playwright() as p:
            phone = Phone(p, tmp_path / "profile", server.base, at=(lon, lat), offline=False)
            page = phone.page
            phone.sign_in("demo_inspector", "demo-inspector")
            server.stop()
            phone.context.set_offline(True)
            # the sign-in runs out while the inspector is away
            page.evaluate("""() => { const s = JSON.parse(localStorage.getItem('gis_token'));
                                     localStorage.setItem('gis_token', JSON.stringify({ ...s, expires: '2000-01-01T00:00:00Z' })); }""")
            page.reload()
            phone.wait_ready()
            assert page.is_visible("#user-box") and not page.is_visible("#sign-in")  # still working, offline
            phone.log_visit(code, "tilted", "leaning north")
            page.wait_for_selector("#outbox-button:has-text('(1)')")
            # back in signal: the app asks for the password (user name filled in), then sends
            server.start()
            phone.context.set_offline(False)
            page.wait_for_selector("#sign-in:not([hidden])")
            assert "登录已过期" in page.inner_text("#sign-in-message")
            assert page.input_value("#username") == "demo_inspector"
            phone.screenshot("offline-8-sign-in-again.png")
            page.fill("#password", "demo-inspector")
            page.click("#sign-in-form button[type=submit]")
            page.wait_for_function("() => document.querySelector('#outbox-button').hidden", timeout=30_000)
            notes = db.execute(
                "SELECT i.notes FROM marker_inspection i JOIN boundary_marker b ON b.id = i.marker_id WHERE b.code = %s",
                (code,),
            ).fetchall()
            assert notes == [("leaning north",)]
            assert phone.errors == []
            phone.close()
    finally:
        server.stop()
