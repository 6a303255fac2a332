"""A service that can be stopped and started again on the same address (so that "no
network" is real: nothing answers), and a Chromium with a persistent profile that can be
closed and started again, as a phone is restarted."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn

from gis_service.core.settings import Settings
from gis_service.main import create_app
from gis_service.ops.embedded_postgres import free_port

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


class RestartableServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> RestartableServer:
        config = uvicorn.Config(
            create_app(self.settings), host="127.0.0.1", port=self.port, log_config=None, access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self._server:
            self._server.should_exit = True
            self._thread.join(15)
            self._server = None


class Phone:
    """Chromium with a persistent profile at 390 px, geolocation granted."""

    def __init__(
        self,
        playwright,
        profile: Path,
        base: str,
        *,
        at: tuple[float, float],
        offline: bool,
        args: tuple[str, ...] = (),
        env: dict | None = None,
    ) -> None:
        lon, lat = at
        self.context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=[*ARGS, *args],
            env=env,
            viewport={"width": 390, "height": 800},
            geolocation={"longitude": lon, "latitude": lat, "accuracy": 5},
            permissions=["geolocation"],
            offline=offline,
            service_workers="allow",
        )
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.base = base
        self.own_host = urlsplit(base).hostname
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", self._record)

    def _record(self, request) -> None:
        host = urlsplit(request.url).hostname or ""
        if request.url.startswith("http") and host not in LOCAL_HOSTS and host != self.own_host:
            self.outside.append(request.url)

    def sign_in(self, username: str, password: str) -> None:
        """Open the map, sign in, and wait until the layers are up and the service worker
        controls the page (the app is then installed for offline use)."""
        self.page.goto(self.base + "/map")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("#sign-in-form button[type=submit]")
        self.wait_ready()
        self.page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
        self.page.wait_for_selector("body[data-offline-ready=true]", timeout=30_000)

    def wait_ready(self) -> None:
        self.page.wait_for_selector("body[data-layers-ready=true]", timeout=30_000)

    def log_visit(self, code: str, condition: str, notes: str, photo: dict | None = None) -> None:
        """Fill and save the visit form of a marker, as an inspector does."""
        self.panel("marker_panel", "showMarker", code)
        self.page.click("#log-visit")
        self.page.wait_for_function("() => document.querySelector('#visit-gnss').textContent.includes('±5')")
        self.page.select_option("#visit-condition", condition)
        self.page.fill("#visit-notes", notes)
        if photo:
            self.page.set_input_files("#visit-photos", files=[photo])
        self.page.click("#visit-form button[type=submit]")

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name))

    def panel(self, module: str, call: str, *args) -> None:
        """Call a function of one of the app's modules (the same instance the app uses)."""
        self.page.evaluate(
            f"(a) => import(new URL('map/static/js/{module}.js', document.baseURI).href)"
            f".then((m) => m.{call}(...a))",
            list(args),
        )

    def close(self) -> None:
        self.context.close()
