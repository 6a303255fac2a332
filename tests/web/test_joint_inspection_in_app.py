"""A joint inspection of the line between Dongsheng and Dalad, as its two parties do it in
the app: Dalad's inspector on a 390-px phone in Chinese, Dongsheng's on a desk in English.
Each records a finding of their own side (Dalad's while the phone has no signal: it waits
in the outbox) and signs their side; the round is completed once both have signed, and the
printable report shows both sides' findings and signatures."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from tests.web.field_browser import ARTIFACTS
from tests.web.test_web_map import MapPage, browser  # noqa: F401  (shared fixture)

DONGSHENG, DALAD = "150602", "150621"
LINE = f"{DONGSHENG}-{DALAD}"


def _inspector(client, auth, unit: str, display: str) -> tuple[str, str]:
    name, password = f"insp_{unit}_{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    body = {
        "username": name,
        "role": "inspector",
        "password": password,
        "unit_code": unit,
        "display_name": display,
    }
    assert client.post("/api/v1/users", json=body, headers=auth("admin")).status_code == 201
    return name, password


@pytest.fixture(scope="module")
def round_and_parties(client, auth):
    dalad = _inspector(client, auth, DALAD, "巴特尔")
    dongsheng = _inspector(client, auth, DONGSHENG, "Li Ming")
    token = client.post("/api/v1/auth/token", data={"username": dalad[0], "password": dalad[1]}).json()
    r = client.post(
        "/api/v1/joint-inspections",
        json={"line_code": LINE, "planned_on": str(date.today()), "sides": [DONGSHENG, DALAD]},
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert r.status_code == 201, r.text
    return r.json()["id"], dalad, dongsheng


def _open_round(page: MapPage, round_id: int) -> None:
    page.page.click("#tools-button")
    page.page.click("#open-rounds")
    page.page.click(f"[data-open-round='{round_id}']")
    page.page.wait_for_selector("#round-parties")


def _sign(page: MapPage, statement: str) -> None:
    page.page.fill("#sign-statement", statement)
    page.page.click("#sign-side")
    page.page.click("#confirm-sign-ok")


def test_two_banners_inspect_their_shared_line(browser, live_server, round_and_parties):  # noqa: F811
    round_id, (dalad, dalad_pw), (dongsheng, dongsheng_pw) = round_and_parties
    phone = MapPage(browser, live_server, width=390, height=844)
    phone.open()
    phone.sign_in(dalad, dalad_pw)
    phone.wait_ready()
    _open_round(phone, round_id)
    # no other side to choose: a banner's inspector acts for the banner
    assert phone.page.locator("#round-side").count() == 0
    assert "达拉特旗" in phone.page.inner_text("#sign-form h3")
    marker = phone.page.eval_on_selector("#finding-marker", "s => s.options[1].value")
    phone.page.select_option("#finding-marker", marker)
    phone.page.select_option("#finding-condition", "tilted")
    phone.page.fill("#finding-text", "界桩倾斜约15度，基座松动")
    phone.page.check("#finding-action")
    before_offline = len(phone.console_errors)
    phone.context.set_offline(True)
    phone.page.click("#finding-add")
    phone.page.wait_for_selector("#round-note.warn")
    assert phone.page.is_visible("#outbox-button")
    phone.screenshot("joint-inspection-finding-queued-390-zh.png")
    phone.context.set_offline(False)
    phone.page.wait_for_selector("#outbox-button", state="hidden", timeout=20_000)
    # while there was no network, the service worker answered the app's reads with its
    # offline 503, which the browser logs; nothing else may have gone wrong meanwhile
    offline = phone.console_errors[before_offline:]
    assert all("status of 503" in e for e in offline), offline
    del phone.console_errors[before_offline:]
    _open_round(phone, round_id)
    assert marker in phone.page.inner_text("#round-findings")
    _sign(phone, "同意检查结论")
    phone.page.wait_for_selector(f"#round-parties li[data-side='{DALAD}'].signed")
    assert phone.page.locator("#finding-form").count() == 0  # the side's part is closed
    phone.screenshot("joint-inspection-signed-390-zh.png")

    desk = MapPage(browser, live_server)
    desk.open()
    desk.sign_in(dongsheng, dongsheng_pw)
    desk.wait_ready()
    desk.page.click("#lang-toggle")
    _open_round(desk, round_id)
    assert "signed by 巴特尔" in desk.page.inner_text(f"#round-parties li[data-side='{DALAD}']")
    assert "Dongsheng" in desk.page.inner_text("#sign-form h3") or "东胜区" in desk.page.inner_text(
        "#sign-form h3"
    )
    desk.page.fill("#finding-text", "Line clear along the road; no marker missing")
    desk.page.click("#finding-add")
    desk.page.wait_for_function("() => document.querySelectorAll('#round-findings li').length === 2")
    _sign(desk, "Agreed")
    desk.page.wait_for_selector("#round-complete")
    desk.screenshot("joint-inspection-both-signed-desktop-en.png")
    desk.page.click("#round-complete")
    desk.page.wait_for_selector("#round-complete", state="detached", timeout=10_000)
    assert "completed" in desk.page.inner_text("#marker-panel")

    with desk.context.expect_page() as opened:
        desk.page.click("#round-report")
    report = opened.value
    report.wait_for_load_state()
    text = report.inner_text("body")
    for expected in ("巴特尔", "同意检查结论", "Li Ming", "Agreed", "达拉特旗 (150621)", "东胜区 (150602)"):
        assert expected in text, expected
    assert "界桩倾斜约15度" in text and "Line clear along the road" in text
    report.set_viewport_size({"width": 1000, "height": 1400})
    report.screenshot(path=str(ARTIFACTS / "joint-inspection-report.png"), full_page=True)
    assert not phone.console_errors and not desk.console_errors, (phone.console_errors, desk.console_errors)
    phone.close()
    desk.close()
