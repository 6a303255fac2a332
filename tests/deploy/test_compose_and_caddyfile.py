"""The shipped deployment files: Caddy accepts the Caddyfile in each certificate mode
(`caddy validate`, Debian's caddy), and the compose file wires the proxy, the service and
the database as docs/deployment.md says. Where the Docker compose plugin exists,
`docker compose config` checks the file too; here it is parsed and its wiring checked."""

import ipaddress
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"


@pytest.fixture(scope="module")
def own_certificate(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("certs")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=gis.bureau.lan",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    return folder


@pytest.mark.parametrize("mode", ["acme", "internal", "files"])
@pytest.mark.parametrize("hsts", ["on", "off"])
def test_caddy_accepts_the_caddyfile(mode, hsts, own_certificate, tmp_path):
    if not shutil.which("caddy"):
        pytest.fail("Debian's caddy is needed (./scripts/test installs it)")
    env = {
        **os.environ,
        "SITE_ADDRESS": "gis.bureau.lan",
        "TLS_MODE": mode,
        "HSTS": hsts,
        "TLS_CERT": str(own_certificate / "cert.pem"),
        "TLS_KEY": str(own_certificate / "key.pem"),
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    done = subprocess.run(
        ["caddy", "validate", "--config", str(DOCKER / "Caddyfile"), "--adapter", "caddyfile"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0 and "Valid configuration" in done.stdout + done.stderr, done.stderr[-1500:]


def test_the_compose_file_puts_tls_in_front_of_the_service():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    services = compose["services"]
    proxy, app, db = services["proxy"], services["app"], services["db"]
    assert proxy["image"].startswith("caddy:")
    assert {p.split(":")[-1] for p in proxy["ports"]} == {"80", "443"}
    assert "ports" not in app and "ports" not in db  # only the proxy is reachable
    assert any(v.startswith("./Caddyfile:/etc/caddy/Caddyfile") for v in proxy["volumes"])
    assert proxy["environment"]["APP_UPSTREAM"] == "app:8000"
    # the service trusts exactly the proxy's fixed address, inside the front network
    proxy_ip = proxy["networks"]["front"]["ipv4_address"]
    subnet = ipaddress.ip_network(compose["networks"]["front"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(proxy_ip) in subnet
    assert app["environment"]["TRUSTED_PROXIES"] == proxy_ip
    assert app["environment"]["PUBLIC_URL"] == "https://${SITE_ADDRESS}"
    # /trust offers the internal CA's root, read from the proxy's data volume
    assert "caddy_data:/caddy-data:ro" in app["volumes"]
    assert app["environment"]["TRUST_CERT_FILE"].startswith("/caddy-data/caddy/pki/authorities/local/")
    assert "front" in app["networks"] and db["networks"] == ["back"]
    assert app["depends_on"]["prepare"]["condition"] == "service_completed_successfully"
    # a daily backup, kept and copied off the machine, as the owner (pg_dump needs it)
    backup = services["backup"]
    command = " ".join(backup["command"])
    assert "gis-service backup" in command and "--every-hours 24" in command and "--keep" in command
    assert "--then" in command and "BACKUP_COPY_COMMAND" in backup["environment"]
    assert backup["environment"]["DATABASE_OWNER_URL"].startswith("postgresql://gis:")
    assert "backups:/backups" in backup["volumes"] and backup["networks"] == ["back"]
    assert "postgresql-client-15" in (DOCKER / "Dockerfile").read_text()  # pg_dump in the image
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        env = {
            **os.environ,
            "POSTGRES_PASSWORD": "x",
            "APP_DB_PASSWORD": "y",
            "SITE_ADDRESS": "gis.bureau.lan",
        }
        done = subprocess.run(
            ["docker", "compose", "-f", str(DOCKER / "compose.yaml"), "config", "-q"],
            env=env,
            capture_output=True,
        )
        assert done.returncode == 0, done.stderr
