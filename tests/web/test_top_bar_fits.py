"""The top bar fits a phone in every state it can be in: each role's buttons, Chinese and
English, with and without the offline badge and a long outbox queue, at 360 and 390 px.
Nothing reaches past the viewport and the page never scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import PASSWORDS, USERNAMES
from tests.web.field_browser import ARTIFACTS, Phone

WIDTHS = (360, 390)
ROLES = ("inspector", "admin", "planner", "placename_officer", "viewer")

# the right edge of every visible thing in the top bar, and how wide the page has become
MEASURE = """() => {
  const out = [];
  for (const e of document.querySelectorAll('.topbar, .topbar *')) {
    const r = e.getBoundingClientRect();
    if (r.width && getComputedStyle(e).visibility !== 'hidden') out.push([e.id || e.className || e.tagName, r.left, r.right]);
  }
  return { width: innerWidth, scroll: document.documentElement.scrollWidth, boxes: out };
}"""

QUEUE_VISITS = """async (n) => {
  const outbox = await import(new URL('map/static/js/outbox.js', document.baseURI).href);
  for (let i = 0; i < n; i++) {
    await outbox.enqueue({ kind: 'visit', code: 'NO-SUCH-MARKER-' + i, api: '/api/v1/markers',
                           visit: { id: crypto.randomUUID(), condition: 'damaged', observed_at: new Date().toISOString() } });
  }
}"""


@pytest.mark.parametrize("role", ROLES)
def test_the_top_bar_fits_at_every_state(live_server, role, tmp_path):
    overflow = []
    with sync_playwright() as p:
        phone = Phone(p, tmp_path / "phone", live_server, at=(109.99, 39.8), offline=False)
        context, page = phone.context, phone.page
        page.goto(live_server + "/map")
        page.fill("#username", USERNAMES[role])
        page.fill("#password", PASSWORDS[role])
        page.click("#sign-in-form button[type=submit]")
        page.wait_for_selector("body[data-layers-ready=true]", timeout=30_000)
        # online and offline with nothing queued, then a queue made offline, which stays
        # shown online too (the server refuses these made-up markers, so the inspector sees them)
        for offline, queue in ((False, 0), (True, 0), (True, 12), (False, 12)):
            context.set_offline(offline)
            page.wait_for_function(
                "(off) => document.querySelector('#offline-badge').hidden === !off", arg=offline
            )
            if queue and page.is_hidden("#outbox-button"):
                page.evaluate(QUEUE_VISITS, queue)
            if queue:
                page.wait_for_selector(f"#outbox-button:not([hidden]):has-text('({queue})')")
            for lang in ("zh", "en"):
                if page.evaluate("document.documentElement.lang.startsWith('zh')") != (lang == "zh"):
                    page.click("#lang-toggle")
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 800})
                    page.wait_for_timeout(50)
                    m = page.evaluate(MEASURE)
                    state = f"{role} {lang} {width}px offline={offline} queued={queue}"
                    past = [b for b in m["boxes"] if b[2] > m["width"] + 0.5 or b[1] < -0.5]
                    if past or m["scroll"] > m["width"]:
                        overflow.append((state, m["scroll"], past[:4]))
                    if (past or m["scroll"] > m["width"]) or (offline and queue and width == 360):
                        ARTIFACTS.mkdir(exist_ok=True)
                        page.screenshot(
                            path=str(ARTIFACTS / f"topbar-{role}-{lang}-{width}-{offline}-{queue}.png"),
                            clip={"x": 0, "y": 0, "width": width, "height": 120},
                        )
        # the queue is this test's: it is not sent anywhere
        page.evaluate("() => indexedDB.deleteDatabase('gis-outbox')")
        context.close()
    assert overflow == [], overflow
