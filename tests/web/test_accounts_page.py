"""The accounts page, as a bureau's administrator uses it: on a desk in English and on a
390-px phone in Chinese. A banner's administrator sees the banner's accounts, makes one
with a one-time password (the new user changes it at the first sign-in) or with an
invitation link (the new user opens it on a phone and chooses a password), and
deactivation ends the user's sign-in on every worker at once."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from tests.service_process import served
from tests.web.test_web_map import MapPage, browser  # noqa: F401  (shared fixture)

DALAD = "150621"


@pytest.fixture(scope="module")
def two_workers(settings, prepared_db, db):
    """The service as a bureau runs it, two worker processes, each caching sign-ins."""
    with served(settings, db, 2) as base:
        yield base


def _banner_admin(client, auth) -> tuple[str, str]:
    name, password = f"adm_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    body = {"username": name, "role": "admin", "password": password, "unit_code": DALAD}
    assert client.post("/api/v1/users", json=body, headers=auth("admin")).status_code == 201
    return name, password


def _new_account_form(browser, live_server, client, auth) -> MapPage:  # noqa: F811
    """A banner's administrator on a desk, in English, at the new-account form (reached
    from their name, then the accounts list)."""
    admin, password = _banner_admin(client, auth)
    desk = MapPage(browser, live_server)
    desk.open()
    desk.sign_in(admin, password)
    desk.wait_ready()
    desk.page.click("#lang-toggle")
    desk.page.click("#user-name")
    desk.page.click("#open-users-from-account")
    desk.page.wait_for_selector("#users-list")
    assert "Accounts" in desk.page.inner_text("#marker-panel")
    desk.page.click("#new-user")
    return desk


def _fill_new_account(desk: MapPage, name: str, display_name: str) -> None:
    """An inspector of Dalad Banner."""
    desk.page.fill("#new-username", name)
    desk.page.fill("#new-display-name", display_name)
    desk.page.select_option("#new-role", "inspector")
    desk.page.select_option("#new-unit", DALAD)


def test_a_banner_administrator_makes_an_account_on_a_desk(browser, live_server, client, auth):  # noqa: F811
    desk = _new_account_form(browser, live_server, client, auth)
    assert "New account" in desk.page.inner_text("#marker-panel")
    name = f"new_{uuid.uuid4().hex[:8]}"
    _fill_new_account(desk, name, "Bayar")
    desk.page.select_option("#new-access", "one_time")
    desk.page.click("#new-user-form button[type=submit]")
    desk.page.wait_for_selector("#one-time-value")
    one_time = desk.page.inner_text("#one-time-value").strip()
    assert len(one_time) == 16
    desk.screenshot("accounts-new-desktop-en.png")
    made = {u["username"]: u for u in client.get("/api/v1/users", headers=auth("admin")).json()}[name]
    assert made["unit_code"] == DALAD and made["password_change_required"] and made["role"] == "inspector"
    # the list shows the banner's accounts only, the new one among them
    desk.page.click("text=Accounts")
    desk.page.wait_for_selector(f"#users-list >> text={name}")
    listed = desk.page.inner_text("#users-list")
    assert "demo_admin" not in listed and "Never signed in" in listed
    desk.screenshot("accounts-list-desktop-en.png")
    desk.close()

    # the new user signs in with it and is asked for their own first
    phone = MapPage(browser, live_server, width=390, height=800)
    phone.open()
    phone.sign_in(name, one_time)
    phone.page.wait_for_selector("#one-time-password")
    assert not phone.page.is_visible("#marker-panel-close")  # no way round it but signing out
    own = "Bayar-own-horse-90"
    phone.page.fill("#current-password", one_time)
    phone.page.fill("#new-password", own)
    phone.page.fill("#new-password-again", own)
    with phone.page.expect_navigation():
        phone.page.click("#password-form button[type=submit]")
    phone.wait_ready()
    phone.close()
    token = client.post("/api/v1/auth/token", data={"username": name, "password": own})
    assert token.status_code == 200 and token.json()["user"]["password_change_required"] is False


def test_deactivation_on_a_phone_ends_the_sign_in_on_every_worker(
    browser,  # noqa: F811
    live_server,
    client,
    auth,
    two_workers,
):
    """At 390 px, in Chinese: the administrator deactivates an account; the user's token
    stops working on both workers of another server within a second."""
    admin, password = _banner_admin(client, auth)
    name, user_password = f"gone_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    body = {"username": name, "role": "viewer", "password": user_password, "unit_code": DALAD}
    assert client.post("/api/v1/users", json=body, headers=auth("admin")).status_code == 201
    token = httpx.post(
        f"{two_workers}/api/v1/auth/token", data={"username": name, "password": user_password}
    ).json()
    layers, headers = f"{two_workers}/api/v1/layers", {"Authorization": f"Bearer {token['access_token']}"}

    def fresh_get():  # a new connection each time, so that requests spread over the workers
        with httpx.Client() as c:
            return c.get(layers, headers=headers).status_code

    assert all(fresh_get() == 200 for _ in range(20))  # both workers hold the sign-in now
    phone = MapPage(browser, live_server, width=390, height=800)
    phone.open()
    phone.sign_in(admin, password)
    phone.wait_ready()
    phone.page.click("#tools-button")
    phone.page.click("#open-users")
    phone.page.click(f"#users-list >> text={name}")
    phone.page.wait_for_selector("#deactivate-user")
    phone.screenshot("account-card-phone-zh.png")
    phone.page.click("#deactivate-user")
    phone.page.wait_for_selector("#activate-user")
    done = time.monotonic()
    assert "已停用" in phone.page.inner_text("#user-message")
    phone.screenshot("account-deactivated-phone-zh.png")
    phone.close()
    last_ok, refused = done, 0
    while refused < 30:
        if fresh_get() == 200:
            last_ok, refused = time.monotonic(), 0
        else:
            refused += 1
        assert time.monotonic() - done < 10, "the deactivation did not reach every worker"
    assert last_ok - done < 1.0


def test_a_new_user_chooses_a_password_through_an_invitation_link(browser, live_server, client, auth):  # noqa: F811
    """The banner's administrator invites on a desk in English; the new inspector opens the
    link on a 390-px phone in Chinese, chooses a password and is on the map, signed in."""
    desk = _new_account_form(browser, live_server, client, auth)
    name = f"link_{uuid.uuid4().hex[:8]}"
    _fill_new_account(desk, name, "Sarangua")
    assert desk.page.eval_on_selector("#new-access", "s => s.value") == "invitation"  # the default
    desk.page.click("#new-user-form button[type=submit]")
    desk.page.wait_for_selector("#invitation-link")
    link = desk.page.inner_text("#invitation-link").strip()
    assert "/map#invite=" in link
    desk.screenshot("accounts-invitation-desktop-en.png")
    desk.close()

    phone = MapPage(browser, live_server, width=390, height=800)
    phone.page.goto(link)
    phone.page.wait_for_selector("#invite-form")
    assert "Sarangua" in phone.page.inner_text("#invitation-for") and name in phone.page.inner_text(
        "#invitation-for"
    )
    phone.page.fill("#invite-password", "12345678")
    phone.page.fill("#invite-password-again", "12345678")
    phone.page.click("#invite-form button[type=submit]")
    phone.page.wait_for_selector("#invite-message.error")  # the policy's answer, in Chinese
    phone.screenshot("invitation-refused-phone-zh.png")
    own = "Sarangua-grassland-7"
    phone.page.fill("#invite-password", own)
    phone.page.fill("#invite-password-again", own)
    phone.page.click("#invite-form button[type=submit]")
    phone.wait_ready()
    assert "#invite" not in phone.page.url  # the spent secret left the address bar
    assert "Sarangua" in phone.page.inner_text("#user-name") and phone.page.is_hidden("#marker-panel")
    phone.screenshot("invitation-signed-in-phone-zh.png")
    # the browser logs the refused weak password's 400; nothing else went wrong
    assert [e for e in phone.console_errors if "status of 400" not in e] == [], phone.console_errors
    phone.close()
    assert client.post("/api/v1/auth/token", data={"username": name, "password": own}).status_code == 200
