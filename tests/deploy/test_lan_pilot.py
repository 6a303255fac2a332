"""The LAN pilot (`./scripts/run-lan`, i.e. `gis-service serve-lan`): HTTPS on this
machine's LAN addresses with a CA made here, the address and a QR code printed, and the
/trust page offering that CA's root with its fingerprint and the steps for phones."""

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
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
            # the page's own download link, as a phone follows it
            root = c.get(re.search(r'href="([^"]*root\.crt)"', page.text).group(1))
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


def test_the_pilot_ca_signs_only_for_local_names(tmp_path):
    """A phone that trusts the pilot's CA trusts nothing on the internet: the CA carries name
    constraints (private networks, local names, the machine's own), which phones enforce."""
    import ipaddress
    from datetime import UTC, datetime, timedelta

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.general_name import DNSName, IPAddress
    from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

    from gis_service.ops.lan_tls import certificates

    ca_path, cert_path, _ = certificates(tmp_path, ["192.168.1.20", "office-pc", "localhost", "127.0.0.1"])
    ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
    server = x509.load_pem_x509_certificate(cert_path.read_bytes())
    now = datetime.now(UTC)
    store = Store([ca])
    for name in (DNSName("office-pc"), IPAddress(ipaddress.ip_address("192.168.1.20"))):
        PolicyBuilder().store(store).time(now).build_server_verifier(name).verify(server, [])

    ca_key = serialization.load_pem_private_key((tmp_path / "ca.key").read_bytes(), None)

    def leaf(name):
        key = ec.generate_private_key(ec.SECP256R1())
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([]))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([name]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )

    for name in (DNSName("www.example.com"), IPAddress(ipaddress.ip_address("8.8.8.8"))):
        with pytest.raises(VerificationError):
            PolicyBuilder().store(store).time(now).build_server_verifier(name).verify(leaf(name), [])
    # moved to an address outside what the CA may sign for: a new CA (phones install it again)
    moved, _, _ = certificates(tmp_path, ["203.0.113.7", "office-pc"])
    assert x509.load_pem_x509_certificate(moved.read_bytes()).serial_number != ca.serial_number
