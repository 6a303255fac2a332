"""An upgrade of the offline app: a new release (a changed shell file) installs beside
the old one, the page offers it, taking it replaces the shell and deletes the old cache,
and a visit queued under the old version is sent intact afterwards."""

from __future__ import annotations

import shutil
import time

import pytest
from playwright.sync_api import sync_playwright

from tests.web.field_browser import Phone, RestartableServer


@pytest.fixture
def release(settings, prepared_db, tmp_path):
    """The web map served from a copy, so that the test can make a new release of it."""
    web = tmp_path / "web_map"
    shutil.copytree(settings.web_map_dir, web, ignore=shutil.ignore_patterns("node_modules"))
    (web / "node_modules").symlink_to(settings.web_map_dir / "node_modules")
    server = RestartableServer(settings.model_copy(update={"web_map_dir": web})).start()
    yield server, web
    server.stop()


def _shells(page):
    return page.evaluate("async () => (await caches.keys()).filter((k) => k.startsWith('gis-shell-')).sort()")


def test_a_new_release_replaces_the_shell_and_keeps_the_queue(release, db, tmp_path):
    server, web = release
    code, lon, lat = db.execute(
        "SELECT code, ST_X(geom), ST_Y(geom) FROM boundary_marker WHERE last_inspection_id IS NULL"
        " ORDER BY code DESC LIMIT 1"
    ).fetchone()
    with sync_playwright() as p:
        phone = Phone(p, tmp_path / "profile", server.base, at=(lon, lat), offline=False)
        page = phone.page
        phone.sign_in("demo_inspector", "demo-inspector")
        shells = _shells(page)
        assert len(shells) == 1, shells
        old_shell = shells[0]

        # Offline (nothing answers), a visit is queued under the old version.
        server.stop()
        phone.context.set_offline(True)
        phone.log_visit(code, "buried", "queued before the upgrade")
        page.wait_for_selector("#outbox-button:has-text('(1)')")
        queued = page.evaluate(
            "() => import('/map/static/js/outbox.js').then(async (o) => (await o.pending())[0].visit)"
        )

        # A new release: one shell file changes. When the service answers again, the next
        # start finds it and offers it (the phone itself still says it is offline, so the
        # queue waits and is sent by the new version).
        with open(web / "static" / "style.css", "a", encoding="utf-8") as f:
            f.write("\n/* release 2 */\n")
        server.start()
        page.reload()
        page.wait_for_selector("#update-banner:not([hidden])", timeout=30_000)
        phone.screenshot("upgrade-offered.png")
        # taking the update reloads the page once the new worker controls it: wait for that
        # reload, or the checks below may run in the page being torn down
        with page.expect_navigation(timeout=30_000):
            page.click("#update-now")
        page.wait_for_function(
            "(old) => caches.keys().then((k) => k.filter((n) => n.startsWith('gis-shell-')).join() !== old)",
            arg=old_shell,
            timeout=30_000,
        )
        phone.wait_ready()
        (new_shell,) = _shells(page)
        assert new_shell != old_shell
        css = page.evaluate("() => fetch('/map/static/style.css').then((r) => r.text())")
        assert "release 2" in css  # the new shell serves the new file

        # The queue made under the old version is sent intact when the network returns.
        assert (
            page.evaluate(
                "() => import('/map/static/js/outbox.js').then(async (o) => (await o.pending()).length)"
            )
            == 1
        )
        phone.context.set_offline(False)
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
        deadline = time.monotonic() + 30
        while not (
            row := db.execute(
                "SELECT condition, notes, observed_at FROM marker_inspection WHERE id = %s", (queued["id"],)
            ).fetchone()
        ):
            assert time.monotonic() < deadline, "the queued visit did not arrive"
            page.wait_for_timeout(200)
        assert row[0] == "buried" and row[1] == "queued before the upgrade"
        assert row[2].isoformat().replace("+00:00", "Z")[:19] == queued["observed_at"][:19]
        phone.screenshot("upgrade-done.png")
        assert phone.errors == []
        phone.close()
