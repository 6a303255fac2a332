"""The field app in WebKit, the engine of every browser on iOS (Debian's WebKitGTK 2.50,
driven with a persistent profile: the data and cache directories stay between runs as a
phone's browser keeps them across restarts). Signed in online, the app shell starts again
with no network (the service stopped), a visit queued offline survives another restart of
the browser, and is sent once when the network returns. Where WebKit lacks something the
app uses (the storage estimate), the app says so instead of failing."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.web.field_browser import RestartableServer

DRIVER = Path(__file__).with_name("webkit_driver.py")
SYSTEM_PYTHON = "/usr/bin/python3"


def webkit(profile: Path, steps: list[dict]) -> list:
    done = subprocess.run(
        ["xvfb-run", "-a", SYSTEM_PYTHON, str(DRIVER), str(profile), json.dumps(steps)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(next(line for line in done.stdout.splitlines() if line.startswith("RESULTS "))[8:])


SIGN_IN = """
document.querySelector('#username').value = 'demo_inspector';
document.querySelector('#password').value = 'demo-inspector';
document.querySelector('#sign-in-form button[type=submit]').click();
return true;"""
READY = "document.body.dataset.layersReady === 'true'"
QUEUED = "return import('/map/static/js/outbox.js').then(async (o) => (await o.pending()).length);"


@pytest.fixture(scope="module")
def service(settings, prepared_db):
    if not (shutil.which("xvfb-run") and Path(SYSTEM_PYTHON).exists()):
        pytest.fail(
            "xvfb-run and Debian's python3 with gir1.2-webkit2-4.1 are needed (./scripts/test installs them)"
        )
    server = RestartableServer(settings).start()
    yield server
    server.stop()


def test_webkit_restarts_offline_and_sends_a_queued_visit_once(service, db, tmp_path):
    profile = tmp_path / "webkit-profile"
    code = db.execute(
        "SELECT code FROM boundary_marker WHERE last_inspection_id IS NULL ORDER BY code OFFSET 21 LIMIT 1"
    ).fetchone()[0]
    base = service.base
    online = webkit(
        profile,
        [
            {"load": f"{base}/map"},
            {"wait": "document.querySelector('#sign-in-form').dataset.ready", "timeout": 30},
            {"eval": SIGN_IN},
            {"wait": READY, "timeout": 60},
            {"wait": "navigator.serviceWorker.controller !== null", "timeout": 60},
            {"wait": "document.body.dataset.offlineReady === 'true'", "timeout": 60},
            {"eval": "return [window.isSecureContext, typeof navigator.storage?.estimate];"},
            # where the storage estimate is missing, the offline-areas panel says so
            {
                "eval": "document.querySelector('#tools-button').click(); document.querySelector('#open-areas').click(); return true;"
            },
            {"wait": "document.querySelector('#storage-line')", "timeout": 20},
            {"eval": "return document.querySelector('#storage-line').textContent;"},
        ],
    )
    secure, estimate = online[-3]
    assert secure is True
    if estimate == "undefined":
        assert "不报告存储空间" in online[-1], online[-1]

    service.stop()  # no network: nothing answers at the service's address
    visit = {"id": str(uuid.uuid4()), "condition": "buried", "observed_at": datetime.now(UTC).isoformat(),
             "notes": "queued in WebKit"}  # fmt: skip
    item = {"code": code, "api": "/api/v1/markers", "visit": visit, "photos": []}
    offline = webkit(
        profile,
        [
            {"load": f"{base}/map"},
            {"wait": READY, "timeout": 60},
            # the shell and the last data from the service worker: the map is up, with markers
            {"eval": "return window.gisMap.layers.get('boundary_marker').byCode.size > 0;"},
            {
                "eval": f"return import('/map/static/js/outbox.js').then((o) => o.enqueue({json.dumps(item)})).then(() => true);"
            },
            {"eval": QUEUED},
        ],
    )
    assert offline[0] is True and offline[-1] == 1

    after_restart = webkit(
        profile, [{"load": f"{base}/map"}, {"wait": READY, "timeout": 60}, {"eval": QUEUED}]
    )
    assert after_restart == [1]  # the queue survived the browser's restart

    service.start()
    back = webkit(
        profile,
        [
            {"load": f"{base}/map"},
            {"wait": READY, "timeout": 60},
            {"eval": "return import('/map/static/js/outbox.js').then((o) => o.flushNow()).then(() => true);"},
            {"eval": QUEUED},
        ],
    )
    assert back[-1] == 0
    sent = db.execute(
        "SELECT count(*) FROM marker_inspection i JOIN boundary_marker b ON b.id = i.marker_id"
        " WHERE b.code = %s AND i.notes = 'queued in WebKit'",
        (code,),
    ).fetchone()[0]
    assert sent == 1
    print(f"WebKit: secure context {secure}, navigator.storage.estimate: {estimate}")
