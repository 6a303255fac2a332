"""The field app as a bureau deploys it: Debian's Caddy with the shipped Caddyfile in
front (TLS from Caddy's internal CA), the phone reaching the service by name
(gis.bureau.test, not localhost) and trusting that CA through its NSS database. There it is
a secure context: the service worker installs, geolocation answers, the app starts again
with no network after the phone restarts, and a visit queued offline reaches the server
once when the network returns. Links carry the public address; the throttle and the audit
see the phone's address, not the proxy's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright

from gis_service.ops.embedded_postgres import free_port
from tests.web.field_browser import Phone, RestartableServer

ROOT = Path(__file__).resolve().parents[2]
HOST = "gis.bureau.test"


class Caddy:
    """Debian's caddy running docker/Caddyfile with its internal CA, on free ports."""

    def __init__(
        self, app_port: int, data: Path, site: str = HOST, config: Path = ROOT / "docker" / "Caddyfile"
    ) -> None:
        self.http_port, self.https_port = free_port(), free_port()
        self.data = data
        self.site = site
        self.env = {
            **os.environ,
            "SITE_ADDRESS": site,
            "TLS_MODE": "internal",
            "APP_UPSTREAM": f"127.0.0.1:{app_port}",
            "HTTP_PORT": str(self.http_port),
            "HTTPS_PORT": str(self.https_port),
            "CADDY_ADMIN": "off",
            "XDG_DATA_HOME": str(data / "data"),
            "XDG_CONFIG_HOME": str(data / "config"),
        }
        self.proc = subprocess.Popen(
            ["caddy", "run", "--config", str(config), "--adapter", "caddyfile"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(data / "caddy.log", "w"),  # noqa: SIM115 - closed with the process
        )
        deadline = time.monotonic() + 30
        while not self.root.exists():
            assert self.proc.poll() is None, (data / "caddy.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "caddy made no CA in 30 s"
            time.sleep(0.2)

    @property
    def root(self) -> Path:
        return self.data / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    @property
    def base(self) -> str:
        return f"https://{self.site}:{self.https_port}"

    def client(self, **kw) -> httpx.Client:
        """An HTTP client that trusts the CA and resolves the name to this machine."""
        return httpx.Client(transport=_Resolving(httpx.HTTPTransport(verify=str(self.root))), **kw)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class _Resolving(httpx.BaseTransport):
    """Sends requests for gis.bureau.test to 127.0.0.1 while keeping the name for TLS (SNI)
    and the Host header, as --host-resolver-rules does in Chromium."""

    def __init__(self, inner: httpx.HTTPTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.extensions["sni_hostname"] = HOST
        request.url = request.url.copy_with(host="127.0.0.1")
        request.headers["Host"] = f"{HOST}:{request.url.port}"
        return self.inner.handle_request(request)


def _trusting_home(tmp: Path, root: Path) -> dict:
    """A HOME whose NSS database trusts the CA: Chromium on Linux reads ~/.pki/nssdb."""
    nssdb = tmp / "home" / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run(["certutil", "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-d", f"sql:{nssdb}", "-A", "-t", "C,,", "-n", "bureau-internal-ca", "-i", str(root)],
        check=True,
    )
    return {**os.environ, "HOME": str(tmp / "home")}


@pytest.fixture(scope="module")
def deployment(settings, prepared_db, tmp_path_factory):
    if not shutil.which("caddy") or not shutil.which("certutil"):
        pytest.fail("caddy and certutil are needed (./scripts/test installs caddy and libnss3-tools)")
    tmp = tmp_path_factory.mktemp("tls")
    server = RestartableServer(settings)
    caddy = Caddy(server.port, tmp)
    # the public URL is the proxy's; the proxy (127.0.0.1 here) is the one trusted
    server.settings = settings.model_copy(update={"public_url": caddy.base, "trusted_proxies": ["127.0.0.1"]})
    server.start()
    yield {"server": server, "caddy": caddy, "env": _trusting_home(tmp, caddy.root), "tmp": tmp}
    caddy.stop()
    server.stop()


def test_links_and_addresses_through_the_proxy(deployment, db):
    caddy = deployment["caddy"]
    with caddy.client() as c:
        landing = c.get(caddy.base + "/ogc")
        assert landing.status_code == 200, landing.text[:300]
        assert all(link["href"].startswith(caddy.base) for link in landing.json()["links"])
        # plain HTTP is redirected to HTTPS
        plain = c.get(f"http://{HOST}:{caddy.http_port}/map", follow_redirects=False)
        assert plain.status_code in (301, 308) and plain.headers["location"].startswith("https://")
        # a failed sign-in is counted against the phone's address, not the proxy's; a forged
        # X-Forwarded-For is replaced by Caddy with the real peer
        name = f"tls_{uuid.uuid4().hex[:6]}"
        r = c.post(
            caddy.base + "/api/v1/auth/token",
            data={"username": name, "password": "wrong"},
            headers={"X-Forwarded-For": "198.51.100.99"},
        )
        assert r.status_code == 401
    client = db.execute("SELECT host(client) FROM sign_in_failure WHERE username = %s", (name,)).fetchone()[0]
    assert client == "127.0.0.1"  # the phone here is this machine; never the forged address


def test_the_field_app_works_by_name_over_https(deployment, db, tmp_path):
    first_load_s = _field_day(deployment, deployment["caddy"].base, db, tmp_path / "phone", "tls")
    print(f"first load through the proxy on a cold profile (TLS included): {first_load_s:.1f} s")


# A bureau's web server that gives the service one path of a host it shares with its own
# site, and strips that path before passing requests on.
SHARED_HOST = """{
	http_port {$HTTP_PORT}
	https_port {$HTTPS_PORT}
	admin off
	skip_install_trust
}
{$SITE_ADDRESS} {
	tls internal
	redir /gis /gis/ 308
	handle_path /gis/* {
		reverse_proxy {$APP_UPSTREAM}
	}
	handle {
		respond "The bureau's own website" 200
	}
}
"""


@pytest.fixture(scope="module")
def under_a_prefix(settings, prepared_db, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tls-prefix")
    (tmp / "Caddyfile").write_text(SHARED_HOST)
    server = RestartableServer(settings)
    caddy = Caddy(server.port, tmp, config=tmp / "Caddyfile")
    server.settings = settings.model_copy(
        update={"public_url": caddy.base + "/gis", "trusted_proxies": ["127.0.0.1"]}
    )
    server.start()
    yield {"server": server, "caddy": caddy, "env": _trusting_home(tmp, caddy.root), "tmp": tmp}
    caddy.stop()
    server.stop()


def test_the_field_app_works_under_a_path_prefix(under_a_prefix, db, tmp_path):
    caddy = under_a_prefix["caddy"]
    with caddy.client() as c:
        assert c.get(caddy.base + "/").text == "The bureau's own website"
        links = c.get(caddy.base + "/gis/ogc").json()["links"]
        assert all(link["href"].startswith(caddy.base + "/gis/") for link in links)
    _field_day(under_a_prefix, caddy.base + "/gis", db, tmp_path / "phone", "prefix")


def _field_day(deployment, base: str, db, profile: Path, label: str) -> float:
    """Sign in on a cold phone profile at `base` (the service's public URL), download a small
    area, restart the phone with the service stopped, work from the area and queue a
    visit, and see it sent once when the service is back. The first load's time."""
    caddy, server, env = deployment["caddy"], deployment["server"], deployment["env"]
    code, lon, lat = db.execute(
        "SELECT code, ST_X(geom), ST_Y(geom) FROM boundary_marker WHERE last_inspection_id IS NULL"
        " ORDER BY code DESC OFFSET %s LIMIT 1",
        (7 if label == "tls" else 8,),
    ).fetchone()
    notes = f"leaning west, seen over https ({label})"
    args = (f"--host-resolver-rules=MAP {HOST} 127.0.0.1",)
    with sync_playwright() as p:
        started = time.monotonic()
        phone = Phone(p, profile, base, at=(lon, lat), offline=False, args=args, env=env)
        page = phone.page
        phone.sign_in("demo_inspector", "demo-inspector")
        first_load_s = time.monotonic() - started
        assert page.evaluate("window.isSecureContext") is True
        assert page.evaluate("location.origin") == caddy.base
        # the worker is registered for the service's root, prefix included
        scope = page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.scope)")
        assert scope == base + "/"
        position = page.evaluate(
            """() => new Promise((ok, fail) => navigator.geolocation.getCurrentPosition(
                   (p) => ok([p.coords.longitude, p.coords.latitude]), (e) => fail(e.message)))"""
        )
        assert position == pytest.approx([lon, lat])
        # a small area around the marker, as the areas panel downloads it
        spec = {"kind": "bbox", "bbox": [lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01], "max_zoom": 12}
        fetched = page.evaluate(
            """(spec) => import(new URL('map/static/js/offline_store.js', document.baseURI).href)
                   .then((m) => m.download(spec)).then((r) => r.fetched)""",
            spec,
        )
        assert fetched > 0
        # the marker's card read online: the service worker keeps the last answer
        phone.panel("marker_panel", "showMarker", code)
        page.wait_for_selector("#log-visit")
        phone.screenshot(f"{label}-1-signed-in.png")
        phone.close()

        # the phone restarts with no network, the service stopped behind the proxy
        server.stop()
        phone = Phone(p, profile, base, at=(lon, lat), offline=True, args=args, env=env)
        page = phone.page
        page.goto(base + "/map")
        phone.wait_ready()
        assert page.is_visible("#offline-badge")
        # the area's tiles are kept under their service path and served offline at the
        # service's address
        stored = page.evaluate("""async () => {
            const store = await import(new URL('map/static/js/offline_store.js', document.baseURI).href);
            const keys = await store.storedTileKeys();
            const spread = [...keys.filter((_, i) => i % Math.ceil(keys.length / 6) === 0), keys[keys.length - 1]];
            const answers = await Promise.all(spread.map((k) => fetch(new URL(k.slice(1), document.baseURI))
                .then(async (r) => [r.status, r.headers.get('X-From-Cache'), (await r.arrayBuffer()).byteLength])));
            return { keys, answers };
        }""")
        assert stored["keys"] and all(
            k.startswith("/api/v1/") or k.startswith("/basemap/") for k in stored["keys"]
        )
        # (a layer's tile may be empty where its features only come near: 200 with no bytes)
        assert all(a[0] == 200 and a[1] == "1" for a in stored["answers"]), stored["answers"]
        assert any(a[2] > 0 for a in stored["answers"]), stored["answers"]
        phone.log_visit(code, "tilted", notes)
        page.wait_for_selector("#outbox-button:has-text('(1)')")
        phone.screenshot(f"{label}-2-queued-offline.png")

        server.start()
        phone.context.set_offline(False)
        page.wait_for_function("() => document.querySelector('#outbox-button').hidden", timeout=60_000)
        phone.panel("outbox", "flushNow")
        page.wait_for_timeout(500)
        sent = db.execute(
            "SELECT count(*) FROM marker_inspection i JOIN boundary_marker b ON b.id = i.marker_id"
            " WHERE b.code = %s AND i.notes = %s",
            (code, notes),
        ).fetchone()[0]
        assert sent == 1
        assert phone.errors == [] and phone.outside == [], (phone.errors, phone.outside)
        phone.close()
    return first_load_s


@pytest.fixture(scope="module")
def by_address(settings, prepared_db, tmp_path_factory):
    """The same deployment reached by IP address (Caddy's internal CA issues for IPs too),
    which GDAL can resolve without a hosts file."""
    tmp = tmp_path_factory.mktemp("tls-ip")
    server = RestartableServer(settings)
    caddy = Caddy(server.port, tmp, site="127.0.0.1")
    server.settings = settings.model_copy(update={"public_url": caddy.base, "trusted_proxies": ["127.0.0.1"]})
    server.start()
    yield caddy
    caddy.stop()
    server.stop()


GDAL_OVER_HTTPS = {
    "GDAL_HTTP_AUTH": "BASIC",
    "GDAL_HTTP_USERPWD": "demo_viewer:demo-viewer",
    "CPL_DEBUG": "OFF",
}
READ_WITH_PYOGRIO = """
import json, sys, pyogrio
df = pyogrio.read_dataframe(sys.argv[1], layer="boundary_marker", max_features=25)
print(json.dumps({"rows": len(df), "epsg": df.crs.to_epsg()}))
"""


def test_gdal_clients_read_over_https_trusting_the_ca(by_address, db, tmp_path):
    """Debian's ogr2ogr (GDAL 3.6) pages through every county over HTTPS with Basic
    credentials, trusting the CA (CURL_CA_BUNDLE); GDAL 3.12 (pyogrio) reads markers."""
    import json

    ca = str(by_address.root)  # GDAL 3.6 reads CURL_CA_BUNDLE; the wheels of 3.12, GDAL_CURL_CA_BUNDLE
    env = {**os.environ, **GDAL_OVER_HTTPS, "CURL_CA_BUNDLE": ca, "GDAL_CURL_CA_BUNDLE": ca}
    out = tmp_path / "counties.geojson"
    done = subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", str(out), f"OAPIF:{by_address.base}/ogc", "county_boundary", "-oo", "PAGE_SIZE=4"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-1500:]
    expected = db.execute("SELECT count(*) FROM county_boundary").fetchone()[0]
    assert len(json.loads(out.read_text())["features"]) == expected
    done = subprocess.run(
        [sys.executable, "-c", READ_WITH_PYOGRIO, f"OAPIF:{by_address.base}/ogc"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-1500:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"rows": 25, "epsg": 4490}  # storage CRS
    # without the CA, the same read fails: the trust comes from the CA, not from skipping checks
    untrusted = subprocess.run(
        ["ogrinfo", "-so", f"OAPIF:{by_address.base}/ogc", "county_boundary"],
        env={**os.environ, **GDAL_OVER_HTTPS}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert untrusted.returncode != 0


QGIS_OVER_HTTPS = r"""
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer, Qgis
from qgis.PyQt.QtNetwork import QSslCertificate

base, ca = sys.argv[1:3]
app = QgsApplication([], False)
app.initQgis()
manager = QgsApplication.authManager()
manager.storeCertAuthorities(QSslCertificate.fromPath(ca))  # the bureau's CA, as a user adds it
manager.rebuildCaCertsCache()
manager.rebuildTrustedCaCertsCache()
layer = QgsVectorLayer(f"url='{base}/ogc' typename='county_boundary' username='demo_viewer' password='demo-viewer'",
                       "counties", "OAPIF")
print(json.dumps({"version": Qgis.QGIS_VERSION, "valid": layer.isValid(),
                  "count": layer.featureCount() if layer.isValid() else None}), flush=True)
os._exit(0)
"""


def test_qgis_reads_over_https_with_basic_credentials(by_address, db, tmp_path):
    """Debian's QGIS 3.22 with the bureau's CA in its certificate store reads the counties
    over HTTPS, signing in with a user name and password (HTTP Basic)."""
    import json

    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(tmp_path),
    }
    done = subprocess.run(
        ["/usr/bin/python3", "-c", QGIS_OVER_HTTPS, by_address.base, str(by_address.root)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    expected = db.execute("SELECT count(*) FROM county_boundary").fetchone()[0]
    assert out["valid"] and out["count"] == expected, out
