"""Repair work and joint-inspection tracks in the app: an administrator assigns an order,
the inspector finds it under "my orders", opens it on the map and closes it from the
list with a photo; during a round the phone records the walked track."""

from __future__ import annotations

import io
import time
import uuid
from datetime import UTC, datetime

from PIL import Image

from tests.web.test_web_map import MapPage, browser  # noqa: F401  (shared fixture)


def _sign_in(browser, live_server, username, password, at=None):  # noqa: F811
    m = MapPage(browser, live_server, width=390, height=800)
    if at:
        m.context.grant_permissions(["geolocation"])
        m.context.set_geolocation({"longitude": at[0], "latitude": at[1], "accuracy": 4})
    m.open()
    m.sign_in(username, password)
    m.wait_ready()
    return m


def test_assign_then_close_from_the_list(browser, live_server, client, auth, db):  # noqa: F811
    code = db.execute(
        "SELECT code FROM boundary_marker m WHERE NOT EXISTS (SELECT 1 FROM repair_order r WHERE r.marker_id = m.id"
        " AND r.status = 'open') AND line_code LIKE '150625-%%' ORDER BY seq LIMIT 1"
    ).fetchone()[0]
    visit = {"id": str(uuid.uuid4()), "condition": "missing", "observed_at": datetime.now(UTC).isoformat()}
    repair = client.post(f"/api/v1/markers/{code}/inspections", json=visit, headers=auth("inspector")).json()[
        "repair_order_id"
    ]

    admin = _sign_in(browser, live_server, "demo_admin", "demo-admin")
    admin.page.click("#tools-button")
    admin.page.click("#open-repairs")
    item = admin.page.locator(f".repair-order[data-id='{repair}']")
    item.locator(".assign-select").select_option("demo_inspector")
    admin.page.wait_for_selector(f"#my-repairs, .repair-order[data-id='{repair}'] >> text=demo_inspector")
    assert (
        db.execute(
            "SELECT a.username FROM repair_order r JOIN app_user a ON a.id = r.assigned_to WHERE r.id = %s",
            (repair,),
        ).fetchone()[0]
        == "demo_inspector"
    )
    admin.close()

    m = _sign_in(browser, live_server, "demo_inspector", "demo-inspector")
    m.page.click("#tools-button")
    m.page.click("#open-repairs")
    m.page.wait_for_selector(f"#my-repairs .repair-order[data-id='{repair}']")
    assert "我的维修单" in m.page.inner_text("#marker-panel")
    m.screenshot("repairs-mine-first-phone.png")
    m.page.locator(f"#my-repairs .repair-order[data-id='{repair}'] .close-order").click()
    m.page.select_option("#repair-condition", "intact")
    m.page.select_option("#repair-resolution", "replaced")
    jpg = io.BytesIO()
    Image.new("RGB", (800, 600), (60, 80, 100)).save(jpg, format="JPEG")
    m.page.set_input_files(
        "#repair-photo", files=[{"name": "new.jpg", "mimeType": "image/jpeg", "buffer": jpg.getvalue()}]
    )
    m.page.click("#repair-form button[type=submit]")
    deadline = time.monotonic() + 20
    while True:
        row = db.execute(
            "SELECT r.status, r.resolution, (SELECT count(*) FROM inspection_photo p WHERE"
            " p.inspection_id = r.closing_inspection) FROM repair_order r WHERE r.id = %s",
            (repair,),
        ).fetchone()
        if row == ("closed", "replaced", 1):
            break
        assert time.monotonic() < deadline, row
        m.page.wait_for_timeout(200)
    assert (
        db.execute("SELECT condition FROM boundary_marker WHERE code = %s", (code,)).fetchone()[0] == "intact"
    )
    assert m.console_errors == [] and m.outside_requests == []
    m.close()


def test_a_joint_inspection_track_is_recorded(browser, live_server, client, auth, db):  # noqa: F811
    r = client.post(
        "/api/v1/joint-inspections",
        json={"line_code": "150602-150603", "planned_on": "2026-11-30"},
        headers=auth("inspector"),
    )
    round_id = r.json()["id"]
    m = _sign_in(browser, live_server, "demo_inspector", "demo-inspector", at=(109.95, 39.75))
    m.page.click("#tools-button")
    m.page.click("#open-rounds")
    m.page.click(f"#round-list button[data-round='{round_id}']")
    for i in range(1, 25):  # walking east, a fix every few seconds
        m.context.set_geolocation({"longitude": 109.95 + i * 0.0002, "latitude": 39.75, "accuracy": 4})
        m.page.wait_for_timeout(150)
    m.page.wait_for_function("() => /\\d+ 个点/.test(document.querySelector('#track-status').textContent)")
    m.page.click(f"#round-list button[data-round='{round_id}']")  # stop: the rest is sent
    deadline = time.monotonic() + 20
    while (
        db.execute(
            "SELECT coalesce(sum(point_count), 0) FROM inspection_track WHERE round_id = %s", (round_id,)
        ).fetchone()[0]
        < 10
    ):
        assert time.monotonic() < deadline, "no track arrived"
        m.page.wait_for_timeout(200)
    km = client.get(f"/api/v1/joint-inspections/{round_id}", headers=auth("inspector")).json()["track"][
        "length_km"
    ]
    assert 0.2 < km < 0.5  # about 24 steps of 17 m
    m.screenshot("track-recorded-phone.png")
    assert m.console_errors == [] and m.outside_requests == []
    m.close()


def test_a_user_changes_their_password_in_the_app(browser, live_server, client, auth):  # noqa: F811
    """On a phone from the tools, on a desk from the user's name: a wrong current password
    says so and keeps the sign-in; the right one changes it, ends the account's other
    sign-ins, and this one carries on."""
    name, password, new = f"pw_{uuid.uuid4().hex[:8]}", "Correct-horse-31", "Correct-horse-32"
    created = client.post(
        "/api/v1/users",
        json={"username": name, "role": "inspector", "password": password},
        headers=auth("admin"),
    )
    assert created.status_code == 201, created.text
    elsewhere = client.post("/api/v1/auth/token", data={"username": name, "password": password}).json()[
        "access_token"
    ]

    phone = _sign_in(browser, live_server, name, password)
    phone.page.click("#tools-button")
    phone.page.click("#open-account")
    phone.page.fill("#current-password", "not-it")
    phone.page.fill("#new-password", new)
    phone.page.fill("#new-password-again", new)
    phone.page.click("#password-form button[type=submit]")
    phone.page.wait_for_selector("#password-message.error")
    assert "当前密码不正确" in phone.page.inner_text("#password-message")
    assert phone.page.is_visible("#sign-out") and not phone.page.is_visible("#sign-in-form")
    phone.page.fill("#current-password", password)
    phone.page.click("#password-form button[type=submit]")
    phone.page.wait_for_selector("#password-message.muted")
    assert "密码已修改" in phone.page.inner_text("#password-message")
    phone.screenshot("password-changed-phone.png")
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {elsewhere}"}).status_code == 401
    # this phone carries on with the token the change brought
    assert (
        phone.page.evaluate(
            "async () => (await fetch('api/v1/auth/me', { headers: { Authorization: "
            "'Bearer ' + JSON.parse(localStorage.getItem('gis_token')).value } })).status"
        )
        == 200
    )
    phone.close()

    desk = MapPage(browser, live_server)
    desk.open()
    desk.sign_in(name, new)
    desk.wait_ready()
    desk.page.click("#lang-toggle")
    desk.page.click("#user-name")
    desk.page.wait_for_selector("#password-form")
    assert "Change password" in desk.page.inner_text("#marker-panel")
    desk.screenshot("password-form-desktop-en.png")
    desk.close()


def test_a_one_time_password_is_changed_before_anything_else(browser, live_server, client, auth):  # noqa: F811
    """An account made with a one-time password signs in to the password form, and to the
    map once it has chosen its own (at 390 px, in Chinese)."""
    name, given, own = f"otp_{uuid.uuid4().hex[:8]}", "Given-by-admin-77", "My-own-horse-78"
    made = client.post(
        "/api/v1/users",
        json={"username": name, "role": "inspector", "password": given, "password_change_required": True},
        headers=auth("admin"),
    )
    assert made.status_code == 201 and made.json()["password_change_required"] is True
    phone = MapPage(browser, live_server, width=390, height=800)
    phone.open()
    phone.sign_in(name, given)
    phone.page.wait_for_selector("#one-time-password")
    assert "一次性密码" in phone.page.inner_text("#one-time-password")
    phone.screenshot("one-time-password-phone.png")
    phone.page.fill("#current-password", given)
    phone.page.fill("#new-password", own)
    phone.page.fill("#new-password-again", own)
    with phone.page.expect_navigation():
        phone.page.click("#password-form button[type=submit]")
    phone.wait_ready()
    assert phone.page.evaluate("() => window.gisMap.layers.size") > 0
    phone.close()
