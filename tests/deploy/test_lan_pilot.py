"""The LAN pilot (`./scripts/run-lan`, i.e. `gis-service serve-lan`): HTTPS on this
machine's LAN addresses with a CA made here, the address and a QR code printed, and the
/trust page offering that CA's root with its fingerprint and the steps for phones."""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from gis_service.ops.embedded_postgres import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_serve_lan_serves_https_and_the_trust_page(settings, prepared_db, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "DATABASE_OWNER_URL": settings.owner_url,
        "AUDIT_DIR": str(settings.audit_dir),
        "PHOTO_DIR": str(settings.photo_dir),
        "WORKERS": "1",
        "LOG_LEVEL": "WARNING",
    }
    out = tmp_path / "stdout.txt"
    with out.open("w") as stdout:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gis_service", "serve-lan", "--port", str(port)],
            env=env, cwd=ROOT, stdout=stdout, stderr=subprocess.STDOUT,
        )  # fmt: skip
    ca_path = ROOT / ".data" / "tls" / "ca.crt"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, out.read_text()[-2000:]
            assert time.monotonic() < deadline, "serve-lan did not start: " + out.read_text()[-2000:]
            try:
                if httpx.get(f"https://127.0.0.1:{port}/healthz", verify=str(ca_path)).status_code == 200:
                    break
            except (httpx.HTTPError, OSError):
                time.sleep(0.5)
        printed = out.read_text()
        assert f":{port}/trust" in printed and "https://" in printed and "▄" in printed  # address and QR
        with httpx.Client(verify=str(ca_path), base_url=f"https://127.0.0.1:{port}") as c:
            page = c.get("/trust")
            assert page.status_code == 200 and "Android" in page.text and "iOS" in page.text
            assert "HarmonyOS" in page.text and "<svg" in page.text
            root = c.get("/trust/root.crt")
            assert root.headers["content-type"] == "application/x-x509-ca-cert"
            ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
            assert root.content == ca.public_bytes(serialization.Encoding.DER)
            fingerprint = hashlib.sha256(root.content).hexdigest().upper()
            assert ":".join(fingerprint[i : i + 2] for i in range(0, 64, 2)) in page.text
            # the map's links name the LAN address, which the certificate covers
            links = c.get("/ogc").json()["links"]
            assert all(link["href"].startswith("https://") for link in links)
    finally:
        proc.terminate()
        proc.wait(30)
